"""Numbers and amounts typed the user's way: ``1.234,50`` or ``1234,50`` in German, Dutch and
French, ``1,234.50`` in English. The one place the back office reads them.

Reading is strict: the decimal sign is the locale's, thousands separators only between groups of
three digits, so ``1.5`` in German (neither) or ``1234,50`` in English (a comma where a group of
three should follow) is refused with an example in the user's own notation, never guessed. The
forms hand the actions a canonical decimal string (``"1234.50"``) or a ``Decimal``: the actions
and the API stay locale-free (``core.money.parse_amount``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel import numbers as babel_numbers
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from patron.core.formats import current_locale, format_number, format_plain_number, number_symbols

# Spaces a person may type for a locale whose thousands separator is a (narrow, no-break) space.
_SPACES = frozenset({" ", "\u00a0", "\u202f"})
_MINUS = ("-", _("\u2212"))  # a hyphen, or the minus sign the help texts show
EXAMPLE = Decimal("1234.5")


class NumberRefused(ValueError):
    """Text that is not a number in the user's notation; the message says so in their language."""


def _groups(group: str) -> str:
    separators = _SPACES if group in _SPACES else {group}
    return "[" + re.escape("".join(sorted(separators))) + "]"


def _shape(decimal: str, group: str) -> re.Pattern:
    integer = r"(\d{1,3}(?:" + _groups(group) + r"\d{3})+|\d+)"
    return re.compile(r"^" + integer + "(?:" + re.escape(decimal) + r"(\d+))?$")


def _without_currency(text: str) -> str:
    """``1.234,50 €`` or ``EUR 1234,50`` as the number alone (the shop's currency only)."""
    code = settings.PATRON_CURRENCY
    for mark in (code, babel_numbers.get_currency_symbol(code, locale=current_locale())):
        if text.startswith(mark):
            return text[len(mark):].strip()
        if text.endswith(mark):
            return text[:-len(mark)].strip()
    return text


def parse_number(text: str, *, decimals: int, amount: bool = False) -> Decimal:
    """The number ``text`` writes in the active locale, with at most ``decimals`` places;
    ``amount`` also takes the shop's currency symbol or code around it. Raises ``NumberRefused``."""
    decimal, group = number_symbols()
    text = text.strip()
    if amount:
        text = _without_currency(text)
    negative = text.startswith(_MINUS)
    match = _shape(decimal, group).match(text[1:].lstrip() if negative else text)
    if match is None:
        example = format_number(EXAMPLE, decimals=decimals)
        if amount:
            raise NumberRefused(_("Enter an amount such as %(example)s.") % {"example": example})
        raise NumberRefused(_("Enter a number such as %(example)s.") % {"example": example})
    integer, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > decimals:
        if decimals == 0:
            raise NumberRefused(_("Enter a whole number."))
        raise NumberRefused(_("Enter at most %(decimals)s decimals, such as %(example)s.") % {
            "decimals": decimals, "example": format_number(EXAMPLE, decimals=decimals)})
    digits = re.sub(r"\D", "", integer) + ("." + fraction if fraction else "")
    return -Decimal(digits) if negative else Decimal(digits)


class LocalNumberField(forms.CharField):
    """A number or amount typed in the user's notation. Cleans to a ``Decimal`` or, with
    ``as_text``, to its canonical decimal string for actions that read amounts from text; shows
    a stored value the same way back (``1234,50``, without separators, to edit)."""

    def __init__(self, *, decimals: int, amount: bool = False, as_text: bool = False,
                 min_value: Decimal | int | None = None, max_value: Decimal | int | None = None, **kwargs):
        self.decimals, self.amount, self.as_text = decimals, amount, as_text
        self.min_number, self.max_number = min_value, max_value
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return format_plain_number(value, decimals=self._places(value))
        return value

    def _places(self, value) -> int:
        exponent = Decimal(value).normalize().as_tuple().exponent
        return min(self.decimals, max(0, -exponent)) if not self.amount else self.decimals

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return "" if self.as_text else None
        try:
            number = parse_number(text, decimals=self.decimals, amount=self.amount)
        except NumberRefused as error:
            raise forms.ValidationError(str(error), code="invalid") from None
        if self.min_number is not None and number < self.min_number:
            raise forms.ValidationError(_("Enter at least %(minimum)s.") % {
                "minimum": format_number(self.min_number)}, code="min_value")
        if self.max_number is not None and number > self.max_number:
            raise forms.ValidationError(_("Enter at most %(maximum)s.") % {
                "maximum": format_number(self.max_number)}, code="max_value")
        return format(number, "f") if self.as_text else number

    def validate(self, value):
        if value in self.empty_values and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):
        """CharField's length validators measure text; the number was checked in ``to_python``."""
