"""Numbers, money and dates in the reader's locale (core.formats): the shapes of issue 16."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from patron.core.formats import (
    format_country,
    format_date,
    format_datetime,
    format_money,
    format_month,
    format_number,
)

NBSP, NNBSP = "\u00a0", "\u202f"  # CLDR's no-break space, and French's narrow one between thousands


@pytest.mark.parametrize("language, currency, shown", [
    ("de", "EUR", f"1.234,50{NBSP}€"),
    ("nl", "EUR", f"€{NBSP}1.234,50"),
    ("fr", "EUR", f"1{NNBSP}234,50{NBSP}€"),
    ("en", "USD", "$1,234.50"),
    ("en", "EUR", "€1,234.50"),
])
def test_money_in_each_language(language, currency, shown):
    with translation.override(language):
        assert format_money(Decimal("1234.50"), currency) == shown


def test_money_takes_the_currencys_own_decimals_rounded_half_even():
    with translation.override("en"):
        assert format_money(Decimal("1234.56"), "JPY") == "¥1,235"
        assert format_money(Decimal("1234.50"), "JPY") == "¥1,234"  # half-even, as core.money rounds
        assert format_money(Decimal("-15.5"), "USD") == "-$15.50"


def test_money_defaults_to_the_shops_currency(settings):
    settings.PATRON_CURRENCY = "EUR"
    with translation.override("de"):
        assert format_money("35") == f"35,00{NBSP}€"
        assert format_money(None) == "—"


def test_numbers_use_the_locales_separators():
    with translation.override("de"):
        assert format_number(Decimal("1234.5")) == "1.234,5"
        assert format_number(Decimal("2.500")) == "2,5"
        assert format_number(Decimal("1234.5"), decimals=2) == "1.234,50"
    with translation.override("en"):
        assert format_number(Decimal("1234.5"), decimals=2) == "1,234.50"


def test_dates_and_moments_in_each_language(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    day = datetime.date(2026, 12, 6)
    moment = datetime.datetime(2026, 12, 6, 13, 5, tzinfo=datetime.UTC)  # 14:05 in Berlin
    shown = {}
    for language in ("en", "de", "nl", "fr"):
        with translation.override(language):
            shown[language] = (format_date(day), format_datetime(moment), format_month(day))
    assert shown["en"] == ("Dec 6, 2026", "Dec 6, 2026, 2:05\u202fPM", "December 2026")
    assert shown["de"] == ("06.12.2026", "06.12.2026, 14:05", "Dezember 2026")
    assert shown["nl"] == ("6 dec 2026", "6 dec 2026, 14:05", "december 2026")
    assert shown["fr"] == ("6 déc. 2026", "6 déc. 2026, 14:05", "décembre 2026")


@pytest.mark.parametrize("language, shown", [("en", "Netherlands"), ("de", "Niederlande"), ("nl", "Nederland"),
                                             ("fr", "Pays-Bas")])
def test_country_names_in_each_language(language, shown):
    with translation.override(language):
        assert format_country("NL") == shown
        assert format_country("nl") == shown
        assert format_country("") == "" and format_country("XX") == "XX"
