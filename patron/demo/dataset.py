"""The demo data set: a shop with a store at home, one in the north, one in the Netherlands and one
in Germany, a few hundred customers of every kind, and a year of their trading (``history``).

Everything is created through the domain actions, so it is validated and audited exactly like data
staff type in. ``load_demo`` runs in one transaction: the data set loads completely or not at all.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from patron.core.actors import Actor
from patron.core.errors import NotFound
from patron.core.permissions import Role
from patron.customers import actions
from patron.customers.account_numbers import account_number_taken
from patron.customers.models import Customer, CustomerKind, CustomerStatus, CustomFieldDefinition
from patron.demo.history import TradingSummary, record_a_year_of_trading
from patron.demo.values import LOCALES, DemoValues
from patron.locations.actions import create_location, save_location_group, update_location
from patron.locations.models import Location, LocationGroup, LocationKind
from patron.locations.queries import default_location, get_location_by_code
from patron.staff.actions import create_user
from patron.staff.models import User

DEFAULT_COUNT = 300
DEFAULT_SEED = 2026

# Staff accounts made for a database that has none: (username, role, works at the main store).
DEMO_USERS = (("admin", Role.ADMIN, False), ("manager", Role.MANAGER, True), ("cashier", Role.CASHIER, True))

CUSTOM_FIELDS = (
    {"key": "preferred_contact_time", "label": "Preferred contact time", "field_type": "choice",
     "choices": ["Morning", "Afternoon", "Evening"], "position": 1,
     "help_text": "When the customer likes to be called."},
    {"key": "shoe_size", "label": "Shoe size", "field_type": "number", "position": 2,
     "help_text": "EU size."},
)
PLACEHOLDERS = (
    {"name": "Walk-in customer", "account_number": "WALKIN", "track_sales": False,
     "notes": "Counter sales to people who give no name. Their sales are not tracked."},
    {"name": "Cash sale with invoice", "account_number": "INVOICE", "always_formal_invoice": True,
     "notes": "Anonymous buyers who need a formal invoice: always issue one."},
    {"name": "Webshop guest", "account_number": "WEBGUEST", "notes": "Guest check-outs from the webshop."},
)
PERSON_TAGS = {"Newsletter": 0.35, "Loyalty club": 0.2, "Online": 0.15, "VIP": 0.08}
COMPANY_TAGS = {"Wholesale": 0.45, "Newsletter": 0.3, "Trade account": 0.25}
PERSON_STATUSES = {CustomerStatus.ACTIVE: 80, CustomerStatus.PROSPECT: 9, CustomerStatus.CREDIT_HOLD: 3,
                   CustomerStatus.INACTIVE: 8}
COMPANY_STATUSES = {CustomerStatus.ACTIVE: 70, CustomerStatus.PROSPECT: 12, CustomerStatus.CREDIT_HOLD: 12,
                    CustomerStatus.INACTIVE: 6}
STATUS_REASONS = {
    CustomerStatus.CREDIT_HOLD: ("Credit check requested by accounts", "Two invoices overdue",
                                 "Bank details being verified"),
    CustomerStatus.INACTIVE: ("Moved away", "Asked to be removed from active customers",
                              "No purchase in three years"),
}
SHOE_SIZES = ("36", "37", "38", "39", "40", "41", "42", "42.5", "43", "44", "45", "46")
REPRESENTATIVE_ROLES = ("Owner", "Managing director", "Purchasing", "Store manager")
WORKSITES = ("Warehouse", "Workshop", "Site office", "Branch shop")
# (channel, direction, subject, text) of messages logged on some customers.
MESSAGES = (
    ("phone", "inbound", "Asked about opening hours", "Wanted to know if we open on the public holiday."),
    ("email", "outbound", "Order ready for pick-up", "Told the customer the special order arrived."),
    ("in_person", "inbound", "Returned a damaged item", "Exchanged it on the spot; the customer was happy."),
    ("email", "outbound", "Invitation to the spring sale", "Sent the invitation with the preview date."),
    ("sms", "outbound", "Repair finished", "The repair is done and can be collected."),
    ("phone", "outbound", "Reminder: overdue invoice", "Reminded them of the open invoice; they will pay."),
    ("letter", "outbound", "Annual statement", "Posted the statement of the year's purchases."),
)


@dataclass
class DemoSummary:
    """What a load created: customers by kind, representatives counted apart from persons."""

    kinds: Counter = field(default_factory=Counter)
    trading: TradingSummary = field(default_factory=TradingSummary)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


# Stores abroad: (code, name, country, time zone, Faker locale of their customers).
FOREIGN_STORES = (("AMS", "Amsterdam store", "NL", "Europe/Amsterdam", "nl_NL"),
                  ("BER", "Berlin store", "DE", "Europe/Berlin", "de_DE"))
# Of every ten private persons, these are typed at a store abroad (index in FOREIGN_STORES), so
# even a small data set has local customers there.
FOREIGN_SLOTS = {4: 0, 9: 1}


@dataclass(frozen=True)
class Shop:
    """The second store, where some demo customers live, available there only (its own group),
    and the stores abroad with the locale of their customers."""

    north_store: Location
    north_group: LocationGroup
    foreign_stores: tuple[tuple[Location, str], ...] = ()


def load_demo(*, actor: Actor, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED,
              history: bool = True) -> DemoSummary:
    """Create ``count`` customers (representatives included) and, with ``history``, a year of
    their sales, payments and orders; returns how many of each were made."""
    with transaction.atomic():
        started = timezone.now()
        values = DemoValues(seed, settings.PATRON_PHONE_REGION)
        builder = _Builder(actor, values, _prepare_shop(actor))
        for kind, representatives in plan(count, values):
            builder.create(kind, representatives)
        if history:
            builder.summary.trading = record_a_year_of_trading(actor=actor, values=values, customers=builder.created,
                                                               loaded_since=started)
        builder.give_statuses()
        return builder.summary


def plan(count: int, values: DemoValues) -> list[tuple[str, int]]:
    """(kind, number of representatives) of each customer to create, adding up to ``count``."""
    placeholders = min(len(PLACEHOLDERS), max(1, count // 20), count)
    companies = count // 12
    left = count - placeholders - companies
    entries = []
    for _ in range(companies):
        representatives = min(values.rng.randint(1, 3), left)
        left -= representatives
        entries.append((CustomerKind.COMPANY, representatives))
    entries += [(CustomerKind.PERSON, 0)] * left
    values.rng.shuffle(entries)
    return [(CustomerKind.PLACEHOLDER, 0)] * placeholders + entries


def create_demo_users(*, actor: Actor) -> list[tuple[str, str, str]]:
    """When no staff user exists, create an admin, a manager and a cashier with generated
    passwords; returns (username, role, password) of each, the only time a password is seen."""
    if User.objects.exists():
        return []
    store = default_location()
    created = []
    for username, role, at_store in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        create_user(actor=actor, username=username, password=password, role=role,
                    location=store if at_store else None)
        created.append((username, role, password))
    return created


# --- the shop ---------------------------------------------------------------------------------

def _prepare_shop(actor: Actor) -> Shop:
    """A second store under a branch, with its own location group, a Dutch and a German store,
    and the demo custom fields. Parts that exist already (from an earlier load) are reused. The
    head office gets the installation's country when it has none, so the stores at home have one."""
    company = _location(actor, "HQ", "Head office", LocationKind.COMPANY, parent=None)
    if not company.country:
        company = update_location(actor=actor, location=company, country=settings.PATRON_PHONE_REGION)
    if default_location() is None:  # customers need a home; normally the migration made one
        _location(actor, "S01", "Main store", LocationKind.STORE, parent=company)
    branch = _location(actor, "NORTH", "North region", LocationKind.BRANCH, parent=company)
    north_store = _location(actor, "S02", "Harbour store", LocationKind.STORE, parent=branch)
    north_group = (LocationGroup.objects.filter(name="North region stores").first()
                   or save_location_group(actor=actor, name="North region stores", locations=[branch]))
    for definition in CUSTOM_FIELDS:
        if not CustomFieldDefinition.objects.filter(key=definition["key"]).exists():
            actions.save_custom_field(actor=actor, **definition)
    foreign = tuple((_location(actor, code, name, LocationKind.STORE, parent=company, country=country,
                               time_zone=time_zone), locale)
                    for code, name, country, time_zone, locale in FOREIGN_STORES)
    return Shop(north_store=north_store, north_group=north_group, foreign_stores=foreign)


def _location(actor: Actor, code: str, name: str, kind: str, *, parent: Location | None,
              country: str = "", time_zone: str = "") -> Location:
    try:
        return get_location_by_code(code)
    except NotFound:
        return create_location(actor=actor, code=code, name=name, kind=kind, parent=parent, country=country,
                               time_zone=time_zone)


# --- customers --------------------------------------------------------------------------------

class _Builder:
    """Creates demo customers one by one, drawing every choice from ``values``."""

    def __init__(self, actor: Actor, values: DemoValues, shop: Shop):
        self.actor, self.values, self.shop = actor, values, shop
        self.summary = DemoSummary()
        self.placeholders = iter(PLACEHOLDERS)
        self.persons = 0
        self.created: list[tuple[Customer, str]] = []  # each with the status it gets after its history

    def create(self, kind: str, representatives: int) -> None:
        if kind == CustomerKind.PLACEHOLDER:
            self._placeholder()
        elif kind == CustomerKind.COMPANY:
            self._company(representatives)
        else:
            self._person()
        self.summary.kinds[kind] += 1

    def _placeholder(self) -> None:
        values = dict(next(self.placeholders))
        if account_number_taken(values["account_number"]):  # loaded before: take the next number
            values.pop("account_number")
        customer = actions.create_customer(actor=self.actor, kind=CustomerKind.PLACEHOLDER, values=values)
        self.created.append((customer, customer.status))

    def _person(self) -> None:
        v = self.values
        slot = FOREIGN_SLOTS.get(self.persons % 10)
        self.persons += 1
        actor, locale, local = self.actor, v.locale(), False
        if slot is not None and slot < len(self.shop.foreign_stores):
            # Typed at the store abroad: a local name, address and a nationally written phone,
            # which the store's (or the address's) country reads.
            store, locale = self.shop.foreign_stores[slot]
            actor, local = dataclasses.replace(self.actor, location_id=store.pk), True
        first, prefix, last = v.person_name_with_prefix(locale)
        values = {"first_name": first, "name_prefix": prefix, "last_name": last,
                  "phones": self._phones(locale, {"mobile": 0.85, "home": 0.3}, national=local),
                  "emails": [{"kind": "personal", "address": v.email(first, f"{prefix} {last}".strip())}]
                  if v.chance(0.75) else [],
                  "tags": self._tags(PERSON_TAGS), "custom_fields": self._custom_values()}
        if v.chance(0.6):
            values["birth_date"] = v.birth_date()
        if v.chance(0.15):
            values["notes"] = v.sentence()
        if "VIP" in values["tags"]:
            values["default_discount"] = v.pick(("5", "7.5", "10"))
        if v.chance(0.02):
            values.update(is_employee=True, price_level="C", default_discount="15")
        if not local and v.chance(0.12):
            values.update(home_location=self.shop.north_store, location_groups=[self.shop.north_group])
        addresses = self._addresses(locale, contact=0.85, billing=0.08, shipping=0.08)
        customer = self._create(CustomerKind.PERSON, values, addresses, PERSON_STATUSES, actor=actor)
        if v.chance(0.12):
            self._contact(customer, locale, v.pick(("Spouse", "Partner")), buyer=v.chance(0.6))
        if v.chance(0.05):
            self._contact(customer, locale, "Child", buyer=v.chance(0.3))
        self._messages(customer, probability=0.1)

    def _company(self, representatives: int) -> None:
        v = self.values
        locale = v.locale()
        country = LOCALES[locale]
        name = v.company_name(locale)
        domain = v.company_domain(name)
        tags = self._tags(COMPANY_TAGS)
        values = {"name": name, "tags": tags, "phones": self._phones(locale, {"work": 1, "fax": 0.1}),
                  "emails": [{"kind": "work", "address": f"info@{domain}"}]}
        if v.chance(0.4):
            values["emails"].append({"kind": "billing", "address": f"invoices@{domain}"})
        if v.chance(0.8):
            values.update(tax_id=v.tax_id(country), tax_id_country=country, is_tax_exempt=v.chance(0.05))
        if "Wholesale" in tags:
            values.update(price_level="B", default_discount=v.pick(("0", "2.5", "5")))
        if v.chance(0.3):
            values["notes"] = v.sentence()
        if v.chance(0.1):
            values.update(home_location=self.shop.north_store, location_groups=[self.shop.north_group])
        company = self._create(CustomerKind.COMPANY, values, [v.address(locale, "contact")], COMPANY_STATUSES)
        self._company_addresses(company, locale)
        for _ in range(representatives):
            self._representative(company, locale, domain)
        if v.chance(0.7):
            self._contact(company, locale, "Accounts payable", buyer=False, domain=domain)
        if v.chance(0.4):
            self._contact(company, locale, "Buyer", buyer=True, domain=domain)
        self._messages(company, probability=0.2)

    def _representative(self, company: Customer, locale: str, domain: str) -> None:
        v = self.values
        first, last = v.person_name(locale)
        values = {"first_name": first, "last_name": last,
                  "phones": self._phones(locale, {"mobile": 0.9, "work": 0.5}),
                  "emails": [{"kind": "work", "address": v.email(first, last, domain)}]}
        actions.add_representative(actor=self.actor, company=company, person_values=values,
                                   role=v.pick(REPRESENTATIVE_ROLES))
        self.summary.kinds["representative"] += 1

    def _create(self, kind: str, values: dict, addresses: list[dict], statuses: dict, *,
                actor: Actor | None = None) -> Customer:
        """Create the customer (typed at ``actor``'s store); its status comes after its history
        (``give_statuses``)."""
        status = self.values.weighted(statuses)
        initial = CustomerStatus.PROSPECT if status == CustomerStatus.PROSPECT else CustomerStatus.ACTIVE
        customer = actions.create_customer(actor=actor or self.actor, kind=kind, values=values, status=initial,
                                           addresses=addresses)
        self.created.append((customer, status))
        return customer

    def give_statuses(self) -> None:
        """Move customers to their status the way staff would, with a reason: on credit hold after
        unpaid months, inactive after months without a purchase."""
        for customer, status in self.created:
            if status != customer.status:
                actions.change_status(actor=self.actor, customer=customer, status=status,
                                      reason=self.values.pick(STATUS_REASONS[status]))

    # --- parts of a record ----------------------------------------------------------------

    def _phones(self, locale: str, chances: dict[str, float], *, national: bool = False) -> list[dict]:
        region = LOCALES[locale]
        return [{"kind": kind, "number": self.values.phone(region, kind, national=national)}
                for kind, chance in chances.items() if self.values.chance(chance)]

    def _tags(self, chances: dict[str, float]) -> list[str]:
        return [tag for tag, chance in chances.items() if self.values.chance(chance)]

    def _custom_values(self) -> dict:
        v = self.values
        custom = {}
        if v.chance(0.3):
            custom["preferred_contact_time"] = v.pick(CUSTOM_FIELDS[0]["choices"])
        if v.chance(0.2):
            custom["shoe_size"] = v.pick(SHOE_SIZES)
        return custom

    def _addresses(self, locale: str, *, contact: float, billing: float, shipping: float) -> list[dict]:
        v = self.values
        chances = {"contact": contact, "billing": billing, "shipping": shipping}
        return [v.address(locale, kind) for kind, chance in chances.items() if v.chance(chance)]

    def _company_addresses(self, company: Customer, locale: str) -> None:
        """Billing: a copy of the contact address, another address or none; 0-2 worksites."""
        v = self.values
        billing = v.weighted({"copy": 4, "other": 2, "none": 4})
        if billing == "copy":
            actions.copy_contact_address_to_billing(actor=self.actor, customer=company)
        elif billing == "other":
            actions.add_address(actor=self.actor, customer=company, values=v.address(locale, "billing"))
        for label in v.rng.sample(WORKSITES, v.rng.randint(0, 2)):
            actions.add_address(actor=self.actor, customer=company,
                                values=v.address(locale, "shipping", label))

    def _contact(self, customer: Customer, locale: str, role: str, *, buyer: bool,
                 domain: str | None = None) -> None:
        v = self.values
        first, last = v.person_name(locale)
        if role in ("Spouse", "Partner", "Child") and v.chance(0.7):
            last = customer.last_name or last
        actions.add_contact(actor=self.actor, customer=customer, values={
            "first_name": first, "last_name": last, "role": role, "email": v.email(first, last, domain),
            "mobile_phone": v.phone(LOCALES[locale], "mobile"), "is_authorized_buyer": buyer,
        })

    def _messages(self, customer: Customer, *, probability: float) -> None:
        v = self.values
        if not v.chance(probability):
            return
        for _ in range(v.rng.randint(1, 3)):
            channel, direction, subject, body = v.pick(MESSAGES)
            actions.log_message(actor=self.actor, customer=customer, channel=channel, direction=direction,
                                subject=subject, body=body,
                                occurred_at=timezone.now() - v.time_ago(max_days=365))
