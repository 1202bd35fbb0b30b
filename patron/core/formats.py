"""Numbers, money and dates as the reader's locale writes them (Babel, CLDR data).

The locale is the active translation's (the staff user's language, else the browser's): German
writes ``1.234,50 €``, Dutch ``€ 1.234,50``, French ``1 234,50 €`` (a narrow no-break space),
English ``$1,234.50``. Money shows the currency's own decimals (JPY none: ``¥1,235``), rounded
half-even like ``core.money``. Times are shown in the installation's time zone.

Only what people read goes through here: the API, the CLI and the files Patron exchanges with
other systems keep decimal strings, RFC 3339 and ISO codes. The back office reads numbers typed
the locale's way with ``patron.web.forms.numbers``, which takes its symbols from ``number_symbols``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.conf import settings
from django.utils import timezone, translation

EMPTY = "—"  # what a missing amount shows


@lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    return Locale.parse(translation.to_locale(language))


def current_locale() -> Locale:
    """The Babel locale of the active language (the installation's default when none is active)."""
    return _locale(translation.get_language() or settings.LANGUAGE_CODE)


def number_symbols(locale: Locale | None = None) -> tuple[str, str]:
    """The locale's decimal sign and its thousands separator."""
    locale = locale or current_locale()
    return babel_numbers.get_decimal_symbol(locale), babel_numbers.get_group_symbol(locale)


def format_money(amount, currency: str | None = None) -> str:
    """``1234.5`` in the shop's currency: ``1.234,50 €`` (de), ``$1,234.50`` (en)."""
    if amount is None or amount == "":
        return EMPTY
    return babel_numbers.format_currency(Decimal(amount), currency or settings.PATRON_CURRENCY,
                                         locale=current_locale())


def format_number(value, *, decimals: int | None = None) -> str:
    """A number with the locale's separators; ``decimals`` fixes the places, else up to three."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if decimals is None:
        return babel_numbers.format_decimal(value, locale=current_locale())
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=current_locale())


def format_plain_number(value, *, decimals: int) -> str:
    """A number to edit in a form field: the locale's decimal sign, no thousands separators."""
    pattern = "0" + ("." + "0" * decimals if decimals else "")
    return babel_numbers.format_decimal(Decimal(value), format=pattern, locale=current_locale(),
                                        group_separator=False)


def format_percent(share) -> str:
    """``0.125`` as ``12.5%`` (en) or ``12,5 %`` (de)."""
    return babel_numbers.format_percent(Decimal(share), format="#,##0.#%", locale=current_locale())


def format_date(value: datetime.date | datetime.datetime | None) -> str:
    """A day: ``Dec 6, 2026`` (en), ``06.12.2026`` (de), ``6 dec 2026`` (nl)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return babel_dates.format_date(value, "medium", locale=current_locale())


def format_datetime(value: datetime.datetime | None, *, seconds: bool = False) -> str:
    """A moment in the current time zone (the staff user's store's, see web.middleware):
    ``Dec 6, 2026, 2:05 PM`` (en), ``06.12.2026, 14:05`` (de)."""
    if value is None or value == "":
        return ""
    # Aware: shown in the current zone; naive: as it is (Babel would take it for UTC).
    value = timezone.localtime(value) if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)
    locale = current_locale()
    time_pattern = locale.time_formats["medium" if seconds else "short"].pattern
    date_pattern = locale.date_formats["medium"].pattern
    pattern = str(locale.datetime_formats["medium"]).replace("{1}", date_pattern).replace("{0}", time_pattern)
    return babel_dates.format_datetime(value, pattern, tzinfo=value.tzinfo, locale=locale)


def format_short_day(value: datetime.date) -> str:
    """A day without its year, for a chart's axis: ``Dec 6`` (en), ``6. Dez.`` (de), ``6 dec`` (nl)."""
    return babel_dates.format_skeleton("MMMd", value, locale=current_locale())


def format_country(code: str) -> str:
    """A country's name in the reader's language (``NL``: "Netherlands", "Niederlande", "Nederland",
    "Pays-Bas"); an unknown code as it is."""
    return current_locale().territories.get((code or "").upper(), code or "")


def format_month(value: datetime.date, *, short: bool = False) -> str:
    """A month: ``December 2026``, or short ``Dec ’26`` (en), ``Dez. 2026`` (de)."""
    return babel_dates.format_skeleton("MMMyy" if short else "yMMMM", value, locale=current_locale())
