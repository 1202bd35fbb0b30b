"""Form fields the money pages share. Amounts stay text: ``core.money.parse_amount`` (called by
the actions) is the one place that reads them, so a form never turns one into a float."""

from __future__ import annotations

from django import forms

AMOUNT_MAX_LENGTH = 20


def amount_field(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=AMOUNT_MAX_LENGTH, help_text=help_text,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


def date_field(label: str, *, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
