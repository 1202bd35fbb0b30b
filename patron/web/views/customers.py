"""The customer list (search, filters, sort, paging, list or cards, quick edit) and the
create and edit forms."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from patron.core.errors import DomainError
from patron.core.permissions import allows
from patron.core.replicas import reads_from_replica
from patron.customers import actions
from patron.customers.actions import bulk
from patron.customers.models import Address, AddressKind, Customer, CustomerKind, CustomerStatus, Tag
from patron.customers.queries import CustomerFilter, filter_customers
from patron.duplicates.actions import note_created_anyway, note_saved_anyway
from patron.duplicates.entry import candidates_for_change, candidates_for_entry
from patron.lookup.queries import annotated, search_customers
from patron.marketing import actions as marketing
from patron.marketing.queries import segment_customers
from patron.staff.actions import set_user_list_columns
from patron.transfer.exports import (
    FORMATS,
    download,
    export_customers,
    export_file_name,
    list_order,
    list_subject,
)
from patron.web.forms.customers import (
    ALL,
    BULK_ACTIONS,
    CURRENT,
    CUSTOMER_FORMS,
    QUICK_FIELDS,
    BulkForm,
    ColumnsForm,
    CustomerListForm,
    ListColumn,
    QuickEditForm,
    bulk_actions_for,
    columns_shown,
)
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

def _segment(request, form: CustomerListForm):
    """The segment the list is opened as, for those who may see segments."""
    return form.value_of("segment", None) if allows(request.user.role, "segments.manage") else None


def _customer_filter(request, form: CustomerListForm) -> CustomerFilter:
    status = form.value_of("status", CURRENT)
    location = form.value_of("location", None)
    segment = _segment(request, form)
    return CustomerFilter(
        search=form.value_of("q"),
        statuses=() if status in (CURRENT, ALL) else (status,),
        till_only=status == CURRENT,
        kind=form.value_of("kind"),
        location=location,
        tag=form.value_of("tag"),
        sort=form.value_of("sort", "name"),
        among=segment_customers(segment) if segment else None,
    )


# What a column needs loaded with each customer of a page (a fixed number of queries a page).
COLUMN_LOADS = {
    "phone": ("phones",), "email": ("emails",), "tags": ("tags",),
    "city": (Prefetch("addresses", queryset=Address.objects.filter(kind=AddressKind.CONTACT).order_by("id"),
                      to_attr="contact_addresses"),),
}


def _loaded(customers, columns):
    related = [load for column in columns for load in COLUMN_LOADS.get(column.key, ())]
    if any(column.key == "balance" for column in columns):
        customers = customers.select_related("credit_account")
    return customers.prefetch_related(*related)


def _page(request, query: CustomerFilter, columns: list[ListColumn]):
    """A page of the list: with a search term the lookup's best matches (each customer noting what
    matched), otherwise every customer the filters keep, in the chosen order; with what the
    columns shown need (and a card's phone and e-mail)."""
    number = request.GET.get("page")
    if not query.search.strip():
        return Paginator(_loaded(filter_customers(query), columns).prefetch_related(*SHOWN),
                         PAGE_SIZE).get_page(number)
    page = Paginator(search_customers(query, caller=request.user.location), PAGE_SIZE).get_page(number)
    shown = _loaded(Customer.objects.select_related("price_level", "home_location"), columns).prefetch_related(*SHOWN)
    page.object_list = annotated(page.object_list, shown)  # each noting what matched
    return page


@requires("customers.view")
@reads_from_replica
def customer_list(request):
    form = CustomerListForm(request.GET)
    query = _customer_filter(request, form)
    export_formats = [(key, export.label) for key, export in FORMATS.items()]
    columns = columns_shown(request.user)
    context = {"form": form, "page": _page(request, query, columns), "view": form.value_of("view", "list"),
               "columns": columns, "segment": _segment(request, form),
               "columns_form": ColumnsForm(role=request.user.role, initial={
                   "columns": [column.key for column in columns], "back": request.GET.urlencode()}),
               "ranked": bool(query.search.strip()), "export_formats": export_formats,
               "bulk_form": BulkForm(role=request.user.role, formats=export_formats,
                                     initial={"back": request.GET.urlencode()})}
    template = "web/customers/list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"  # typing in the search box replaces only the results
    return render(request, template, context)


@requires("customers.export")
@reads_from_replica
def customer_export(request, format_key):
    """The list as it is filtered, searched and sorted, every page of it, as a file download named
    after what it holds and when."""
    if format_key not in FORMATS:
        raise Http404(_("No such export format."))
    form = CustomerListForm(request.GET)
    query, segment = _customer_filter(request, form), _segment(request, form)
    order = list_order(query, caller=request.user.location)
    pieces = export_customers(actor=actor(request), customers=Customer.objects.all(), order=order,
                              format_key=format_key)
    subject = list_subject(query)
    if segment:  # "segment-regulars-status-all-...": named after the segment, then the filters
        subject = ["segment", segment.name, *subject[1:]]
    return download(pieces, format_key, export_file_name(subject, format_key))


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
        found = candidates_for_change(actor(request), customer, change.values)
        try:
            if found and not request.POST.get("anyway"):  # "Did you mean": the cell asks first
                context["candidates"] = found
                raise Rejected
            with transaction.atomic():
                context["customer"] = submit(form, actions.update_customer, field_map=change.field_map,
                                             actor=actor(request), customer=customer, values=change.values,
                                             expected_version=form.cleaned_data["version"])
                note_saved_anyway(actor=actor(request), customer=customer, candidates=found)
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


# --- bulk actions ---------------------------------------------------------------------------

def _list_url(back: str) -> str:
    """The list with the query string it had (re-encoded: only a query string, never elsewhere)."""
    query = QueryDict(back or "").urlencode()
    return reverse("web:customer_list") + (f"?{query}" if query else "")


def _bulk_sentence(data: dict, count: int) -> str:
    """What the bulk action will do, as the confirmation's question and button."""
    action = data["action"]
    if action == "tag":
        return ngettext("Tag %(count)s customer as “%(tag)s”", "Tag %(count)s customers as “%(tag)s”", count) % {
            "count": count, "tag": data["tag"]}
    if action == "untag":
        return ngettext("Remove the tag “%(tag)s” from %(count)s customer",
                        "Remove the tag “%(tag)s” from %(count)s customers", count) % {
            "count": count, "tag": data["tag"]}
    if action == "status":
        return ngettext("Change the status of %(count)s customer to “%(status)s”",
                        "Change the status of %(count)s customers to “%(status)s”", count) % {
            "count": count, "status": CustomerStatus(data["status"]).label}
    return ngettext("Add %(count)s customer to the segment “%(segment)s”",
                    "Add %(count)s customers to the segment “%(segment)s”", count) % {
        "count": count, "segment": data["segment"].name}


def _run_bulk(request, data: dict, customers: list[Customer]):
    who = actor(request)
    if data["action"] == "tag":
        return bulk.tag_customers(actor=who, customers=customers, tag=data["tag"])
    if data["action"] == "untag":
        return bulk.untag_customers(actor=who, customers=customers, tag=data["tag"])
    if data["action"] == "status":
        return bulk.change_statuses(actor=who, customers=customers, status=data["status"], reason=data["reason"])
    return marketing.add_to_segment(actor=who, segment=data["segment"], customers=customers)


def _report(request, outcome: bulk.BulkOutcome) -> None:
    """The counts of a bulk action, and each customer it could not change with the reason."""
    messages.success(request, _("%(changed)s changed, %(unchanged)s already so, %(refused)s not changed.") % {
        "changed": len(outcome.changed), "unchanged": len(outcome.unchanged), "refused": len(outcome.refused)})
    for customer, reason in outcome.refused:
        messages.error(request, _("%(name)s (%(account)s) was not changed: %(reason)s") % {
            "name": customer.name, "account": customer.account_number, "reason": reason})
    if outcome.left_out:
        messages.warning(request, _("The segment's other rules still leave out: %(names)s.") % {
            "names": ", ".join(customer.name for customer in outcome.left_out)})


@requires("customers.view")
@require_POST
def customer_bulk(request):
    """A bulk action on the customers ticked on the list: an export at once; a change first asks
    for confirmation, then runs (the rules are the actions': ``customers.actions.bulk``)."""
    formats = [(key, export.label) for key, export in FORMATS.items()]
    form = BulkForm(request.POST, role=request.user.role, formats=formats)
    back = _list_url(request.POST.get("back", ""))
    if request.POST.get("action") in BULK_ACTIONS and not dict(bulk_actions_for(request.user.role)).get(
            request.POST["action"]):
        raise PermissionDenied
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect(back)
    data, customers = form.cleaned_data, form.chosen()
    if data["action"] == "export":
        pieces = export_customers(actor=actor(request), customers=Customer.objects.all(), format_key=data["format"],
                                  order=[customer.pk for customer in customers])
        return download(pieces, data["format"], export_file_name(["customers", "selected", len(customers)],
                                                                 data["format"]))
    try:
        segment_tag = marketing.segment_tag(data["segment"]) if data["action"] == "segment" else ""
    except DomainError as error:  # a segment that takes no one by hand: said before asking
        messages.error(request, error.message)
        return redirect(back)
    if not data["confirmed"]:
        return render(request, "web/customers/bulk_confirm.html", {
            "form": form, "customers": customers, "sentence": _bulk_sentence(data, len(customers)),
            "back_url": back, "segment_tag": segment_tag})
    try:
        outcome = _run_bulk(request, data, customers)
    except DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        _report(request, outcome)
    return redirect(back)


@requires("customers.view")
@require_POST
def customer_columns(request):
    """The list's columns the staff user chose, kept for them; "reset" goes back to the defaults."""
    form = ColumnsForm(request.POST, role=request.user.role)
    if form.is_valid():
        columns = [] if "reset" in request.POST else form.cleaned_data["columns"]
        set_user_list_columns(actor=actor(request), user=request.user, columns=columns)
        messages.success(request, _("Columns saved."))
    else:
        messages.error(request, _("Choose columns from the list offered."))
    return redirect(_list_url(request.POST.get("back", "")))
