"""The translation catalogues (issue 16): every shown template text is marked, every marked string
has a translation in each language with the same placeholders, and the compiled .mo files are the
.po files of today. Each check is shown to fail on a deliberately broken input too."""

import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo

from patron.core import translation
from patron.core.translation import UNTRANSLATED, unmarked_text

PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sd%]")


def test_every_templates_shown_text_is_marked():
    unmarked = {str(path.relative_to(translation.PACKAGE)): found for path in translation.template_files()
                if (found := unmarked_text(path.read_text()))}
    assert unmarked == {}


def test_each_untranslated_exception_says_why():
    assert all(reason for reason in UNTRANSLATED.values())


@pytest.mark.parametrize("template, found", [
    ("<p>Hello</p>", ["Hello"]),
    ('{% load i18n %}<input placeholder="Name" aria-label="{% translate "Name" %}">', ["Name"]),
    ('<button data-confirm="Delete {{ name }}?">✕</button>', ["Delete \x00?"]),
    ('{{ flag|yesno:"Yes,No" }}', ["Yes,No"]),
    ("<p>{{ count }} customers</p>", ["customers"]),
])
def test_the_check_finds_unmarked_text(template, found):
    assert unmarked_text(template) == found


@pytest.mark.parametrize("template", [
    '{% load i18n %}<p>{% translate "Hello" %}</p><p title="{% translate "Hi" %}">{{ name }}</p>',
    "{% load i18n %}<p>{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}</p>",
    '{{ flag|yesno:_("Yes,No") }} <!-- a comment --> {# another #} {% comment %}and a third{% endcomment %}',
    '<a class="{% block nav_x %}active{% endblock %}">—</a> · 1 234 %',
])
def test_the_check_passes_marked_text(template):
    assert unmarked_text(template) == []


def _problems(catalog: Catalog, template: Catalog) -> list[str]:
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = translated.string if translated is not None else None
        strings = strings if isinstance(strings, tuple) else (strings,)
        if translated is None or translated.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    return problems


@pytest.fixture(scope="module")
def extracted():
    return translation.extract()


@pytest.mark.parametrize("language", translation.languages())
def test_every_marked_string_is_translated_with_the_same_placeholders(extracted, language):
    assert _problems(translation.read_catalogue(language), extracted) == []


def test_the_catalogue_check_finds_a_missing_translation_and_a_lost_placeholder(extracted):
    catalog = translation.read_catalogue("de")
    catalog.delete("Customers")
    catalog["Page %(number)s of %(count)s"].string = "Seite %(number)s"
    catalog["Enter at least %(minimum)s."].flags.add("fuzzy")
    assert sorted(_problems(catalog, extracted)) == [
        "placeholders differ: 'Page %(number)s of %(count)s' -> 'Seite %(number)s'",
        "untranslated: 'Customers'", "untranslated: 'Enter at least %(minimum)s.'"]


@pytest.mark.parametrize("language", translation.languages())
def test_the_compiled_catalogues_are_up_to_date(language):
    po = translation.read_catalogue(language)
    mo_path = translation.po_path(language).with_suffix(".mo")
    assert mo_path.read_bytes() == translation.compiled(po), "run make messages"
    with mo_path.open("rb") as handle:
        assert read_mo(handle).get("Customers").string == po.get("Customers").string
