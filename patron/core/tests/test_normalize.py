"""The one normaliser: text, phones, e-mails, countries and tax IDs."""

import pytest

from patron.core.normalize import (
    InvalidValue,
    clean_text,
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


def test_unknown_country_is_refused():
    with pytest.raises(InvalidValue, match="Unknown country"):
        normalize_country("Narnia")


def test_tax_id_with_eu_prefix_uses_the_prefix_country():
    assert normalize_tax_id("FR 40 303 265 045", "US") == ("40303265045", "FR")
    with pytest.raises(InvalidValue):
        normalize_tax_id("FR 40 303 265 046", "FR")
