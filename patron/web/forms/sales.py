"""Forms of the Sales pages and of the customer page's purchase history. Shape only."""

from __future__ import annotations

from django import forms

from patron.web.forms import FilterForm
from patron.web.forms.money import date_field

WHOLE_CUSTOMER = ""


class SalesFilterForm(FilterForm):
    q = forms.CharField(required=False, max_length=100, label="Search",
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": "Sale number or customer name"}))
    start = date_field("From")
    end = date_field("To")


class PurchaseFilterForm(FilterForm):
    """The period of a customer's purchase history (blank: since the first purchase) and the
    department whose financials to show (blank: the whole customer, T13)."""

    start = date_field("From")
    end = date_field("To")
    department = forms.ChoiceField(required=False, label="Financials of")

    def __init__(self, *args, departments: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(WHOLE_CUSTOMER, "The whole customer"),
                                             *((name, f"Department {name}") for name in departments)]


class ReceiptForm(forms.Form):
    to = forms.CharField(required=False, max_length=254, label="Send to",
                         help_text="Blank: the customer's e-mail address.",
                         widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}))
