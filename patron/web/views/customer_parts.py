"""The parts of a customer edited on small pages of their own: addresses, contacts and
representatives. Each page posts back to itself and returns to its section of the customer page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from patron.customers import actions
from patron.customers.models import Address, AddressKind, Contact, CustomerKind
from patron.customers.queries import CustomerFilter
from patron.lookup.queries import load_found, search_customers
from patron.web.forms.customers import (
    ADDRESS_PARTS,
    AddressForm,
    ContactForm,
    CustomerListForm,
    LinkRepresentativeForm,
    RepresentativeForm,
)
from patron.web.views.access import actor, requires
from patron.web.views.customer_common import (
    Rejected,
    customer_or_404,
    customer_url,
    perform,
    posted_version,
    submit,
)

LINK_CANDIDATES = 20


def _form_page(request, customer, form, *, title: str, section: str, save, done: str):
    """A small page with one form; ``save()`` runs the action once the form is valid."""
    if form.is_bound and form.is_valid():
        try:
            save()
        except Rejected:
            pass
        else:
            messages.success(request, done)
            return redirect(customer_url(customer, section))
    context = {"customer": customer, "form": form, "title": title, "section": section}
    return render(request, "web/customers/part_form.html", context, status=422 if form.is_bound else 200)


# --- addresses ------------------------------------------------------------------------------

def _free_kind(customer) -> str:
    """The kind a new address most likely is: contact first, then billing, then a worksite."""
    taken = set(customer.addresses.values_list("kind", flat=True))
    return next(kind for kind in (AddressKind.CONTACT, AddressKind.BILLING, AddressKind.SHIPPING)
                if kind == AddressKind.SHIPPING or kind not in taken)


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def address_add(request, uuid):
    customer = customer_or_404(uuid)
    form = AddressForm(request.POST or None, initial={"kind": _free_kind(customer)})
    return _form_page(request, customer, form, title=_("Add an address"), section="addresses", done=_("Address added."),
                      save=lambda: submit(form, actions.add_address, actor=actor(request), customer=customer,
                                          values=form.values()))


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def address_edit(request, uuid, address_uuid):
    customer = customer_or_404(uuid)
    address = get_object_or_404(Address, uuid=address_uuid, customer=customer)
    initial = {name: getattr(address, name) for name in ("kind", "label", "version", *ADDRESS_PARTS)}
    form = AddressForm(request.POST or None, initial=initial)
    return _form_page(request, customer, form, title=_("Edit the %(kind)s address") % {
                          "kind": address.get_kind_display().lower()},
                      section="addresses", done=_("Address saved."),
                      save=lambda: submit(form, actions.update_address, actor=actor(request), address=address,
                                          values=form.values(), expected_version=form.cleaned_data["version"]))


@requires("customers.edit")
@require_POST
def address_remove(request, uuid, address_uuid):
    customer = customer_or_404(uuid)
    address = get_object_or_404(Address, uuid=address_uuid, customer=customer)
    if perform(request, actions.remove_address, actor=actor(request), address=address,
               expected_version=posted_version(request)):
        messages.success(request, _("Address removed."))
    return redirect(customer_url(customer, "addresses"))


@requires("customers.edit")
@require_POST
def address_copy_to_billing(request, uuid):
    customer = customer_or_404(uuid)
    if perform(request, actions.copy_contact_address_to_billing, actor=actor(request), customer=customer):
        messages.success(request, _("The contact address was copied to the billing address."))
    return redirect(customer_url(customer, "addresses"))


# --- contacts -------------------------------------------------------------------------------

@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def contact_add(request, uuid):
    customer = customer_or_404(uuid)
    form = ContactForm(request.POST or None)
    return _form_page(request, customer, form, title=_("Add a contact"), section="contacts", done=_("Contact added."),
                      save=lambda: submit(form, actions.add_contact, actor=actor(request), customer=customer,
                                          values=form.values()))


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def contact_edit(request, uuid, contact_uuid):
    customer = customer_or_404(uuid)
    contact = get_object_or_404(Contact, uuid=contact_uuid, customer=customer)
    initial = {name: getattr(contact, name) for name in ContactForm.base_fields}
    form = ContactForm(request.POST or None, initial=initial)
    return _form_page(request, customer, form, title=_("Edit contact %(name)s") % {"name": contact}, section="contacts",
                      done=_("Contact saved."),
                      save=lambda: submit(form, actions.update_contact, actor=actor(request), contact=contact,
                                          values=form.values(), expected_version=form.cleaned_data["version"]))


@requires("customers.edit")
@require_POST
def contact_set_active(request, uuid, contact_uuid):
    """Deactivate a contact who moved on, or bring one back (T14)."""
    customer = customer_or_404(uuid)
    contact = get_object_or_404(Contact, uuid=contact_uuid, customer=customer)
    active = request.POST.get("is_active") == "true"
    if perform(request, actions.update_contact, actor=actor(request), contact=contact,
               values={"is_active": active}, expected_version=posted_version(request)):
        done = _("%(name)s is active.") if active else _("%(name)s is inactive.")
        messages.success(request, done % {"name": contact})
    return redirect(customer_url(customer, "contacts"))


# --- representatives ------------------------------------------------------------------------

def _company_or_404(uuid):
    company = customer_or_404(uuid)
    if company.kind != CustomerKind.COMPANY:
        raise Http404(_("Only a company has representatives."))
    return company


@requires("customers.create")
@require_http_methods(["GET", "POST"])
def representative_add(request, uuid):
    """A new person, created as a customer of their own and linked to the company (E06/E07)."""
    company = _company_or_404(uuid)
    form = RepresentativeForm(request.POST or None)

    def save():
        new = form.representative()
        submit(form, actions.add_representative, field_map=new.field_map, actor=actor(request), company=company,
               person_values=new.values, role=new.role)

    return _form_page(request, company, form, title=_("Add a representative"), section="representatives",
                      done=_("Representative added."), save=save)


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def representative_link(request, uuid):
    """Find a person who is already a customer and link them to the company."""
    company = _company_or_404(uuid)
    form = LinkRepresentativeForm(request.POST or None)
    if form.is_bound and form.is_valid():
        person = customer_or_404(form.cleaned_data["person"])
        try:
            submit(form, actions.link_representative, field_map={"person": "role"}, actor=actor(request),
                   company=company, person=person, role=form.cleaned_data["role"])
        except Rejected:
            pass
        else:
            messages.success(request, _("%(person)s now represents %(company)s.") % {
                "person": person.name, "company": company.name})
            return redirect(customer_url(company, "representatives"))
    query = CustomerListForm(request.GET).value_of("q")  # the list's search box: same checks
    context = {"customer": company, "form": form, "q": query, "candidates": _people_to_link(company, query)}
    return render(request, "web/customers/link_representative.html", context, status=422 if form.is_bound else 200)


def _people_to_link(company, query: str) -> list:
    """Persons the search finds, best first, leaving out those who already represent the company."""
    if not query.strip():
        return []
    linked = set(company.representations.values_list("person_id", flat=True))
    hits = [hit for hit in search_customers(CustomerFilter(search=query, kind=CustomerKind.PERSON))
            if hit.customer_id not in linked]
    return [found.customer for found in load_found(hits[:LINK_CANDIDATES])]


@requires("customers.edit")
@require_POST
def representative_unlink(request, uuid, person_uuid):
    company = _company_or_404(uuid)
    person = customer_or_404(person_uuid)
    if perform(request, actions.unlink_representative, actor=actor(request), company=company, person=person):
        messages.success(request, _("%(person)s no longer represents %(company)s.") % {
            "person": person.name, "company": company.name})
    return redirect(customer_url(company, "representatives"))
