"""The till page (G16, G17, G19): select a customer, fill the cart, take payment, record the sale.

The store is the user's location; the sale is recorded through ``record_sale`` with the source
"web-till-<store code>". The cart lives in the session and gets its sale number from
``sales.numbers`` with its first line. The payment form posts that number back, so a second
"Complete sale" for the same cart (a double click, a resent form) finds the sale already
recorded and shows it: a sale number is unique per source, so the database cannot hold two.
A cart given up before it was paid leaves its number unused.
"""

from __future__ import annotations

import uuid as uuids
from dataclasses import asdict, dataclass, field

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.core import errors
from patron.core.formats import number_symbols
from patron.core.replicas import reads_from_replica
from patron.customers.models import Contact, Customer
from patron.customers.queries import CustomerFilter, filter_customers, get_customer
from patron.locations.models import Location
from patron.locations.queries import default_location
from patron.lookup.queries import lookup_customers
from patron.sales.actions import percent_discount, price_lines, record_sale
from patron.sales.models import Channel, Sale
from patron.sales.numbers import next_sale_number
from patron.sales.terms import customer_terms
from patron.web.forms import add_domain_errors
from patron.web.forms.sales import ReceiptForm
from patron.web.forms.till import LineForm, TillPaymentForm, TillSearchForm
from patron.web.views.access import actor, raise_http, requires
from patron.web.views.customer_common import Rejected, submit
from patron.web.views.sales import sale_or_404

SESSION_KEY = "till_cart"
SEARCH_RESULTS = 20
LINE_FIELDS = ("description", "sku", "department", "quantity", "unit_price")


@dataclass
class Cart:
    number: str = ""  # the sale number, given with the first line
    customer: str = ""  # uuid of the selected customer
    lines: list[dict] = field(default_factory=list)  # as record_sale takes them (amounts as text)


def _cart(request) -> Cart:
    return Cart(**request.session.get(SESSION_KEY, {}))


def _keep(request, cart: Cart) -> None:
    request.session[SESSION_KEY] = asdict(cart)


def _store(request) -> Location:
    return request.user.location or default_location()


def _source(store: Location) -> str:
    return f"web-till-{store.code}"


def _findable(request):
    """Customers this till may serve: never inactive or deleted ones, only those available at
    the user's store (G24)."""
    return filter_customers(CustomerFilter(till_only=True, available_at=_store(request)))


@reads_from_replica  # the lookup only: the cart's customer and its terms are read from the primary
def _found(request, query: str):
    """What "Select customer" finds as the cashier types: the lookup at this till's store (the
    same customers ``_findable`` keeps), best first, each saying what matched."""
    if not query:
        return []
    return lookup_customers(query, store=_store(request), limit=SEARCH_RESULTS,
                            customers=Customer.objects.prefetch_related("phones"))


def _selected(cart: Cart) -> Customer | None:
    """The cart's customer as stored now (``record_sale`` refuses one who may no longer buy)."""
    try:
        return get_customer(cart.customer) if cart.customer else None
    except errors.NotFound:
        return None


def _buyers(terms) -> list[Contact]:
    return terms.authorized_buyers if terms else []


def _render(request, cart: Cart, *, status: int = 200, line_form=None, payment_form=None):
    customer = _selected(cart)
    terms = customer_terms(customer) if customer else None
    line_totals, totals = price_lines(cart.lines) if cart.lines else ([], None)
    search = TillSearchForm(request.GET)
    query = search.value_of("q").strip()
    discount = terms.default_discount if terms else 0
    line_form = line_form or LineForm(initial={"discount_percent": discount})
    # where the cashier goes next: find the customer, or (once chosen) ring up the lines
    next_input = line_form.fields["description"] if customer or cart.lines else search.fields["q"]
    next_input.widget.attrs["data-autofocus"] = ""
    context = {
        "store": _store(request), "cart": cart, "customer": customer, "terms": terms, "totals": totals,
        "lines": list(zip(cart.lines, line_totals, strict=True)),
        "search_form": search, "query": query, "decimal_sign": number_symbols()[0],
        "results": _found(request, query),
        "line_form": line_form,
        "payment_form": payment_form or TillPaymentForm(initial={"number": cart.number}, buyers=_buyers(terms)),
    }
    template = "web/till/till.html"
    if request.htmx and request.htmx.target == "till-results":
        template += "#results"  # typing in "Select customer" replaces only the results
    return render(request, template, context, status=status)


@requires("sales.record")
def till(request):
    return _render(request, _cart(request))


@requires("sales.record")
@require_POST
def select_customer(request):
    try:
        customer = _findable(request).filter(uuid=uuids.UUID(request.POST.get("customer", ""))).first()
    except ValueError:
        customer = None
    if customer is None:
        messages.error(request, _("That customer cannot be served at this store (inactive, deleted or not "
                                  "available here)."))
    else:
        put_in_cart(request, customer)
    return redirect("web:till")


def put_in_cart(request, customer: Customer) -> bool:
    """Make ``customer`` the cart's customer if this till may serve them (a customer created from
    the till lands here too); False when it may not."""
    if not _findable(request).filter(pk=customer.pk).exists():
        return False
    cart = _cart(request)
    cart.customer = str(customer.uuid)
    _keep(request, cart)
    return True


@requires("sales.record")
@require_POST
def clear_customer(request):
    cart = _cart(request)
    cart.customer = ""
    _keep(request, cart)
    return redirect("web:till")


def _line(data: dict) -> dict:
    """A line as ``record_sale`` takes it, the discount worked out from the percentage."""
    percent = data["discount_percent"] or 0
    discount = percent_discount(data["quantity"], data["unit_price"], percent)
    return {**{name: data[name] for name in ("description", "sku", "department")},
            "quantity": format(data["quantity"], "f"), "unit_price": format(data["unit_price"], "f"),
            "discount": format(discount, "f")}


@requires("sales.record")
@require_POST
def add_line(request):
    cart = _cart(request)
    form = LineForm(request.POST)
    if form.is_valid():
        line, index = _line(form.cleaned_data), len(cart.lines)
        field_map = {f"lines.{index}.{name}": name for name in LINE_FIELDS} | {
            f"lines.{index}.discount": "discount_percent"}
        try:
            submit(form, price_lines, field_map=field_map, lines=[*cart.lines, line])  # the action's checks
        except Rejected:
            pass
        else:
            cart.lines.append(line)
            cart.number = cart.number or next_sale_number(_source(_store(request)))
            _keep(request, cart)
            return redirect("web:till")
    return _render(request, cart, status=422, line_form=form)


@requires("sales.record")
@require_POST
def remove_line(request, index: int):
    cart = _cart(request)
    if index < len(cart.lines):
        del cart.lines[index]
        _keep(request, cart)
    return redirect("web:till")


@requires("sales.record")
@require_POST
def new_sale(request):
    """Give up the cart (its number stays unused)."""
    request.session.pop(SESSION_KEY, None)
    return redirect("web:till")


def _recorded(request, number: str) -> Sale | None:
    """The sale this user already recorded under ``number`` at this till, if any."""
    return Sale.objects.filter(source=_source(_store(request)), number=number,
                               recorded_by=actor(request).label).first()


def _buyer(customer: Customer | None, uuid: str | None) -> Contact | None:
    """The contact of this customer picked as the buyer; ``record_sale`` checks that the contact
    is active and may buy on the account."""
    if not customer or not uuid:
        return None
    try:
        return customer.contacts.filter(uuid=uuids.UUID(uuid)).first()
    except ValueError:
        return None


def _record(request, cart: Cart, form: TillPaymentForm) -> Sale | None:
    """Record the cart as a sale; a refusal lands on the payment form (None is returned)."""
    payments, field_map = form.payments()
    store, customer = _store(request), _selected(cart)
    if cart.customer and customer is None:
        form.add_error(None, _("The selected customer no longer exists: select the customer again."))
        return None
    buyer = _buyer(customer, form.cleaned_data.get("bought_by"))
    if buyer is None and form.cleaned_data.get("bought_by"):
        form.add_error("bought_by", _("The buyer must be an active contact of the customer."))
        return None
    try:
        return record_sale(actor=actor(request), source=_source(store), number=cart.number, location=store,
                           lines=cart.lines, payments=payments, customer=customer, bought_by=buyer,
                           channel=Channel.POS)
    except errors.DomainError as error:
        raise_http(error)
        # "sale-number-taken": the same cart was sent twice at the same moment and the other won
        recorded = _recorded(request, cart.number) if error.code == "sale-number-taken" else None
        if recorded is None:
            add_domain_errors(form, error, field_map)
        return recorded


@requires("sales.record")
@require_POST
def complete_sale(request):
    cart = _cart(request)
    customer = _selected(cart)
    form = TillPaymentForm(request.POST, buyers=_buyers(customer_terms(customer) if customer else None))
    if form.is_valid() and form.cleaned_data["number"] != cart.number:
        recorded = _recorded(request, form.cleaned_data["number"])
        if recorded is not None:  # sent again after it was recorded: show it, record nothing
            return redirect("web:till_done", recorded.uuid)
        messages.error(request, _("The cart changed since this payment was entered: check it and pay again."))
        return redirect("web:till")
    if not cart.lines:  # nothing to pay for (the cart's number comes with its first line)
        form.fields["number"].required = False  # so it does not answer "This field is required."
        form.full_clean()
        form.add_error(None, _("The cart is empty: add a line (a description and a unit price) before "
                               "completing the sale."))
        return _render(request, cart, status=422, payment_form=form)
    sale = _record(request, cart, form) if form.is_valid() else None
    if sale is None:
        return _render(request, cart, status=422, payment_form=form)
    request.session.pop(SESSION_KEY, None)
    return redirect("web:till_done", sale.uuid)


@requires("sales.record")
def sale_done(request, uuid):
    """The confirmation: the sale number, the sale, its receipt, and the next sale."""
    sale = sale_or_404(uuid)
    return render(request, "web/till/done.html", {"sale": sale, "receipt_form": ReceiptForm()})
