"""Money and numbers typed the user's way (web.forms.numbers): strict, in the user's language."""

from decimal import Decimal

import pytest
from django.utils import translation

from patron.web.forms.money import amount_field
from patron.web.forms.numbers import NumberRefused, parse_number


@pytest.mark.parametrize("language, typed, value", [
    ("de", "1.234,50", "1234.50"), ("de", "1234,50", "1234.50"), ("de", "1234,5", "1234.5"),
    ("de", "1.234.567", "1234567"), ("de", "−12,30", "-12.30"), ("de", "1.234,50 €", "1234.50"),
    ("nl", "1.234,50", "1234.50"), ("nl", "€ 1234,50", "1234.50"),
    ("fr", "1 234,50", "1234.50"), ("fr", "1\u202f234,50", "1234.50"), ("fr", "1\u00a0234,50", "1234.50"),
    ("fr", "1234,50", "1234.50"),
    ("en", "1,234.50", "1234.50"), ("en", "1234.50", "1234.50"), ("en", "$1,234.50", "1234.50"), ("en", "-5", "-5"),
])
def test_accepted_in_each_language(settings, language, typed, value):
    settings.PATRON_CURRENCY = "USD" if language == "en" else "EUR"
    with translation.override(language):
        assert parse_number(typed, decimals=2, amount=True) == Decimal(value)


@pytest.mark.parametrize("language, typed", [
    ("de", "1.5"),        # neither a decimal comma nor a group of three
    ("de", "1234.50"),    # English notation in German
    ("de", "1,234.50"),
    ("de", "12,345"),     # three decimals for an amount
    ("de", "1.23,4"), ("de", "12 €50"), ("de", "1e3"), ("de", ""), ("de", "abc"), ("de", "1.234,50 $"),
    ("nl", "1,234.50"),
    ("fr", "1.234,50"),   # a dot groups nothing in French
    ("en", "1234,50"),    # a comma must group three digits
    ("en", "1,23"), ("en", "1.234,50"), ("en", "12.345"),
])
def test_refused_in_each_language(settings, language, typed):
    settings.PATRON_CURRENCY = "EUR"
    with translation.override(language), pytest.raises(NumberRefused):
        parse_number(typed, decimals=2, amount=True)


def test_the_refusal_says_how_to_write_it_in_the_users_language():
    with translation.override("de"):
        with pytest.raises(NumberRefused, match="Geben Sie einen Betrag wie 1.234,50 ein."):
            parse_number("1.5", decimals=2, amount=True)
        with pytest.raises(NumberRefused, match="Geben Sie höchstens 2 Nachkommastellen ein, z. B. 1.234,50."):
            parse_number("1,555", decimals=2, amount=True)
    with translation.override("nl"), pytest.raises(NumberRefused, match="Vul een bedrag in zoals 1.234,50."):
        parse_number("1,234.50", decimals=2, amount=True)
    with translation.override("en"), pytest.raises(NumberRefused, match="Enter a whole number."):
        parse_number("1.5", decimals=0)


def test_an_amount_field_hands_the_actions_a_canonical_decimal_and_shows_a_stored_one_back():
    field = amount_field("Amount")
    with translation.override("de"):
        assert field.clean("1.234,50") == "1234.50"
        assert field.prepare_value(Decimal("1234.5")) == "1234,50"
        with pytest.raises(Exception, match="1.234,50"):
            field.clean("1234.50")
    with translation.override("en"):
        assert field.clean("1,234.50") == "1234.50"
        assert field.prepare_value(Decimal("1234.5")) == "1234.50"
