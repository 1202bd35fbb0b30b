"""The customer list (search, filters, sort, paging, list or cards, quick edit) and the
create and edit forms."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from patron.core.errors import DomainError
from patron.core.permissions import allows
from patron.customers import actions
from patron.customers.models import Customer, CustomerKind, Tag
from patron.customers.queries import CustomerFilter, filter_customers
from patron.duplicates.actions import note_created_anyway, note_saved_anyway
from patron.duplicates.entry import candidates_for_change, candidates_for_entry
from patron.lookup.queries import annotated, search_customers
from patron.transfer.exports import FORMATS, customers_matching, download, export_customers
from patron.web.forms.customers import ALL, CURRENT, CUSTOMER_FORMS, QUICK_FIELDS, CustomerListForm, QuickEditForm
from patron.web.views.access import actor, raise_http, requires
from patron.web.views.customer_common import Rejected, customer_landing, customer_or_404, submit
from patron.web.views.till import put_in_cart

PAGE_SIZE = 25
SHOWN = ("phones", "emails")  # what a row or card shows besides the customer's own fields
# The section a new customer's page opens on (E11).
FIRST_SECTION = {CustomerKind.PERSON: "contact-details", CustomerKind.COMPANY: "contact-details",
                 CustomerKind.PLACEHOLDER: "notes"}
KIND_CHOICES = [
    (CustomerKind.PERSON, gettext_lazy("Private person"),
     gettext_lazy("A consumer: first and last name, phones, e-mail, home address.")),
    (CustomerKind.COMPANY, gettext_lazy("Company"),
     gettext_lazy("A business: company name, phone, business address and representatives.")),
    (CustomerKind.PLACEHOLDER, gettext_lazy("Placeholder"),
     gettext_lazy("A walk-in record: a name and a customer number.")),
]
# A new customer's page title and button, whole sentences per kind (a kind's word changes with its gender).
NEW_KIND = {
    CustomerKind.PERSON: (gettext_lazy("New private person"), gettext_lazy("Create private person")),
    CustomerKind.COMPANY: (gettext_lazy("New company"), gettext_lazy("Create company")),
    CustomerKind.PLACEHOLDER: (gettext_lazy("New placeholder"), gettext_lazy("Create placeholder")),
}


# --- the list -------------------------------------------------------------------------------

def _customer_filter(form: CustomerListForm) -> CustomerFilter:
    status = form.value_of("status", CURRENT)
    location = form.value_of("location", None)
    return CustomerFilter(
        search=form.value_of("q"),
        statuses=() if status in (CURRENT, ALL) else (status,),
        till_only=status == CURRENT,
        kind=form.value_of("kind"),
        location=location,
        tag=form.value_of("tag"),
        sort=form.value_of("sort", "name"),
    )


def _page(request, query: CustomerFilter):
    """A page of the list: with a search term the lookup's best matches (each customer noting what
    matched), otherwise every customer the filters keep, in the chosen order."""
    number = request.GET.get("page")
    if not query.search.strip():
        return Paginator(filter_customers(query).prefetch_related(*SHOWN), PAGE_SIZE).get_page(number)
    page = Paginator(search_customers(query, caller=request.user.location), PAGE_SIZE).get_page(number)
    shown = Customer.objects.select_related("price_level", "home_location").prefetch_related(*SHOWN)
    page.object_list = annotated(page.object_list, shown)  # each noting what matched
    return page


@requires("customers.view")
def customer_list(request):
    form = CustomerListForm(request.GET)
    query = _customer_filter(form)
    context = {"form": form, "page": _page(request, query), "view": form.value_of("view", "list"),
               "ranked": bool(query.search.strip()),
               "export_formats": [(key, export.label) for key, export in FORMATS.items()]}
    template = "web/customers/list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"  # typing in the search box replaces only the results
    return render(request, template, context)


@requires("customers.export")
def customer_export(request, format_key):
    """The list as it is filtered and searched, every page of it, as a file download."""
    if format_key not in FORMATS:
        raise Http404(_("No such export format."))
    query = _customer_filter(CustomerListForm(request.GET))
    return download(export_customers(actor=actor(request), customers=customers_matching(query),
                                     format_key=format_key), format_key)


@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_quick_edit(request, uuid, field):
    """Inline edit of one list cell (G12): GET gives the input, POST saves it, ``?cancel``
    gives the cell back unchanged. Without htmx the edit page does the same job."""
    if field not in QUICK_FIELDS:
        raise Http404(_("No such field."))
    customer = customer_or_404(uuid)
    if not request.htmx:
        return redirect("web:customer_edit", customer.uuid)
    context = {"customer": customer, "field": field}
    if request.method == "GET":
        if "cancel" in request.GET:
            return render(request, "web/customers/list.html#quick_display", context)
        context["quick_form"] = QuickEditForm(customer=customer, field_name=field)
        return render(request, "web/customers/list.html#quick_form", context)
    form = QuickEditForm(request.POST, customer=customer, field_name=field)
    if form.is_valid():
        change = form.customer_input()
        try:
            context["customer"] = submit(form, actions.update_customer, field_map=change.field_map,
                                         actor=actor(request), customer=customer, values=change.values,
                                         expected_version=form.cleaned_data["version"])
        except Rejected:
            pass
        else:
            return render(request, "web/customers/list.html#quick_display", context)
    context["quick_form"] = form
    return render(request, "web/customers/list.html#quick_form", context, status=422)


# --- creating -------------------------------------------------------------------------------

@requires("customers.create")
def customer_new(request):
    """First step of "New customer": choose the kind (E02)."""
    return render(request, "web/customers/new.html", {"kinds": KIND_CHOICES})


@requires("customers.create")
@require_http_methods(["GET", "POST"])
def customer_create(request, kind):
    form_class = CUSTOMER_FORMS.get(kind)
    if form_class is None:
        raise Http404(_("No such kind of customer."))
    form = form_class(request.POST or None, role=request.user.role)
    candidates = []
    if form.is_bound and form.is_valid():
        try:
            customer = _create(request, form, anyway=bool(request.POST.get("anyway")))
        except Rejected:
            pass
        except LikelyDuplicates as found:
            candidates = found.candidates
        else:
            messages.success(request, _("%(name)s was created with account number %(number)s.") % {
                "name": customer.name, "number": customer.account_number})
            # created from the till's "nothing found": back to the till, the customer in the cart
            if request.GET.get("for") == "till" and allows(request.user.role, "sales.record") and put_in_cart(
                    request, customer):
                return redirect("web:till")
            return redirect(customer_landing(customer, FIRST_SECTION[kind]))
    new_title, create_label = NEW_KIND[kind]
    context = {"form": form, "kind": kind, "kind_label": CustomerKind(kind).label, "new_title": new_title,
               "create_label": create_label, "tags": Tag.objects.all(), "candidates": candidates}
    status = 200 if candidates or not form.is_bound else 422
    return render(request, "web/customers/form.html", context, status=status)


class LikelyDuplicates(Exception):
    """Customers likely the same exist: the form asks "Did you mean ...?" before creating."""

    def __init__(self, candidates):
        super().__init__()
        self.candidates = candidates


def _create(request, form, *, anyway: bool):
    """The customer and, for a company, its new representative: both or neither (E06/E07). Likely
    duplicates are shown first; "create anyway" creates and keeps them in the audit trail."""
    new = form.customer_input()
    candidates = candidates_for_entry(actor(request), kind=form.kind, values=new.values, addresses=new.addresses)
    if candidates and not anyway:
        raise LikelyDuplicates(candidates)
    representative = form.representative()
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the representative can still be checked after a refusal
                customer = submit(form, actions.create_customer, field_map=new.field_map, actor=actor(request),
                                  kind=form.kind, values=new.values, status=new.status, addresses=new.addresses)
        except Rejected:
            if representative is not None:
                _check_representative(request, form, representative, new.values)
            raise
        note_created_anyway(actor=actor(request), customer=customer, candidates=candidates)
        if representative is not None:
            submit(form, actions.add_representative, field_map=representative.field_map, actor=actor(request),
                   company=customer, person_values=representative.values, role=representative.role)
    return customer


class _NothingKept(Exception):
    """Ends a trial run inside a savepoint, undoing it."""


def _check_representative(request, form, representative, company_values: dict) -> None:
    """The company was refused: try its representative too (undone), so that one submit shows
    every error of both instead of the representative's only after the company's are fixed."""
    values = {name: company_values[name] for name in ("home_location", "location_groups") if name in company_values}
    try:
        with transaction.atomic():
            actions.create_customer(actor=actor(request), kind=CustomerKind.PERSON,
                                    values={**values, **representative.values})
            raise _NothingKept
    except _NothingKept:
        pass
    except DomainError as error:
        raise_http(error)
        for field, messages_of_field in error.errors.items():
            if field in representative.field_map:  # the company's own fields already say theirs
                for message in messages_of_field:
                    form.add_error(representative.field_map[field], message)


# --- editing --------------------------------------------------------------------------------

@requires("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_edit(request, uuid):
    customer = customer_or_404(uuid)
    form = CUSTOMER_FORMS[customer.kind](request.POST or None, role=request.user.role, customer=customer)
    candidates = []
    if form.is_bound and form.is_valid():
        change = form.customer_input()
        found = candidates_for_change(actor(request), customer, change.values)
        anyway = bool(request.POST.get("anyway"))
        try:
            if found and not anyway:
                candidates = found
                raise Rejected
            with transaction.atomic():
                submit(form, actions.update_customer, field_map=change.field_map, actor=actor(request),
                       customer=customer, values=change.values, expected_version=form.cleaned_data.get("version"))
                note_saved_anyway(actor=actor(request), customer=customer, candidates=found)
        except Rejected:
            pass
        else:
            messages.success(request, _("Changes saved."))
            return redirect(customer_landing(customer, FIRST_SECTION[customer.kind]))
    context = {"form": form, "customer": customer, "kind": customer.kind,
               "kind_label": customer.get_kind_display(), "tags": Tag.objects.all(), "candidates": candidates}
    status = 200 if candidates or not form.is_bound else 422
    return render(request, "web/customers/form.html", context, status=status)
