"""Forms of the Sales pages and of the customer page's purchase history. Shape only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.web.forms import FilterForm
from patron.web.forms.money import date_field

WHOLE_CUSTOMER = ""


class SalesFilterForm(FilterForm):
    q = forms.CharField(required=False, max_length=100, label=_("Search"),
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": _("Sale number or customer name")}))
    start = date_field(_("From"))
    end = date_field(_("To"))


class PurchaseFilterForm(FilterForm):
    """The period of a customer's purchase history (blank: since the first purchase) and the
    department whose financials to show (blank: the whole customer, T13)."""

    start = date_field(_("From"))
    end = date_field(_("To"))
    department = forms.ChoiceField(required=False, label=_("Financials of"))

    def __init__(self, *args, departments: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        named = ((name, _("Department %(name)s") % {"name": name}) for name in departments)
        self.fields["department"].choices = [(WHOLE_CUSTOMER, _("The whole customer")), *named]


class ReceiptForm(forms.Form):
    to = forms.CharField(required=False, max_length=254, label=_("Send to"),
                         help_text=_("Blank: the customer's e-mail address."),
                         widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}))
