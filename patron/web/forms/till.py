"""Forms of the till page: find a customer, add a line, pay. Shape only: ``record_sale`` checks
the lines, the payments and the customer."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.core.money import DECIMALS, MAX_AMOUNT
from patron.lookup.engine import QUERY_MAX
from patron.sales.models import TenderKind
from patron.web.forms import FilterForm
from patron.web.forms.money import amount_field
from patron.web.forms.numbers import LocalNumberField

# The tenders a cashier can take at the back office's till, in the order they are offered.
TENDERS = (TenderKind.CASH.value, TenderKind.CARD.value, TenderKind.ON_ACCOUNT.value, TenderKind.POINTS.value)


class TillSearchForm(FilterForm):
    q = forms.CharField(required=False, max_length=QUERY_MAX, label=_("Select customer"),
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": _("Name, phone or account number"),
                                                      "aria-controls": "till-results", "data-till-search": "",
                                                      "data-shortcut-search": ""}))


class LineForm(forms.Form):
    description = forms.CharField(max_length=200, label=_("Description"))
    sku = forms.CharField(max_length=60, required=False, label=_("SKU"))
    department = forms.CharField(max_length=60, required=False, label=_("Department"))
    quantity = LocalNumberField(decimals=3, min_value=Decimal("0.001"), max_value=Decimal("999999.999"), initial=1,
                                label=_("Quantity"))
    unit_price = LocalNumberField(decimals=DECIMALS, amount=True, min_value=0, max_value=MAX_AMOUNT,
                                  label=_("Unit price"))
    discount_percent = LocalNumberField(decimals=2, min_value=0, max_value=100, required=False,
                                        label=_("Discount %"), help_text=_("The customer's default discount."))


class TillPaymentForm(forms.Form):
    """How the customer pays: an amount per tender, any of them (a split payment). ``number`` is
    the sale number the cart was given: posting it twice cannot record two sales."""

    number = forms.CharField(max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, buyers=(), **kwargs):
        """``buyers``: the customer's authorized contacts, one of whom may be buying."""
        super().__init__(*args, **kwargs)
        for tender in TENDERS:
            self.fields[tender] = amount_field(TenderKind(tender).label, required=False)
        if buyers:
            self.fields["bought_by"] = forms.ChoiceField(
                required=False, label=_("Bought by"),
                choices=[("", _("The customer")), *((str(buyer.uuid), str(buyer)) for buyer in buyers)],
                help_text=_("An authorized buyer buying on the customer's behalf."))

    def tenders(self):
        """The amount fields, one per tender, in the order they are offered."""
        return [self[tender] for tender in TENDERS]

    def payments(self) -> tuple[list[dict], dict[str, str]]:
        """The payments for ``record_sale`` and the map of its error fields back to this form's."""
        payments, field_map = [], {"amount": TenderKind.POINTS.value}  # points that do not divide the amount
        for tender in TENDERS:
            if self.cleaned_data.get(tender):
                index = len(payments)
                field_map |= {f"payments.{index}.amount": tender, f"payments.{index}.tender": tender}
                payments.append({"tender": tender, "amount": self.cleaned_data[tender]})
        return payments, field_map
