"""The customer page and the forms on it: status changes, deactivate, delete, the message log."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from patron.channels.queries import references_of
from patron.core.permissions import allows
from patron.customers import actions
from patron.customers.models import AddressKind, CustomFieldDefinition, CustomFieldType
from patron.customers.queries import audit_trail, customer_detail
from patron.merging.queries import merges_of
from patron.web.forms.customers import MessageForm, PhotoForm, StatusForm
from patron.web.views.access import actor, requires
from patron.web.views.customer_common import (
    Rejected,
    customer_or_404,
    customer_url,
    perform,
    posted_version,
    submit,
)
from patron.web.views.customer_marketing import consent_section
from patron.web.views.customer_money import money_sections

# The customer page's tabs: (key, label, the ids of the sections each shows, the first one linked).
# A section in no tab (one added later) shows under the first tab.
CUSTOMER_TABS = (
    ("overview", gettext_lazy("Overview"), ("contact-details", "notes")),
    ("details", gettext_lazy("Details"), ("addresses", "custom-fields", "settings")),
    ("purchases", gettext_lazy("Purchases"), ("purchases", "orders")),
    ("account", gettext_lazy("Account"), ("account", "points")),
    ("contacts", gettext_lazy("Contacts"), ("contacts", "representatives")),
    ("messages", gettext_lazy("Messages"), ("messages",)),
    ("marketing", gettext_lazy("Marketing"), ("consent",)),
    ("history", gettext_lazy("History"), ("status", "audit")),
)
ADDRESS_ORDER = {AddressKind.CONTACT: 0, AddressKind.BILLING: 1, AddressKind.SHIPPING: 2}
LOG_LENGTH = 200  # newest messages and audit entries shown on the page


def _custom_field_rows(customer) -> list[tuple[str, str]]:
    """(label, value as text) for every defined field, then values of fields no longer defined."""
    stored = dict(customer.custom_fields)
    rows = []
    for definition in CustomFieldDefinition.objects.all():
        value = stored.pop(definition.key, None)
        if value is None and not definition.is_active:
            continue
        if definition.field_type == CustomFieldType.BOOLEAN and value is not None:
            value = "Yes" if value else "No"
        rows.append((definition.label, "" if value is None else str(value)))
    rows += [(key, str(value)) for key, value in stored.items()]
    return rows


def _audit_rows(events) -> list[tuple]:
    """(event, [(field, old, new)]) leaving out fields that were empty before and after, which
    a creation or deletion lists in full."""
    def shown(value):
        return value not in (None, "", [], {}, False)
    return [(event, [(name, old, new) for name, (old, new) in event.changes.items() if shown(old) or shown(new)])
            for event in events]


def render_detail(request, customer, *, status: int = 200, **forms):
    """The customer page; a sub-form that was refused is passed in bound, with its errors."""
    customer = customer_detail(customer.uuid)  # with everything the page shows prefetched
    addresses = sorted(customer.addresses.all(), key=lambda address: (ADDRESS_ORDER[address.kind], address.pk))
    may_audit = allows(request.user.role, "customers.view_audit")
    context = {
        "customer": customer,
        "customer_tabs": CUSTOMER_TABS,
        "addresses": addresses,
        "has_contact_address": any(address.kind == AddressKind.CONTACT for address in addresses),
        "message_log": customer.messages.all()[:LOG_LENGTH],
        "status_changes": customer.status_changes.all(),
        "custom_fields": _custom_field_rows(customer),
        "channel_references": references_of(customer),
        "audit_rows": _audit_rows(audit_trail(customer)[:LOG_LENGTH]) if may_audit else None,
        "merges": merges_of(customer) if allows(request.user.role, "customers.merge") else None,
        "message_form": MessageForm(),
        "status_form": StatusForm(initial={"status": customer.status, "version": customer.version}),
        "photo_form": PhotoForm(),
        **money_sections(request, customer),
        **consent_section(request, customer),
        **forms,
    }
    return render(request, "web/customers/detail.html", context, status=status)


def save_section_form(request, customer, form, *, form_key: str, section: str, save, done):
    """A form of one section of the customer page. ``save(cleaned_data)`` runs the action through
    ``submit``; then back to the section with the message ``done(result)``. Refused, the page
    comes back with the form (under ``form_key``) showing its errors and what was typed."""
    if form.is_valid():
        try:
            result = save(form.cleaned_data)
        except Rejected:
            pass
        else:
            messages.success(request, done(result))
            return redirect(customer_url(customer, section))
    return render_detail(request, customer, status=422, **{form_key: form})


@requires("customers.view")
def customer_page(request, uuid):
    customer = customer_or_404(uuid)
    if customer.uuid != uuid:  # a merged record's address: the survivor's page (patron/merging)
        return redirect(customer_url(customer))
    return render_detail(request, customer)


@requires("customers.change_status")
@require_POST
def customer_status(request, uuid):
    customer = customer_or_404(uuid)
    form = StatusForm(request.POST)

    def save(data):
        return submit(form, actions.change_status, actor=actor(request), customer=customer, status=data["status"],
                      reason=data["reason"], expected_version=data["version"])

    return save_section_form(request, customer, form, form_key="status_form", section="status", save=save,
                             done=lambda changed: _("Status is now “%(status)s”.") % {
                                 "status": changed.get_status_display()})


@requires("customers.change_status")
@require_POST
def customer_deactivate(request, uuid):
    customer = customer_or_404(uuid)
    if perform(request, actions.deactivate_customer, actor=actor(request), customer=customer,
               reason=request.POST.get("reason", ""), expected_version=posted_version(request)):
        messages.success(request, _("%(name)s is inactive: hidden from the till, history kept.") % {
            "name": customer.name})
    return redirect(customer_url(customer, "status"))


@requires("customers.delete")
@require_POST
def customer_delete(request, uuid):
    customer = customer_or_404(uuid)
    if perform(request, actions.delete_customer, actor=actor(request), customer=customer,
               expected_version=posted_version(request)):
        messages.success(request, _("%(name)s (%(number)s) was deleted.") % {
            "name": customer.name, "number": customer.account_number})
        return redirect("web:customer_list")
    return redirect(customer_url(customer))


@requires("messages.log")
@require_POST
def customer_message_log(request, uuid):
    customer = customer_or_404(uuid)
    form = MessageForm(request.POST)
    return save_section_form(
        request, customer, form, form_key="message_form", section="messages", done=lambda message: _("Message logged."),
        save=lambda data: submit(form, actions.log_message, actor=actor(request), customer=customer, **data))
