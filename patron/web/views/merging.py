"""The merge screen (managers and admins): the records side by side, a value picked per field,
merge; the merge's page with its undo button."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from patron.core import errors
from patron.customers.models import Customer
from patron.merging import actions
from patron.merging.queries import merge_summary, record_by_reference, undo_window
from patron.web.views.access import actor, raise_http, requires
from patron.web.views.customer_common import customer_or_404

FIELD_LABELS = {
    "first_name": gettext_lazy("First name"), "name_prefix": gettext_lazy("Name prefix"),
    "last_name": gettext_lazy("Last name"), "name": gettext_lazy("Name"),
    "birth_date": gettext_lazy("Birth date"), "tax_id": gettext_lazy("Tax ID"),
    "tax_id_country": gettext_lazy("Tax ID country"), "is_tax_exempt": gettext_lazy("Tax exempt"),
    "price_level": gettext_lazy("Price level"), "default_discount": gettext_lazy("Default discount (%)"),
    "is_employee": gettext_lazy("Employee"), "always_formal_invoice": gettext_lazy("Always a formal invoice"),
    "home_location": gettext_lazy("Home location"), "photo": gettext_lazy("Photo"),
}


def _shown(record: Customer, field: str) -> str:
    value = getattr(record, field)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field == "photo":
        return _("Photo") if value else ""
    return "" if value is None else str(value)


def _rows(survivor: Customer, others: list[Customer], chosen: dict[str, Customer]) -> list[dict]:
    records = [survivor, *others]
    rows = []
    for field in actions.PICKABLE:
        if field == "name" and survivor.is_person:
            continue  # a person's name is "First Last"
        values = [{"record": record, "value": _shown(record, field), "chosen": chosen[field] == record}
                  for record in records]
        rows.append({"field": field, "label": FIELD_LABELS[field], "values": values,
                     "differ": len({value["value"] for value in values}) > 1})
    return rows


def _united(records: list[Customer]) -> list[dict]:
    """What the survivor takes from every record (shown, not picked)."""
    return [
        {"label": _("Phones"), "values": [", ".join(p.number for p in r.phones.all()) for r in records]},
        {"label": _("E-mails"), "values": [", ".join(e.address for e in r.emails.all()) for r in records]},
        {"label": _("Addresses"), "values": [" / ".join(str(a) for a in r.addresses.all()) for r in records]},
        {"label": _("Tags"), "values": [", ".join(t.name for t in r.tags.all()) for r in records]},
        {"label": _("Contacts"), "values": [", ".join(str(c) for c in r.contacts.all()) for r in records]},
        {"label": _("Notes"), "values": [r.notes for r in records]},
        {"label": _("Custom fields"),
         "values": [", ".join(f"{key}: {value}" for key, value in r.custom_fields.items()) for r in records]},
        {"label": _("Sales"), "values": [str(r.sale_count) for r in records]},
    ]


def _others(request, survivor: Customer) -> tuple[list[Customer], str]:
    """The records named in ``others`` (account numbers or ids, separated by spaces or commas)."""
    text = (request.POST.get("others") or request.GET.get("others") or "").replace(",", " ")
    found = []
    for reference in text.split():
        record = record_by_reference(reference)
        if record.pk != survivor.pk and record not in found:
            found.append(record)
    return found, text.strip()


@requires("customers.merge")
@require_http_methods(["GET", "POST"])
def customer_merge(request, uuid):
    survivor = customer_or_404(uuid)
    try:
        others, text = _others(request, survivor)
    except errors.NotFound as error:
        messages.error(request, error.message)
        others, text = [], ""
    if request.method == "POST" and others:
        picks = {field: request.POST[f"pick_{field}"] for field in actions.PICKABLE if f"pick_{field}" in request.POST}
        try:
            merge = actions.merge_customers(actor=actor(request), survivor=survivor, others=others,
                                            field_choices=picks,
                                            idempotency_key=f"web:{request.POST.get('form_key', '')}"
                                            if request.POST.get("form_key") else "")
        except errors.DomainError as error:
            raise_http(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("Merged %(count)s customer(s) into %(name)s.") % {
                "count": len(others), "name": survivor.name})
            return redirect("web:merge_detail", uuid=merge.uuid)
    chosen = actions.default_choices(survivor, others)
    context = {"customer": survivor, "others": others, "others_text": text, "records": [survivor, *others],
               "rows": _rows(survivor, others, chosen) if others else [],
               "united": _united([survivor, *others]) if others else [],
               "form_key": request.POST.get("form_key") or _new_key()}
    return render(request, "web/merging/merge.html", context)


def _new_key() -> str:
    """A key per opened form: confirming twice (a double click, a resent form) merges once."""
    return secrets.token_urlsafe(16)


@requires("customers.merge")
def merge_detail(request, uuid):
    try:
        merge = actions.merge_by_uuid(uuid)
    except errors.NotFound as error:
        raise_http(error)
    summary = merge_summary(merge)
    return render(request, "web/merging/detail.html", {
        "merge": merge, "summary": summary, "customer": merge.survivor,
        "can_undo": not merge.is_undone and merge.merged_at + undo_window() > timezone.now()})


@requires("customers.merge")
@require_POST
def merge_undo(request, uuid):
    try:
        merge = actions.unmerge(actor=actor(request), merge=actions.merge_by_uuid(uuid))
    except errors.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("The merge was undone: %(count)s customer(s) restored.") % {
            "count": len(merge.report.get("restored", []))})
    return redirect(reverse("web:merge_detail", kwargs={"uuid": uuid}))
