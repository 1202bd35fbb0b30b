"""Form fields the money pages share. An amount is typed the user's way (``1.234,50`` in German)
and handed to the actions as a canonical decimal string (``"1234.50"``): ``core.money.parse_amount``
(called by the actions) checks its range, so a form never turns one into a float."""

from __future__ import annotations

from django import forms

from patron.core.money import DECIMALS
from patron.web.forms.numbers import LocalNumberField

AMOUNT_MAX_LENGTH = 20


def amount_field(label: str, *, required: bool = True, help_text: str = "") -> LocalNumberField:
    return LocalNumberField(decimals=DECIMALS, amount=True, as_text=True, label=label, required=required,
                            max_length=AMOUNT_MAX_LENGTH, help_text=help_text)


def date_field(label: str, *, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
