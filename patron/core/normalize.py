"""The one place where free text, phones, e-mails, countries and tax IDs are cleaned and normalised.

Search, duplicate detection and imports rely on these functions giving the same answer for the
same input, so nothing else in Patron lower-cases, strips accents or parses phones on its own.
Each function raises ``InvalidValue`` with a message meant for the person who typed the value.

Phones and e-mails are checked first by a fast library (rphonenumbers, a Rust port of
libphonenumber with phonenumbers' API; emval, in Rust), which an import of a million rows needs:
the reference libraries (phonenumbers, email-validator) take about ten times as long. The
reference stays the rule: it decides every value the fast library refuses (and words the
message), and every value of a kind where the two could differ (see ``_fast_email``).
``core/tests/test_normalize_agreement.py`` holds Patron's answers to the reference's over a large
corpus of numbers of every region and of addresses.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo

import email_validator
import emval
import phonenumbers
import pycountry
import rphonenumbers
from babel import Locale
from django.conf import settings
from django.utils.translation import gettext as _
from stdnum.eu import vat as eu_vat
from stdnum.util import get_cc_module

# Control characters (C0, DEL, C1) other than tab and newline never belong in a record (NUL in
# particular cannot be stored by PostgreSQL at all); \r is kept here to become a newline.
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_SURROGATE = r"\ud800-\udfff"  # half of a UTF-16 pair, as JSON's "\ud800" gives: no database stores it
_SPACES = re.compile(r"\s+")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029]")

# Explicit bidirectional formatting: embeddings, overrides and isolates make what follows them
# display in another order than it is stored ("Smith\u202egpj.exe" reads "Smithexe.jpg"), so a
# cashier would read something else than the record holds. Refused, with the character named.
BIDI_FORMATTING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# What clean_text refuses, found in one pass over the text.
_REFUSED = re.compile(f"[{_CONTROLS}{_SURROGATE}{''.join(sorted(BIDI_FORMATTING))}]")
# Bidi marks (LRM, RLM, ALM) only move punctuation and spaces next to them and come along when
# right-to-left names are copied from web pages: removed, like the other invisible characters.
BIDI_MARKS = frozenset("\u200e\u200f\u061c")
BIDI_CONTROLS = BIDI_FORMATTING | BIDI_MARKS
# Zero-width non-joiner and joiner shape Persian and Indic words and emoji sequences; elsewhere
# (next to ASCII, a space or the ends) they change nothing visible and are removed.
_JOINERS = frozenset("\u200c\u200d")


class InvalidValue(ValueError):
    """A value that cannot be accepted; ``str(error)`` is the message for the user."""


def clean_text(value: str | None, *, max_length: int, multiline: bool = False) -> str:
    """Trim a free-text value; refuse control characters, lone surrogates, bidi formatting and
    over-long input; remove invisible format characters (see ``_without_invisible``)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidValue(_("Enter text."))
    if refused := _REFUSED.search(value):
        raise InvalidValue(_refusal(refused.group()))
    if not value.isascii():  # ASCII holds no format characters, and is its own NFC
        value = unicodedata.normalize("NFC", value)
        if not value.isprintable():  # only then can it hold one (str.isprintable is false for Cf)
            value = _without_invisible(value)
    if multiline:
        value = _LINE_BREAKS.sub("\n", value).strip()
    else:
        value = _SPACES.sub(" ", value).strip()
    if len(value) > max_length:
        raise InvalidValue(_("Use at most %(max_length)s characters (this has %(length)s).") % {
            "max_length": max_length, "length": len(value)})
    return value


def _refusal(character: str) -> str:
    if character in BIDI_FORMATTING:
        return _("Contains a hidden character that changes the direction of the text "
                 "(%(character)s): remove it.") % {
            "character": f"U+{ord(character):04X} {unicodedata.name(character)}"}
    if unicodedata.category(character) == "Cs":
        return _("Contains characters that are not valid text (a broken UTF-16 surrogate).")
    return _("Contains control characters that cannot be stored.")


def _joinable(ch: str) -> bool:
    """A character a zero-width (non-)joiner can change the look of: not ASCII, not a space,
    not itself a format character ("" past either end of the text is not)."""
    return len(ch) == 1 and ord(ch) > 0x7F and not ch.isspace() and unicodedata.category(ch) != "Cf"


def _without_invisible(value: str) -> str:
    """Drop format characters (Unicode category Cf: zero-width space, BOM, word joiner, soft
    hyphen, bidi marks, tags, ...), keeping a joiner only between two characters it can join."""
    formats = {ch for ch in set(value) if unicodedata.category(ch) == "Cf"}  # a text's few distinct characters
    if not formats:
        return value
    kept = []
    for index, ch in enumerate(value):
        joins = ch in _JOINERS and bool(kept) and _joinable(kept[-1]) and _joinable(value[index + 1:index + 2])
        if ch not in formats or joins:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))  # a mark freed from a removed character composes


# Staff usernames: what Django's own username validator allows (letters, digits and . _ - @ +),
# read in NFKC as Django's login form reads what is typed, so the stored name is the one that logs in.
_USERNAME = re.compile(r"[\w.@+-]+\Z")
USERNAME_MAX = 150


def clean_username(value: str | None) -> str:
    """A staff username, trimmed and NFKC-normalised; anything else than letters, digits and
    . _ - @ + (markup, slashes, spaces, invisible or bidi characters) is refused, not removed."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidValue(_("Enter text."))
    value = unicodedata.normalize("NFKC", value.strip())
    if len(value) > USERNAME_MAX:
        raise InvalidValue(_("Use at most %(max_length)s characters (this has %(length)s).") % {
            "max_length": USERNAME_MAX, "length": len(value)})
    if value and not _USERNAME.match(value):
        raise InvalidValue(_("Use only letters, digits and . _ - @ + in a username (no spaces)."))
    return value


def blank_controls(value: str) -> str:
    """``value`` with its control characters as spaces: for what is searched with, not stored (no
    stored value holds one, and PostgreSQL takes no NUL even as a parameter)."""
    return _CONTROL.sub(" ", value)


@functools.lru_cache(maxsize=100_000)  # names, streets and towns recur: a bulk import folds each many times
def fold(value: str) -> str:
    """Case- and accent-insensitive form used for sorting and matching ("Müller" -> "muller")."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.replace("ß", "ss")).strip()


# --- Phones ---------------------------------------------------------------------------------

def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return the E.164 form of a phone typed in any common format, or raise ``InvalidValue``."""
    raw = clean_text(raw, max_length=40)
    if not raw:
        raise InvalidValue(_("Enter a phone number."))
    if not re.search(r"\d", raw):
        raise InvalidValue(_("A phone number needs digits."))
    region = (region or settings.PATRON_PHONE_REGION).upper()
    return _fast_e164(raw, region) or reference_e164(raw, region)


# Calling codes whose numbering plan changed between the fast library's metadata and the reference's
# (rphonenumbers carries an older libphonenumber release): the reference alone reads them. The
# differential test finds such a code when either library is upgraded.
_REFERENCE_ONLY_CALLING_CODES = frozenset({263})  # Zimbabwe


def _fast_e164(raw: str, region: str) -> str | None:
    """The E.164 form when the fast library finds the number valid, else None (the reference
    decides). A number it refuses goes to the reference as well: newer metadata makes some
    numbers valid that it does not know."""
    try:
        parsed = rphonenumbers.parse(raw, region)
    except Exception:  # NumberParseException, or anything the port does differently: the reference will say
        return None
    if parsed.country_code in _REFERENCE_ONLY_CALLING_CODES:
        return None
    if rphonenumbers.is_possible_number(parsed) and rphonenumbers.is_valid_number(parsed):
        return rphonenumbers.format_number(parsed, rphonenumbers.PhoneNumberFormat.E164)
    return None


def reference_e164(raw: str, region: str) -> str:
    """``normalize_phone`` by the reference library alone, for a cleaned ``raw`` and a region."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise InvalidValue(_("This is not a phone number.")) from None
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        raise InvalidValue(_("This phone number is not valid for its country."))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(raw: str) -> str:
    """Only the digits of a phone as typed (for searches by the last digits)."""
    return re.sub(r"\D", "", raw or "")


# --- E-mail ---------------------------------------------------------------------------------

def normalize_email(raw: str) -> str:
    """Validate an e-mail address (syntax only, no DNS) and return its normalised form."""
    raw = clean_text(raw, max_length=254)
    if not raw:
        raise InvalidValue(_("Enter an e-mail address."))
    return _fast_email(raw) or reference_email(raw)


# emval with email-validator's options as Patron calls it (check_deliverability=False): no quoted
# local parts, no domain literals, internationalised addresses allowed; emval's own deliverability
# check would ask the DNS.
_EMVAL = emval.EmailValidator(allow_smtputf8=True, allow_empty_local=False, allow_quoted_local=False,
                              allow_domain_literal=False, deliverable_address=False)
_SPECIAL_USE_DOMAINS = tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES)


def _fast_email(raw: str) -> str | None:
    """The normalised address when the fast library accepts it and the reference would give the same
    answer, else None (the reference decides). Only plain ASCII addresses: internationalised
    ones and Punycode are normalised by each library in its own way. emval checks no global
    deliverability, so what email-validator refuses without DNS is left to it too: a domain
    without a period, a top-level domain not ending in a letter, special-use names (.test, ...)."""
    if not raw.isascii() or "xn--" in raw.lower():
        return None
    try:
        normalized = _EMVAL.validate_email(raw).normalized
    except Exception:  # emval's syntax error, or anything it does differently: the reference will say
        return None
    domain = normalized.rpartition("@")[2]
    if "." not in domain or not domain[-1:].isalpha() or any(
            domain == name or domain.endswith("." + name) for name in _SPECIAL_USE_DOMAINS):
        return None
    return normalized


def reference_email(raw: str) -> str:
    """``normalize_email`` by the reference library alone, for a cleaned ``raw``."""
    try:
        result = email_validator.validate_email(raw, check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise InvalidValue(str(error)) from None
    return result.normalized


def email_key(address: str) -> str:
    """Lower-cased form used to compare e-mail addresses."""
    return address.strip().lower()


# Mailboxes whose provider ignores dots in the local part and has a second domain for the same box.
_DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def email_match_key(address: str) -> str:
    """The mailbox an address reaches, for finding the same person twice: lower-cased, without a
    ``+tag``, and for Gmail without dots and with googlemail.com read as gmail.com
    ("Anna.Meyer+shop@GoogleMail.com" -> "annameyer@gmail.com"). Not for sending."""
    local, _at, domain = email_key(address).rpartition("@")
    if not local:
        return email_key(address)
    local = local.split("+", 1)[0] or local
    if domain in _DOTLESS_DOMAINS:
        domain = _DOTLESS_DOMAINS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


# --- Countries ------------------------------------------------------------------------------

# Common names and codes people type that neither ISO 3166 nor the CLDR names of the back office's
# languages (``_country_names``) know.
COUNTRY_ALIASES = {
    "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB",
    "northern ireland": "GB", "britain": "GB", "usa": "US", "u.s.a.": "US", "u.s.": "US",
    "america": "US", "deutschland": "DE", "allemagne": "DE", "frankreich": "FR", "italia": "IT",
    "italien": "IT", "nederland": "NL", "holland": "NL", "españa": "ES", "espana": "ES",
    "österreich": "AT", "osterreich": "AT", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
    "belgië": "BE", "belgique": "BE", "polska": "PL", "sverige": "SE", "danmark": "DK",
    "norge": "NO", "suomi": "FI", "éire": "IE",
}


def normalize_country(raw: str) -> str:
    """ISO 3166-1 alpha-2 code for a code, name or common alias ("UK" -> "GB"); "" stays ""."""
    raw = clean_text(raw, max_length=60)
    if not raw:
        return ""
    alias = COUNTRY_ALIASES.get(raw.casefold()) or COUNTRY_ALIASES.get(fold(raw))
    if alias:
        return alias
    named = _country_names().get(fold(raw))
    if named:
        return named
    try:
        return pycountry.countries.lookup(raw).alpha_2
    except LookupError:
        raise InvalidValue(_("Unknown country “%(raw)s”; use an ISO code such as DE or GB.") % {"raw": raw}) from None


@functools.cache
def _country_names() -> dict[str, str]:
    """ISO codes by the folded CLDR name of the country in each language Patron speaks, so a file
    from a Dutch shop ("Duitsland", "Verenigd Koninkrijk") or a French one ("Allemagne") is read."""
    names = {}
    for language, _label in settings.LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha() and pycountry.countries.get(alpha_2=code):
                names.setdefault(fold(name), code)
    return names


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return getattr(country, "common_name", None) or getattr(country, "name", code)


# --- Time zones -----------------------------------------------------------------------------

@functools.cache
def _time_zones() -> dict[str, str]:
    """IANA time zone names by their case-folded form (reading them scans the tz database once)."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def normalize_time_zone(raw: str) -> str:
    """The IANA name of a time zone ("europe/berlin" -> "Europe/Berlin"); "" stays ""."""
    raw = clean_text(raw, max_length=64)
    if not raw:
        return ""
    name = _time_zones().get(raw.casefold())
    if name is None:
        raise InvalidValue(_("Unknown time zone “%(raw)s”; use an IANA name such as Europe/Berlin.") % {
            "raw": raw})
    return name


# --- Tax IDs --------------------------------------------------------------------------------

# Kinds of number tried in this order for a country (VAT for the EU and most of Europe,
# TIN/EIN for the US, business numbers for Canada and Australia).
_TAX_ID_KINDS = ("vat", "tin", "bn", "abn", "gst")
# VAT numbers are often written with their country prefix ("DE136695976"); Greece writes "EL".
_VAT_PREFIXES = {code.upper(): code.upper() for code in eu_vat.MEMBER_STATES} | {"EL": "GR", "GB": "GB"}


def _tax_id_module(country: str):
    for kind in _TAX_ID_KINDS:
        module = get_cc_module(country.lower(), kind) if country else None
        if module is not None:
            return module
    return None


def normalize_tax_id(raw: str, country: str) -> tuple[str, str]:
    """Validate a tax or resale ID for its country; return (compact form, country used).

    A VAT number that starts with an EU country prefix ("DE136695976") is checked for that
    country whatever ``country`` says. Countries without a known format keep the ID as typed,
    compacted (spaces and punctuation removed).
    """
    raw = clean_text(raw, max_length=40)
    if not raw:
        return "", country
    candidate = re.sub(r"[\s.\-/]", "", raw).upper()
    if candidate[:2] in _VAT_PREFIXES and candidate[2:3].isdigit():
        country = _VAT_PREFIXES[candidate[:2]]
    module = _tax_id_module(country)
    if module is None:
        return candidate, country
    try:
        return module.validate(raw), country
    except Exception:  # stdnum raises several ValidationError subclasses
        name = country_name(country) if country else "its country"
        raise InvalidValue(_("This is not a valid tax ID for %(name)s.") % {"name": name}) from None
