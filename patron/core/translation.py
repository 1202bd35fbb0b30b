"""The translation catalogues (patron/locale/<language>/LC_MESSAGES/django.po and .mo), kept with
Babel alone so no GNU gettext tool is needed: ``python -m patron.core.translation`` (``make
messages``) extracts every marked string from the Python code and the templates, merges the
catalogues and compiles them; ``unmarked_text`` finds template text nobody marked.

Templates are turned into Python by Django's own ``templatize`` (what ``makemessages`` does), so
a ``{% blocktranslate %}`` gets the msgid Django looks up when it renders.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract as extract_messages
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils.translation.template import templatize

PACKAGE = Path(__file__).resolve().parent.parent
LOCALE_DIR = PACKAGE / "locale"
DOMAIN = "django"
SOURCE = "en"
KEYWORDS = {
    "_": None, "gettext": None, "gettext_lazy": None, "gettext_noop": None,
    "ngettext": (1, 2), "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2), "pgettext_lazy": ((1, "c"), 2),
}
# Template text that stays as it is in every language, each with its reason.
UNTRANSLATED = {
    "Patron": "the product's name",
}
# Attributes people read (or hear, from a screen reader); their values are checked like text.
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-confirm", "label")
# Filter arguments that are shown: {{ x|default:_("none") }}, {{ flag|yesno:_("Yes,No") }}.
SHOWN_ARGUMENTS = ("default", "default_if_none", "yesno")

_TAG = re.compile(r"<[^>]*>", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ATTRIBUTE = re.compile(r"""\b(""" + "|".join(READ_ATTRIBUTES) + r""")\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LETTER = re.compile(r"[^\W\d_]")
_UNMARKED_ARGUMENT = re.compile(r"\|(?:" + "|".join(SHOWN_ARGUMENTS) + r"""):(["'])(.*?)\1""")
_MARK = "\x00"  # stands in for a template tag or variable while the text around it is read


def languages() -> list[str]:
    """The languages that have catalogues: every one offered except the source."""
    return [code for code, _name in settings.LANGUAGES if code != SOURCE]


def template_files() -> list[Path]:
    return sorted(path for path in PACKAGE.glob("**/templates/**/*") if path.suffix in {".html", ".txt"})


def python_files() -> list[Path]:
    return sorted(path for path in PACKAGE.glob("**/*.py")
                  if "tests" not in path.parts and "migrations" not in path.parts)


def _readable_text(source: str) -> tuple[str, list[str]]:
    """The template with every tag, variable, comment and translated part replaced by a mark,
    and the shown filter arguments that are not marked."""
    pieces, arguments, depth = [], [], 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            bits = token.split_contents()
            navigation = bits[0] == "block" and bits[1].startswith("nav_")  # it fills a class attribute
            if bits[0] in {"blocktranslate", "blocktrans", "comment"} or navigation:
                depth += 1
            elif bits[0] in {"endblocktranslate", "endblocktrans", "endcomment"} or depth and bits[0] == "endblock":
                depth -= 1
            pieces.append(_MARK)
        elif token.token_type == TokenType.VAR:
            arguments += [match.group(2) for match in _UNMARKED_ARGUMENT.finditer(token.contents)
                          if _LETTER.search(match.group(2))]
            pieces.append(_MARK)
        elif token.token_type == TokenType.TEXT and depth == 0:
            pieces.append(token.contents)
        else:
            pieces.append(_MARK)
    return "".join(pieces), arguments


def unmarked_text(source: str) -> list[str]:
    """Words in a template that are shown to people but not marked for translation."""
    text, found = _readable_text(source)
    text = _HTML_COMMENT.sub(_MARK, text)
    for tag in _TAG.findall(text):
        found += [value for match in _ATTRIBUTE.finditer(tag) for value in [match.group(2) or match.group(3)]
                  if _LETTER.search(value.replace(_MARK, ""))]
    text = _TAG.sub(_MARK, text)
    found += [run.strip() for run in text.split(_MARK) if _LETTER.search(run)]
    return [item for item in found if _bare(item) not in UNTRANSLATED]


def _bare(text: str) -> str:
    return re.sub(r"^[\W_]+|[\W_]+$", "", text.replace(_MARK, " "))


def _template_messages(path: Path):
    # Its Python keeps the template's line numbers but not Python's indentation, which Babel's tokenizer
    # would refuse; the calls are what counts.
    code = "\n".join(line.lstrip() for line in templatize(path.read_text(), origin=str(path)).split("\n"))
    return extract_messages("python", io.BytesIO(code.encode()), keywords=KEYWORDS)


def _python_messages(path: Path):
    with path.open("rb") as handle:
        return list(extract_messages("python", handle, keywords=KEYWORDS))


def extract() -> Catalog:
    """Every marked string of the Python code and the templates, with where each is used."""
    catalog = Catalog(project="Patron", domain=DOMAIN)
    sources = [(path, _python_messages) for path in python_files()]
    sources += [(path, _template_messages) for path in template_files()]
    for path, reader in sources:
        for lineno, message, _comments, context in reader(path):
            flags = ("python-format",) if "%" in (message[0] if isinstance(message, tuple) else message) else ()
            catalog.add(message, None, [(str(path.relative_to(PACKAGE.parent)), lineno)], flags=flags,
                        context=context)
    return catalog


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    """The .mo file of a catalogue, as Django reads it (fuzzy entries left out)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update_catalogues() -> None:
    """Merge the extracted strings into each language's .po (new ones empty, gone ones dropped)
    and compile its .mo."""
    template = extract()
    for language in languages():
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            catalog = read_catalogue(language)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="Patron")
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.creation_date = created  # an unchanged catalogue stays byte for byte the same
        catalog.obsolete.clear()
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=False, omit_header=False, ignore_obsolete=True)
        path.with_suffix(".mo").write_bytes(compiled(read_catalogue(language)))


def main() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    django.setup()
    update_catalogues()
    for language in languages():
        catalog = read_catalogue(language)
        missing = [message.id for message in catalog if message.id and not _translated(message)]
        print(f"{language}: {len(catalog)} messages, {len(missing)} to translate")


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not message.fuzzy and all(strings)


if __name__ == "__main__":
    main()
