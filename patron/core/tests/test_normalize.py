"""The one normaliser: text, phones, e-mails, countries and tax IDs."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patron.core.normalize import (
    BIDI_CONTROLS,
    InvalidValue,
    clean_text,
    clean_username,
    fold,
    normalize_country,
    normalize_email,
    normalize_phone,
    normalize_tax_id,
    phone_digits,
)


@pytest.mark.parametrize("raw, expected", [("  Anna   Maria ", "Anna Maria"), ("O'Hara", "O'Hara"),
                                           ("Zoë 🎉", "Zoë 🎉"), ("e\u0301", "é")])
def test_clean_text_trims_collapses_and_composes(raw, expected):
    assert clean_text(raw, max_length=50) == expected


def test_multiline_text_keeps_line_breaks():
    assert clean_text(" a\r\nb\rc ", max_length=50, multiline=True) == "a\nb\nc"


@pytest.mark.parametrize("raw", ["a\x00b", "bell\x07", "esc\x1b[31m"])
def test_control_characters_are_refused(raw):
    with pytest.raises(InvalidValue):
        clean_text(raw, max_length=50)


@pytest.mark.parametrize("raw", ["a\x85b", "csi\x9b31m", "del\x7f"])
def test_c1_controls_and_delete_are_refused_too(raw):
    with pytest.raises(InvalidValue, match="control characters"):
        clean_text(raw, max_length=50, multiline=True)


def test_a_lone_surrogate_is_refused_not_left_for_the_database():
    with pytest.raises(InvalidValue, match="not valid text"):
        clean_text("Ann\ud800", max_length=50)


# --- invisible and bidirectional characters -------------------------------------------------------

@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                                     "\u2068", "\u2069"])
def test_bidi_embeddings_overrides_and_isolates_are_refused_and_named(control):
    # "Smith" followed by an override that would show "gpj.exe" as "exe.jpg"
    with pytest.raises(InvalidValue) as refused:
        clean_text(f"Smith {control}gpj.exe", max_length=50)
    message = str(refused.value)
    assert "direction" in message and f"U+{ord(control):04X}" in message and unicodedata.name(control) in message


@pytest.mark.parametrize("raw, expected", [
    ("\ufeffAnna", "Anna"),                  # a byte-order mark pasted from a file
    ("An\u200bna", "Anna"),                  # zero-width space
    ("An\u2060na", "Anna"),                  # word joiner
    ("Schiff\u00adfahrt", "Schifffahrt"),     # soft hyphen
    ("An\u200dna", "Anna"),                  # a joiner between Latin letters does nothing visible
    ("Ann\u200c", "Ann"),                    # nor at the end of a word
    ("\u200f\u05e9\u05e8\u05d4\u200e", "\u05e9\u05e8\u05d4"),  # bidi marks pasted with Hebrew ("Sara")
    ("Ali\u061c", "Ali"),                    # Arabic letter mark
    ("a \u200b b", "a b"),                   # what is left collapses like any space
])
def test_invisible_characters_are_removed_silently(raw, expected):
    assert clean_text(raw, max_length=50) == expected


@pytest.mark.parametrize("raw", [
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: a zero-width non-joiner inside a word
    "\u0915\u094d\u200d\u0937",                    # Devanagari: a joiner after the virama
    "Zoë \U0001f468\u200d\U0001f469\u200d\U0001f467",  # an emoji family
    "\u2764\ufe0f\u200d\U0001f525",                  # heart on fire: variation selector then joiner
])
def test_joiners_that_shape_a_script_or_an_emoji_are_kept(raw):
    assert clean_text(raw, max_length=50) == unicodedata.normalize("NFC", raw)


def test_notes_keep_line_breaks_and_tabs_but_not_invisible_characters():
    assert clean_text("line\u200b one\n\tline\u2028two", max_length=50, multiline=True) == "line one\n\tline\ntwo"


_JOINERS = {"\u200c", "\u200d"}


def _joinable(ch: str) -> bool:
    return ord(ch) > 0x7F and not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Zs", "Zl", "Zp")


def _invisible_left(value: str, multiline: bool) -> list[str]:
    """Characters that must never be stored: bidi controls, format characters other than a joiner
    between two characters it can join, controls other than a note's newline and tab."""
    kept_controls = {"\n", "\t"} if multiline else set()
    left = []
    for index, ch in enumerate(value):
        category = unicodedata.category(ch)
        joins = ch in _JOINERS and 0 < index < len(value) - 1 and _joinable(value[index - 1]) and _joinable(
            value[index + 1])
        refused = ch in BIDI_CONTROLS or category == "Cs" or (category == "Cc" and ch not in kept_controls)
        if refused or (category == "Cf" and not joins):
            left.append(ch)
    return left


# Text biased towards the characters that matter here, mixed with anything else.
_TRICKY = st.sampled_from(sorted(BIDI_CONTROLS) + ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",
                                                   "\u180e", "\U000e0041", "\u0645", "\u094d", "\U0001f468",
                                                   "\ufe0f", "\u0301", "\u212a", " ", "\n", "\t", "\u2028", "a"])
TEXT = st.lists(st.one_of(_TRICKY, st.characters()), max_size=30).map("".join)


@settings(max_examples=3_000, deadline=None)
@given(raw=TEXT, multiline=st.booleans())
def test_cleaned_text_never_holds_a_bidi_control_or_an_invisible_format_character(raw, multiline):
    try:
        cleaned = clean_text(raw, max_length=200, multiline=multiline)
    except InvalidValue:
        # refused: only for a bidi control, a control character or a lone surrogate
        assert any(ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs") for ch in raw)
        return
    assert _invisible_left(cleaned, multiline) == []
    assert clean_text(cleaned, max_length=200, multiline=multiline) == cleaned  # cleaning twice changes nothing


# --- usernames ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [("erika", "erika"), (" jo.smith@shop+1 ", "jo.smith@shop+1"),
                                           ("Jürgen_2", "Jürgen_2"), ("ｅｒｉｋａ", "erika"), ("", "")])
def test_usernames_are_letters_digits_and_a_few_marks(raw, expected):
    assert clean_username(raw) == expected


@pytest.mark.parametrize("raw", ["<b>boss</b>", "a/b", "an\u200bna", "an\u200dna", "ann\u202e", "two words", "x\x00",
                                 "quote\"", "semi;colon", "x" * 151])
def test_usernames_refuse_markup_slashes_spaces_and_invisible_characters(raw):
    with pytest.raises(InvalidValue):
        clean_username(raw)


def test_too_long_text_says_how_long():
    with pytest.raises(InvalidValue, match="at most 5 characters"):
        clean_text("abcdef", max_length=5)


@pytest.mark.parametrize("raw, expected", [("Müller", "muller"), ("STRAẞE", "strasse"), ("  Ça  Va ", "ca va"),
                                           ("Øre", "øre")])
def test_fold_ignores_case_and_accents(raw, expected):
    assert fold(raw) == expected


@pytest.mark.parametrize("raw, region, expected", [
    ("(202) 555-0143", "US", "+12025550143"),
    ("0171 1234567", "DE", "+491711234567"),
    ("+49 (0)171 1234567", "US", "+491711234567"),
    ("07911 123456", "GB", "+447911123456"),
    ("06 12 34 56 78", "FR", "+33612345678"),
])
def test_phones_become_e164(raw, region, expected):
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize("raw", ["", "abc", "12", "+999 123"])
def test_impossible_phones_are_refused(raw):
    with pytest.raises(InvalidValue):
        normalize_phone(raw, "US")


def test_phone_digits():
    assert phone_digits("+1 (202) 555-0143") == "12025550143"


def test_email_normalisation_and_refusal():
    assert normalize_email(" Jo.Smith@EXAMPLE.COM ") == "Jo.Smith@example.com"
    for bad in ["jo", "jo@", "@x.com", "jo smith@example.com"]:
        with pytest.raises(InvalidValue):
            normalize_email(bad)


@pytest.mark.parametrize("raw, expected", [("UK", "GB"), ("gb", "GB"), ("Germany", "DE"), ("Deutschland", "DE"),
                                           ("DEU", "DE"), ("usa", "US"), ("", "")])
def test_countries_accept_codes_names_and_aliases(raw, expected):
    assert normalize_country(raw) == expected


@pytest.mark.parametrize("raw, expected", [("Duitsland", "DE"), ("Verenigd Koninkrijk", "GB"), ("België", "BE"),
                                           ("belgie", "BE"), ("Pays-Bas", "NL"), ("Vereinigtes Königreich", "GB"),
                                           ("Etats-Unis", "US"), ("Oostenrijk", "AT")])
def test_countries_are_read_by_their_name_in_each_language_of_the_back_office(raw, expected):
    assert normalize_country(raw) == expected


def test_unknown_country_is_refused():
    with pytest.raises(InvalidValue, match="Unknown country"):
        normalize_country("Narnia")


def test_tax_id_with_eu_prefix_uses_the_prefix_country():
    assert normalize_tax_id("FR 40 303 265 045", "US") == ("40303265045", "FR")
    with pytest.raises(InvalidValue):
        normalize_tax_id("FR 40 303 265 046", "FR")
