"""Forms of the till page: find a customer, add a line, pay. Shape only: ``record_sale`` checks
the lines, the payments and the customer."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from patron.lookup.engine import QUERY_MAX
from patron.sales.models import TenderKind
from patron.web.forms import FilterForm
from patron.web.forms.money import amount_field

# The tenders a cashier can take at the back office's till, in the order they are offered.
TENDERS = (TenderKind.CASH.value, TenderKind.CARD.value, TenderKind.ON_ACCOUNT.value, TenderKind.POINTS.value)


class TillSearchForm(FilterForm):
    q = forms.CharField(required=False, max_length=QUERY_MAX, label="Select customer",
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": "Name, phone or account number"}))


class LineForm(forms.Form):
    description = forms.CharField(max_length=200, label="Description")
    sku = forms.CharField(max_length=60, required=False, label="SKU")
    department = forms.CharField(max_length=60, required=False, label="Department")
    quantity = forms.DecimalField(max_digits=9, decimal_places=3, min_value=Decimal("0.001"), initial=1,
                                  label="Quantity", widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    unit_price = forms.DecimalField(max_digits=10, decimal_places=2, min_value=0, label="Unit price",
                                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    discount_percent = forms.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
                                          label="Discount %", help_text="The customer's default discount.",
                                          widget=forms.TextInput(attrs={"inputmode": "decimal"}))


class TillPaymentForm(forms.Form):
    """How the customer pays: an amount per tender, any of them (a split payment). ``number`` is
    the sale number the cart was given: posting it twice cannot record two sales."""

    number = forms.CharField(max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for tender in TENDERS:
            self.fields[tender] = amount_field(TenderKind(tender).label, required=False)

    def payments(self) -> tuple[list[dict], dict[str, str]]:
        """The payments for ``record_sale`` and the map of its error fields back to this form's."""
        payments, field_map = [], {"amount": TenderKind.POINTS.value}  # points that do not divide the amount
        for tender in TENDERS:
            if self.cleaned_data.get(tender):
                index = len(payments)
                field_map |= {f"payments.{index}.amount": tender, f"payments.{index}.tender": tender}
                payments.append({"tender": tender, "amount": self.cleaned_data[tender]})
        return payments, field_map
