"""Template filters for what people read, in the reader's locale (``core.formats``, the one place
these rules live): ``{{ amount|money }}``, ``{{ amount|money:sale.currency }}``, ``{{ quantity|number }}``,
``{{ part|percent_of:whole }}``, ``{{ day|day }}``, ``{{ moment|moment }}``, ``{{ code|country }}``."""

from django import template

from patron.core import formats

register = template.Library()


@register.filter
def money(amount, currency: str = ""):
    return formats.format_money(amount, currency or None)


@register.filter
def number(value, decimals=None):
    return formats.format_number(value, decimals=None if decimals in (None, "") else int(decimals))


@register.filter
def percent_of(part, whole):
    """``part`` as a percentage of ``whole`` (nothing when ``whole`` is zero)."""
    return formats.format_percent(part / whole) if whole else formats.EMPTY


@register.filter
def day(value):
    return formats.format_date(value)


@register.filter
def moment(value, detail: str = ""):
    """``moment:"seconds"`` shows the seconds too (the audit trail)."""
    return formats.format_datetime(value, seconds=detail == "seconds")


@register.filter
def country(code):
    return formats.format_country(code)
