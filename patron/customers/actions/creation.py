"""Creating customers: one at a time (the UI, the API) or many at once (imports, bulk loads).

Both go the same way: every row is checked by ``prepare_customer`` (the rules of a new record),
then ``_store`` writes the prepared rows together: account numbers, customers, phones, e-mails,
addresses, tags, location groups, the first status, the lookup index and the audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import audit_values, record_events
from patron.core.db import insert_many, insert_values
from patron.core.errors import Conflict, DomainError, ValidationFailed
from patron.core.jsonable import changed_fields
from patron.core.normalize import email_key, phone_digits
from patron.core.permissions import require
from patron.customers.account_numbers import next_account_numbers
from patron.customers.actions.records import (
    clean_addresses,
    snapshot_values,
    sort_name_of,
)
from patron.customers.changes import CreatedRecord, record_creations
from patron.customers.cleaning import TERMS_FIELDS, clean_customer_values, tag_objects
from patron.customers.models import (
    Address,
    Customer,
    CustomerEmail,
    CustomerKind,
    CustomerPhone,
    CustomerSettings,
    CustomerStatus,
    PriceLevel,
    StatusChange,
)
from patron.customers.regions import address_country, phone_region
from patron.customers.search_index import index_customers
from patron.locations.models import Location, LocationGroup
from patron.locations.queries import default_groups, default_location, groups_covering

_KINDS, _STATUSES = frozenset(CustomerKind.values), frozenset(CustomerStatus.values)
# Terms a cashier may leave as they are when creating a customer (anything else needs edit_terms).
_TERMS_DEFAULTS = {"default_discount": ("0", "0.00", 0, None, ""), "is_tax_exempt": (False, None, ""),
                   "is_employee": (False, None, "")}


@dataclass
class Defaults:
    """What a new customer gets when the row does not say: worked out once per call."""

    initial_status: str
    home_location: Location | None
    groups: list[LocationGroup]
    price_level: PriceLevel | None
    store_country: str = ""  # of the store where the customer is typed (customers.regions)

    @classmethod
    def for_actor(cls, actor: Actor) -> Defaults:
        home = Location.objects.filter(pk=actor.location_id).first() if actor.location_id else None
        home = home or default_location()
        groups = list(default_groups()) or (list(groups_covering(home)) if home else [])
        level = PriceLevel.objects.filter(is_default=True).first() or PriceLevel.objects.first()
        return cls(CustomerSettings.objects.get(pk=1).initial_status, home, groups, level,
                   home.effective_country if home else "")


@dataclass
class NewCustomer:
    """A checked row, ready to be written."""

    kind: str
    status: str
    columns: dict
    phones: list[dict] = field(default_factory=list)
    emails: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    groups: list[LocationGroup] = field(default_factory=list)
    addresses: list[dict] = field(default_factory=list)


def prepare_customer(actor: Actor, *, kind: str, values: dict, status: str | None, addresses: list[dict] | None,
                     defaults: Defaults) -> NewCustomer:
    """Check one new customer against every rule; raises a DomainError, writes nothing."""
    require(actor, "customers.create")
    if any(not _is_default_term(field, values[field], defaults) for field in TERMS_FIELDS & set(values)):
        require(actor, "customers.edit_terms")
    if kind not in _KINDS:
        raise ValidationFailed(_("Choose private person, company or placeholder."), field="kind")
    status = status or defaults.initial_status
    if status not in _STATUSES:
        raise ValidationFailed(_("Unknown status."), field="status")
    if status != defaults.initial_status:
        require(actor, "customers.change_status")
    region = phone_region(address_country(addresses or []), defaults.store_country)
    cleaned = clean_customer_values({"price_level": defaults.price_level, **values}, kind=kind,
                                    context={"is_creation": True, "phone_region": region})
    address_values = clean_addresses(addresses or [])
    home = cleaned.pop("home_location", None) or defaults.home_location
    if home is None:
        raise ValidationFailed(_("Create a location first: every customer needs a home location."),
                               field="home_location", code="no-location")
    groups = cleaned.pop("location_groups", None) or defaults.groups or list(groups_covering(home))
    if not groups:
        raise ValidationFailed(_("Choose at least one location group."), field="location_groups")
    phones, emails, tags = (cleaned.pop(name, None) or [] for name in ("phones", "emails", "tags"))
    return NewCustomer(kind=kind, status=status, columns={**cleaned, "home_location": home}, phones=phones,
                       emails=emails, tags=tags, groups=groups, addresses=address_values)


def _is_default_term(field: str, value, defaults: Defaults) -> bool:
    if field == "price_level":
        code = value.code if isinstance(value, PriceLevel) else str(value or "")
        return not code or (defaults.price_level is not None and code.lower() == defaults.price_level.code.lower())
    return value in _TERMS_DEFAULTS[field]


@transaction.atomic
def create_customer(*, actor: Actor, kind: str, values: dict, status: str | None = None,
                    addresses: list[dict] | None = None) -> Customer:
    """Create a customer of ``kind`` from plain ``values`` (see cleaning.CLEANERS for the keys).

    A blank account number takes the next one of the shop's sequence; the home location is the
    actor's store unless given; location groups are the default ones unless given.
    """
    new = prepare_customer(actor, kind=kind, values=values, status=status, addresses=addresses,
                           defaults=Defaults.for_actor(actor))
    _check_typed_numbers_free([new])
    return _store(actor, [new])[0]


@dataclass
class BulkResult:
    created: list[Customer]
    rejected: dict[int, DomainError]  # row index -> why


def check_new_customers(*, actor: Actor, rows: list[dict]) -> list[NewCustomer | DomainError]:
    """Each row (see ``create_customers_in_bulk``) checked as ``create_customer`` checks it: the
    customer ready to be written, or why not. Writes nothing, so it can run ahead of the writing
    in another process (an import's checking workers)."""
    defaults = Defaults.for_actor(actor)
    checked: list[NewCustomer | DomainError] = []
    for row in rows:
        try:
            checked.append(prepare_customer(actor, kind=row.get("kind", ""), values=row.get("values", {}),
                                            status=row.get("status"), addresses=row.get("addresses"),
                                            defaults=defaults))
        except DomainError as error:
            checked.append(error)
    return checked


@transaction.atomic
def create_customers_in_bulk(*, actor: Actor, rows: list[dict],
                             checked: list[NewCustomer | DomainError] | None = None) -> BulkResult:
    """Create many customers in one transaction. Each row is ``{"kind", "values", "status"?,
    "addresses"?}`` and is checked exactly as ``create_customer`` checks it (or was already, by
    ``check_new_customers`` for the same actor: ``checked``); rows that break a rule are left out and reported by
    their index, the others are written together. Account numbers are checked here, at writing."""
    checked = check_new_customers(actor=actor, rows=rows) if checked is None else checked
    prepared = {index: new for index, new in enumerate(checked) if isinstance(new, NewCustomer)}
    rejected = {index: error for index, error in enumerate(checked) if not isinstance(error, NewCustomer)}
    for index in _rows_with_taken_numbers(prepared):
        rejected[index] = _number_taken(prepared.pop(index).columns["account_number"])
    return BulkResult(created=_store(actor, list(prepared.values())), rejected=rejected)


def _number_taken(account_number: str) -> Conflict:
    return Conflict(_("Account number %(account_number)s is already used by another customer.") % {
        "account_number": account_number},
                    field="account_number", code="account-number-taken")


def _rows_with_taken_numbers(prepared: dict[int, NewCustomer]) -> list[int]:
    """Rows whose typed account number is in use already, or typed by an earlier row."""
    typed = {index: new.columns["account_number"].lower() for index, new in prepared.items()
             if new.columns.get("account_number")}
    in_use = set(Customer.objects.annotate(key=Lower("account_number")).filter(key__in=set(typed.values()))
                 .values_list("key", flat=True))
    clashing, seen = [], set()
    for index, key in typed.items():
        if key in in_use or key in seen:
            clashing.append(index)
        seen.add(key)
    return clashing


def _check_typed_numbers_free(news: list[NewCustomer]) -> None:
    clashing = _rows_with_taken_numbers(dict(enumerate(news)))
    if clashing:
        raise _number_taken(news[clashing[0]].columns["account_number"])


def _store(actor: Actor, news: list[NewCustomer]) -> list[Customer]:
    """Write prepared customers and everything that hangs off them, in bulk."""
    if not news:
        return []
    numbers = iter(next_account_numbers(sum(1 for new in news if not new.columns.get("account_number"))))
    customers = []
    for new in news:
        columns = {**new.columns, "account_number": new.columns.get("account_number") or next(numbers)}
        customer = Customer(kind=new.kind, status=new.status, **columns)
        customer.sort_name = sort_name_of(customer)
        customers.append(customer)
    try:
        with transaction.atomic():
            insert_many(customers, batch_rows=1000)
    except IntegrityError:  # someone typed the same number at this very moment
        raise Conflict(_("An account number was taken meanwhile; try again."), field="account_number",
                       code="account-number-taken") from None
    _store_parts(actor, customers, news)
    index_customers(customers, new=True)
    record_creations([CreatedRecord(customer, new.phones, new.emails, new.addresses)
                      for customer, new in zip(customers, news, strict=True)])
    record_events([audit_values(actor=actor, action="customer.created", subject=customer,
                               changes=changed_fields({}, _snapshot_of_new(customer, new)))
                   for customer, new in zip(customers, news, strict=True)])
    return customers


def _store_parts(actor: Actor, customers: list[Customer], news: list[NewCustomer]) -> None:
    pairs = list(zip(customers, news, strict=True))
    insert_values(CustomerPhone, [
        {"customer_id": customer.pk, "kind": phone["kind"], "number": phone["number"], "e164": phone["e164"],
         "digits_reversed": phone_digits(phone["e164"])[::-1], "position": position}
        for customer, new in pairs for position, phone in enumerate(new.phones)])
    insert_values(CustomerEmail, [
        {"customer_id": customer.pk, "kind": email["kind"], "address": email["address"],
         "address_key": email_key(email["address"]), "position": position}
        for customer, new in pairs for position, email in enumerate(new.emails)])
    insert_values(Address, [{"customer_id": customer.pk, **values} for customer, new in pairs
                            for values in new.addresses])
    insert_values(Customer.location_groups.through, [{"customer_id": customer.pk, "locationgroup_id": group.pk}
                                                     for customer, new in pairs for group in new.groups])
    tags = {tag.name.casefold(): tag for tag in tag_objects(sorted({name for new in news for name in new.tags}))}
    for new in news:  # as stored: "vip" typed for the existing tag "VIP" is "VIP"
        new.tags = [tags[name.casefold()].name for name in new.tags]
    insert_values(Customer.tags.through, [{"customer_id": customer.pk, "tag_id": tags[name.casefold()].pk}
                                          for customer, new in pairs for name in new.tags])
    insert_values(StatusChange, [{"customer_id": customer.pk, "from_status": "", "to_status": customer.status,
                                  "reason": "Created", "actor_label": actor.label} for customer in customers])


def _snapshot_of_new(customer: Customer, new: NewCustomer) -> dict:
    return snapshot_values(customer, phones=new.phones, emails=new.emails, tags=new.tags,
                           groups=[group.name for group in new.groups])
