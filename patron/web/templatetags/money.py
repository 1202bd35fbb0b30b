"""``{{ amount|money }}``: an amount with two decimals and the currency (``core.money``)."""

from django import template

from patron.core.money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str = ""):
    if amount is None or amount == "":
        return "—"
    return format_money(amount, currency or None)
