"""The back office's order form: the order (type, reference, note, status) and its lines, each
typed the user's way (``1.234,50`` in German). Shape only: ``sales.actions`` checks every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.sales.actions import MAX_LINES
from patron.sales.models import OrderKind, OrderStatus
from patron.web.forms.money import AMOUNT_MAX_LENGTH, amount_field
from patron.web.forms.numbers import LocalNumberField

QUANTITY_DECIMALS = 3
SPARE_LINES = 3  # empty rows under the order's lines, for new ones
LINE_FIELDS = ("sku", "description", "quantity", "unit_price")


class OrderForm(forms.Form):
    kind = forms.ChoiceField(choices=OrderKind.choices, label=_("Type"))
    number = forms.CharField(required=False, max_length=40, label=_("Reference"),
                             help_text=_("Blank: the next order number."))
    description = forms.CharField(required=False, max_length=500, label=_("Note"),
                                  widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(choices=OrderStatus.choices, label=_("Status"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the type and the reference are the order's identity
            del self.fields["kind"], self.fields["number"]


class OrderLineForm(forms.Form):
    """One row of the lines table; a row left empty is no line."""

    sku = forms.CharField(required=False, max_length=60, label=_("Article"))
    description = forms.CharField(required=False, max_length=200, label=_("Description"))
    quantity = LocalNumberField(decimals=QUANTITY_DECIMALS, as_text=True, required=False, label=_("Quantity"),
                                max_length=AMOUNT_MAX_LENGTH)
    unit_price = amount_field(_("Unit price"), required=False)

    def __init__(self, *args, row: int, **kwargs):
        super().__init__(*args, prefix=f"line-{row}", **kwargs)
        self.row = row + 1
        for field in self.fields.values():  # a table cell: the column heading says what it is
            field.widget.attrs["aria-label"] = _("%(field)s, line %(row)s") % {"field": field.label, "row": self.row}

    @property
    def is_blank(self) -> bool:
        return self.is_bound and not any(str(self.data.get(self.add_prefix(name), "")).strip()
                                         for name in LINE_FIELDS)

    def clean(self):
        data = super().clean()
        if not self.is_blank:
            for name in ("description", "quantity", "unit_price"):
                if name not in self.errors and data.get(name) in ("", None):
                    self.add_error(name, _("Required."))
        return data

    def line(self) -> dict:
        return {name: self.cleaned_data[name] for name in LINE_FIELDS}


def line_forms(data=None, *, lines=(), rows: int | None = None) -> list[OrderLineForm]:
    """The rows of the lines table: posted ones (``rows`` of them), else the order's ``lines``
    and a few empty rows."""
    if data is not None:
        return [OrderLineForm(data, row=row) for row in range(min(rows or 0, MAX_LINES))]
    initial = [{"sku": line.sku, "description": line.description, "quantity": line.quantity,
                "unit_price": line.unit_price} for line in lines]
    total = min(len(initial) + SPARE_LINES, MAX_LINES)
    return [OrderLineForm(initial=initial[row] if row < len(initial) else None, row=row) for row in range(total)]
