"""What a customer's status allows, and where: the one place sales, credit, orders and the till
lookup ask before they act.

    prospect     found at the till, may buy, may buy on account, orders allowed
    active       the same
    credit_hold  found at the till and may pay at once; no sales on account, no orders
    inactive     hidden from the till; no sales at all
    deleted      (entered by mistake) hidden from the till; nothing allowed

Where: a customer is available at a location when one of its location groups covers it. An actor
bound to a store (a staff user or API token with a store, other than an admin) serves only the
customers available there and records sales and orders only there; admins, tokens and users
without a store, and the command line act for the whole shop (docs/permissions.md, "Where").
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.actors import Actor
from patron.core.errors import Conflict, PermissionDenied, RuleViolation
from patron.core.permissions import Role
from patron.customers.models import Customer, CustomerStatus
from patron.locations.models import Location

VISIBLE_AT_TILL = frozenset({CustomerStatus.PROSPECT, CustomerStatus.ACTIVE, CustomerStatus.CREDIT_HOLD})
MAY_BUY = VISIBLE_AT_TILL
MAY_BUY_ON_ACCOUNT = frozenset({CustomerStatus.PROSPECT, CustomerStatus.ACTIVE})
MAY_PLACE_ORDERS = frozenset({CustomerStatus.PROSPECT, CustomerStatus.ACTIVE, CustomerStatus.INACTIVE})

_REASONS = {
    CustomerStatus.CREDIT_HOLD: gettext_lazy("is on credit hold"),
    CustomerStatus.INACTIVE: gettext_lazy("is inactive"),
    CustomerStatus.DELETED: gettext_lazy("was entered by mistake (deleted)"),
}


def locked_for_decision(customer: Customer) -> Customer:
    """The customer as committed now, its row locked (FOR NO KEY UPDATE) until the transaction
    ends: an action deciding from the status (a charge, a sale, an order) holds the row a status
    change must lock, so the change waits for it, and an action that waited re-reads the committed
    row. Lock the customer before its accounts, everywhere, so two actions never wait on each other.
    (On SQLite the transaction's write lock, taken at BEGIN, serialises them.)

    A merged record (a tombstone) stands for its survivor: an action that read the old record
    before a merge committed locks it, sees the committed ``merged_into`` and goes on with the
    survivor, locked too, so a charge or a sale racing a merge lands on the survivor (test L6)."""
    locked = Customer.with_tombstones.select_for_update(no_key=True).get(pk=customer.pk)
    while locked.merged_into_id is not None:
        locked = Customer.with_tombstones.select_for_update(no_key=True).get(pk=locked.merged_into_id)
    return locked


def is_visible_at_till(customer: Customer) -> bool:
    return customer.status in VISIBLE_AT_TILL


def _refuse(customer: Customer, what: str, code: str) -> None:
    reason = _REASONS.get(CustomerStatus(customer.status)) or _("has status %(status)s") % {"status": customer.status}
    raise RuleViolation(_("%(name)s %(reason)s: %(what)s is not allowed.") % {
        "name": customer.name, "reason": reason, "what": what}, code=code)


def check_may_buy(customer: Customer) -> None:
    if customer.status not in MAY_BUY:
        _refuse(customer, _("a sale"), "customer-may-not-buy")


def check_may_buy_on_account(customer: Customer) -> None:
    if customer.status not in MAY_BUY_ON_ACCOUNT:
        _refuse(customer, _("a sale on account"), "customer-may-not-buy-on-account")


def check_may_place_order(customer: Customer) -> None:
    if customer.status not in MAY_PLACE_ORDERS:
        _refuse(customer, _("a new order"), "customer-may-not-order")


def available_at(location: Location | int, customers: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    """The customers (of ``customers``, else all) available at ``location``: one of their location
    groups covers it (``locations.Coverage``). The till's lookup asks the same in its SQL
    (``locations.queries.covering_groups_select``)."""
    covered = Customer.objects.filter(location_groups__coverage__location=location).values("pk")
    return (Customer.objects if customers is None else customers).filter(pk__in=covered)


def store_of(actor: Actor) -> int | None:
    """The id of the store ``actor`` is bound to, or None when it acts for the whole shop."""
    if actor.is_system or actor.role == Role.ADMIN:
        return None
    return actor.location_id


def check_may_serve(actor: Actor, customer: Customer) -> None:
    """A store-bound actor serves only customers available at its store (the till finds no other)."""
    store = store_of(actor)
    if store is not None and not available_at(store).filter(pk=customer.pk).exists():
        raise Conflict(_("%(name)s is not available at this store.") % {"name": customer.name},
                       code="customer-not-available-here")


def check_records_at(actor: Actor, location: Location | None) -> None:
    """A store-bound actor records sales and orders at its own store only."""
    store = store_of(actor)
    if store is not None and (location is None or location.pk != store):
        raise PermissionDenied(_("This till records sales and orders at its own store only."),
                               code="location-not-yours", field="location")
