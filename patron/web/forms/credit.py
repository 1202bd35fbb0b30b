"""Forms of the customer page's account and points sections, the statement and the overdue
list. Shape only: the credit and loyalty actions check every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.credit.models import PaymentMethod
from patron.web.forms import FilterForm
from patron.web.forms.money import amount_field, date_field

NOTE_MAX = 500


def _note(label: str, *, required: bool) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=NOTE_MAX)


class PaymentForm(forms.Form):
    prefix = "payment"
    amount = amount_field(_("Amount"))
    method = forms.ChoiceField(choices=PaymentMethod.choices, label=_("Method"))
    reference = forms.CharField(required=False, max_length=100, label=_("Reference"),
                                help_text=_("Cheque or transfer number, receipt number ..."))
    note = _note(_("Note"), required=False)


class CreditLimitForm(forms.Form):
    prefix = "limit"
    credit_limit = amount_field(_("Credit limit"), help_text=_("0 closes the account to new charges."))


class AdjustmentForm(forms.Form):
    prefix = "adjustment"
    amount = amount_field(_("Amount"), help_text=_("Positive raises what the customer owes, negative (−) lowers it."))
    note = _note(_("Reason"), required=True)


class PointsAdjustmentForm(forms.Form):
    prefix = "points"
    points = forms.IntegerField(label=_("Points"), min_value=-10**9, max_value=10**9,
                                help_text=_("Positive adds points, negative (−) takes them away."))
    note = _note(_("Reason"), required=True)


class StatementForm(FilterForm):
    start = date_field(_("From"))
    end = date_field(_("To"))


class OverdueForm(FilterForm):
    as_of = date_field(_("As of"))
