"""Orders on the customer page (O22): a new order and editing an open one, each on a focused
page of its own, and marking a pending order completed or cancelled. Every change goes through
``sales.actions``, as the API's do."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.core import errors
from patron.locations.queries import default_location
from patron.sales.actions import MAX_LINES, record_order, update_order
from patron.sales.models import Order, OrderStatus
from patron.sales.numbers import next_order_number
from patron.web.forms.orders import OrderForm, line_forms
from patron.web.views.access import actor, raise_http, requires
from patron.web.views.customer_common import customer_landing, customer_or_404, customer_url, perform, posted_version

SECTION = "orders"


def _source(request) -> str:
    """Orders taken in the back office are numbered per store, apart from its till's sales."""
    return f"web-orders-{_store(request).code}"


def _store(request):
    return request.user.location or default_location()


def _posted_rows(request) -> int:
    try:
        return max(0, min(int(request.POST.get("rows", "0")), MAX_LINES))
    except ValueError:
        return 0


def _bound_forms(request, *, editing: bool):
    form = OrderForm(request.POST, editing=editing)
    rows = line_forms(request.POST, rows=_posted_rows(request))
    valid = form.is_valid() & all([row.is_valid() for row in rows])  # every form checked: all errors at once
    if valid and all(row.is_blank for row in rows):
        form.add_error(None, _("An order needs at least one line."))
        valid = False
    elif not valid and any(row.errors for row in rows):
        form.add_error(None, _("Correct the lines marked below."))
    return form, rows, valid


def _save(form, rows, action, **kwargs):
    """Run the action with the lines typed; its refusals go next to their fields (a line's
    under its row). Returns the order, or None when refused (nothing is saved)."""
    filled = [row for row in rows if not row.is_blank]
    try:
        return action(lines=[row.line() for row in filled], **kwargs)
    except errors.DomainError as error:
        raise_http(error)
        lines_wrong = False
        for field, field_messages in error.errors.items():
            parts = field.split(".")
            row = filled[int(parts[1])] if (parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit()
                                             and int(parts[1]) < len(filled)) else None
            for message in field_messages:
                if row is not None:
                    row.add_error(parts[2] if parts[2] in row.fields else None, message)
                    lines_wrong = True
                else:
                    form.add_error(field if field in form.fields else None, message)
        if lines_wrong:
            form.add_error(None, _("Correct the lines marked below."))
        return None


@transaction.atomic
def _record(*, request, customer, data, lines):
    """The order under the next number (unless given one): a refused order gives its number back."""
    source = _source(request)
    return record_order(actor=actor(request), customer=customer, source=source,
                        number=data["number"] or next_order_number(source), kind=data["kind"],
                        location=_store(request), description=data["description"], status=data["status"],
                        lines=lines)


def _page(request, customer, form, rows, *, order=None, status=200):
    return render(request, "web/sales/order_form.html", {
        "customer": customer, "order": order, "form": form, "rows": rows,
    }, status=status)


@requires("orders.record")
def new_order(request, uuid):
    customer = customer_or_404(uuid)
    if request.method != "POST":
        form = OrderForm(initial={"status": OrderStatus.PENDING})
        return _page(request, customer, form, line_forms())
    form, rows, valid = _bound_forms(request, editing=False)
    if valid:
        data = form.cleaned_data
        order = _save(form, rows, _record, request=request, customer=customer, data=data)
        if order is not None:
            messages.success(request, _("%(order)s recorded.") % {"order": order})
            return redirect(customer_landing(customer, SECTION))
    return _page(request, customer, form, rows, status=422)


@requires("orders.record")
def edit_order(request, uuid, order_uuid):
    customer = customer_or_404(uuid)
    order = get_object_or_404(Order, uuid=order_uuid, customer=customer)
    if order.status != OrderStatus.PENDING:
        messages.error(request, _("%(order)s is closed: only a pending order's lines and note can change.") % {
            "order": order})
        return redirect(customer_url(customer, SECTION))
    if request.method != "POST":
        form = OrderForm(initial={"description": order.description, "status": order.status,
                                  "version": order.version}, editing=True)
        return _page(request, customer, form, line_forms(lines=order.lines.all()), order=order)
    form, rows, valid = _bound_forms(request, editing=True)
    if valid:
        data = form.cleaned_data
        saved = _save(form, rows, update_order, actor=actor(request), order=order, status=data["status"],
                      description=data["description"], expected_version=data["version"])
        if saved is not None:
            messages.success(request, _("%(order)s saved.") % {"order": saved})
            return redirect(customer_landing(customer, SECTION))
    return _page(request, customer, form, rows, order=order, status=422)


@requires("orders.record")
@require_POST
def order_status(request, uuid, order_uuid):
    customer = customer_or_404(uuid)
    order = get_object_or_404(Order, uuid=order_uuid, customer=customer)
    status = request.POST.get("status", "")
    if perform(request, update_order, actor=actor(request), order=order, status=status,
               expected_version=posted_version(request)):
        messages.success(request, _("%(order)s is %(status)s.") % {
            "order": order, "status": OrderStatus(status).label.lower()})
    return redirect(customer_url(customer, SECTION))
