"""The demo data set (patron.demo): every kind of customer, valid values, deterministic by seed."""

from __future__ import annotations

import datetime
import time

import phonenumbers
import pytest
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from patron.core.actors import system_actor
from patron.core.models import AuditEvent
from patron.core.normalize import normalize_phone, normalize_tax_id
from patron.credit.actions import credit_settings
from patron.credit.models import CreditAccount, EntryKind, LedgerEntry
from patron.credit.queries import ledger_problems, overdue_accounts
from patron.customers.models import (
    Contact,
    Customer,
    CustomerKind,
    CustomerPhone,
    CustomerStatus,
    CustomFieldDefinition,
    Message,
    Representation,
)
from patron.demo import DEFAULT_COUNT, create_demo_users, load_demo
from patron.demo.history import INACTIVE_AFTER_DAYS
from patron.demo.values import LOCALES, NAME_PREFIX_WORDS, DemoValues
from patron.locations.models import Location, LocationGroup
from patron.loyalty.actions import loyalty_settings
from patron.loyalty.models import PointsEntry, PointsKind
from patron.sales.models import Channel, Order, OrderStatus, Sale, SaleKind
from patron.staff.models import User

pytestmark = pytest.mark.django_db
ACTOR = system_actor("demo-test")


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One demo data set (60 customers, seed 7) for a class of tests that only read it: loaded
    once, in a transaction rolled back after the class. Each test runs in a savepoint inside it,
    so what a test changes is undone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(actor=ACTOR, count=60, seed=7)
        transaction.set_rollback(True)


class TestOneDemoDataSet:
    """The tests that only read the demo, all from one load of it."""

    def test_demo_has_every_kind_of_customer_with_the_parts_each_kind_has(self, demo):
        customers = Customer.objects.all()
        assert customers.count() == demo.total == 60
        kinds = {kind: customers.filter(kind=kind).count() for kind in CustomerKind.values}
        assert kinds["company"] == 5 and kinds["placeholder"] == 3
        assert Representation.objects.count() == demo.kinds["representative"] >= 5
        assert all(1 <= company.representations.count() <= 3 for company in customers.filter(kind="company"))
        placeholders = customers.filter(kind=CustomerKind.PLACEHOLDER)
        assert placeholders.filter(track_sales=False).exists()
        assert placeholders.filter(always_formal_invoice=True).exists()
        statuses = set(customers.values_list("status", flat=True))
        assert statuses == {"active", "prospect", "credit_hold", "inactive"}
        assert customers.filter(status=CustomerStatus.ACTIVE).count() > customers.count() / 2
        assert Contact.objects.filter(is_authorized_buyer=True).exists()
        assert Contact.objects.filter(is_authorized_buyer=False).exists()
        assert Message.objects.exists()
        assert customers.filter(tags__name="VIP").exists() and customers.filter(tags__name="Newsletter").exists()
        assert {"contact", "billing", "shipping"} <= set(customers.values_list("addresses__kind", flat=True))
        assert customers.filter(birth_date__isnull=False).exists() and customers.exclude(notes="").exists()

    def test_demo_values_pass_the_checks_real_input_must_pass(self, demo):
        phones = CustomerPhone.objects.select_related("customer__home_location")
        # read in the country of the store where the customer was typed, as the region rule does
        assert {normalize_phone(phone.number, phone.customer.home_location.effective_country)
                for phone in phones} == {phone.e164 for phone in phones}
        regions = {phonenumbers.region_code_for_number(phonenumbers.parse(phone.e164)) for phone in phones}
        assert len(regions) >= 4
        # numbers of the shop's region (US by default) and of the customers of the stores abroad are
        # written nationally, others with their prefix
        abroad = set(Customer.objects.filter(home_location__code__in=("AMS", "BER")).values_list("pk", flat=True))
        assert all(phone.number.startswith("+") == (not phone.e164.startswith("+1") and phone.customer_id not in abroad)
                   for phone in phones)
        companies = Customer.objects.filter(kind=CustomerKind.COMPANY).exclude(tax_id="")
        assert companies.exists()
        for company in companies:
            assert normalize_tax_id(company.tax_id, company.tax_id_country)[0] == company.tax_id
        definitions = {definition.key: definition for definition in CustomFieldDefinition.objects.all()}
        assert definitions["preferred_contact_time"].field_type == "choice"
        assert definitions["shoe_size"].field_type == "number"
        values = [customer.custom_fields for customer in Customer.objects.exclude(custom_fields={})]
        assert any("preferred_contact_time" in custom for custom in values)
        assert any("shoe_size" in custom for custom in values)

    def test_demo_adds_a_branch_and_a_second_store_whose_customers_are_available_there_only(self, demo):
        north_store = Location.objects.get(code="S02")
        branch = north_store.parent
        assert (north_store.kind, branch.code, branch.kind) == ("store", "NORTH", "branch")
        homed_north = Customer.objects.filter(home_location=north_store)
        assert homed_north.exists()
        group = LocationGroup.objects.get(name="North region stores")
        assert all(list(customer.location_groups.all()) == [group] for customer in homed_north)

    def test_demo_has_dutch_and_german_stores_whose_national_phones_read_in_their_country(self, demo):
        # then the stores abroad have their country and time zone, the stores at home the shop's
        places = {location.code: (location.effective_country, location.effective_time_zone)
                  for location in Location.objects.all()}
        assert places["AMS"] == ("NL", "Europe/Amsterdam") and places["BER"] == ("DE", "Europe/Berlin")
        assert {places[code][0] for code in ("HQ", "S01", "NORTH", "S02")} == {"US"}
        for code, calling_code, locale in (("AMS", "+31", "nl_NL"), ("BER", "+49", "de_DE")):
            customers = Customer.objects.filter(home_location__code=code)
            assert customers.count() >= 4
            phones = CustomerPhone.objects.filter(customer__in=customers)
            assert phones.exists()
            for phone in phones:
                # typed as people there do ("06 12345678", "0171 1234567"), stored in their country
                assert phone.number.startswith("0") and phone.e164.startswith(calling_code), (phone.number, phone.e164)
            countries = set(customers.values_list("addresses__country", flat=True)) - {None}
            assert countries == {LOCALES[locale]}
        # Dutch name prefixes in their own field: "van der" apart from "Meer", written in the name
        dutch = Customer.objects.filter(home_location__code="AMS", kind=CustomerKind.PERSON)
        assert all(customer.last_name and customer.last_name.split()[0].casefold() not in NAME_PREFIX_WORDS
                   for customer in dutch)
        assert all(customer.name == " ".join(part for part in (customer.first_name, customer.name_prefix,
                                                               customer.last_name) if part) for customer in dutch)

    def test_the_demo_has_a_year_of_trading_with_credit_on_and_overdue_accounts_on_hold(self, demo):
        now = timezone.now()
        sales = Sale.objects.filter(kind=SaleKind.SALE)
        assert sales.count() == demo.trading.sales > 100
        assert Sale.objects.filter(kind=SaleKind.RETURN).count() == demo.trading.returns
        first, last = sales.aggregate(first=Min("occurred_at"), last=Max("occurred_at")).values()
        assert now - first > datetime.timedelta(days=300) and now - last < datetime.timedelta(days=30) and last <= now
        assert {month.month for month in sales.dates("occurred_at", "month")} == set(range(1, 13))
        assert set(sales.values_list("channel", flat=True)) == {Channel.POS, Channel.WEBSHOP}
        assert credit_settings().is_enabled and loyalty_settings().is_enabled
        kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
        assert {EntryKind.CHARGE, EntryKind.PAYMENT} <= kinds
        assert PointsEntry.objects.filter(kind=PointsKind.EARN).exists()
        assert Order.objects.filter(status=OrderStatus.PENDING).exists()
        assert Order.objects.count() == demo.trading.orders
        overdue = {row.account.customer.status for row in overdue_accounts()}
        assert overdue == {CustomerStatus.CREDIT_HOLD}  # those on hold left their last months unpaid
        inactive = Customer.objects.filter(status=CustomerStatus.INACTIVE)
        assert not Sale.objects.filter(customer__in=inactive,
                                       occurred_at__gt=now - datetime.timedelta(days=INACTIVE_AFTER_DAYS)).exists()
        assert all(not problems for problems in map(ledger_problems, CreditAccount.objects.all()))
        joined_this_week = Customer.objects.filter(created_at__gte=now - datetime.timedelta(days=7)).count()
        assert joined_this_week < demo.total / 5  # the demo's customers joined over the year, not all today
        spenders = Customer.objects.filter(total_purchases__gt=0)
        assert spenders.count() > 30  # sorting by spend and spend-based segments have something to show



def test_every_demo_change_went_through_the_audited_actions():
    load_demo(actor=ACTOR, count=20, seed=3)
    created = AuditEvent.objects.filter(action="customer.created", actor_label="demo-test")
    assert created.count() == Customer.objects.count() == 20
    assert AuditEvent.objects.filter(action="representative.linked").exists()
    assert AuditEvent.objects.filter(action="location.created", object_label="Harbour store").exists()


def _load_and_describe(seed: int) -> list[tuple]:
    """Load a small data set, describe it, and roll it back."""
    description = []

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            load_demo(actor=ACTOR, count=15, seed=seed)
            for customer in Customer.objects.order_by("account_number").prefetch_related("phones", "emails"):
                description.append((customer.account_number, customer.name, customer.kind, customer.status,
                                    customer.tax_id, [phone.number for phone in customer.phones.all()],
                                    [email.address for email in customer.emails.all()]))
            raise Rollback
    except Rollback:
        pass
    return description


def test_the_same_seed_gives_the_same_customers_and_another_seed_others():
    first, again, other = _load_and_describe(5), _load_and_describe(5), _load_and_describe(6)
    assert len(first) == 15
    assert first == again
    assert [entry[1] for entry in first] != [entry[1] for entry in other]


def test_loading_twice_reuses_the_shop_and_renumbers_taken_placeholder_numbers():
    load_demo(actor=ACTOR, count=25, seed=1)
    locations, definitions = Location.objects.count(), CustomFieldDefinition.objects.count()
    # when
    load_demo(actor=ACTOR, count=25, seed=1)
    # then
    assert Customer.objects.count() == 50
    assert (Location.objects.count(), CustomFieldDefinition.objects.count()) == (locations, definitions)
    assert Customer.objects.filter(name="Walk-in customer").count() == 2
    assert Customer.objects.filter(account_number__iexact="walkin").count() == 1


def test_demo_users_are_created_only_when_there_is_no_user():
    # when
    created = create_demo_users(actor=ACTOR)
    again = create_demo_users(actor=ACTOR)
    # then
    assert [(username, role) for username, role, _ in created] == [
        ("admin", "admin"), ("manager", "manager"), ("cashier", "cashier")]
    assert again == []
    for username, _, password in created:
        assert User.objects.get(username=username).check_password(password)
    assert len({password for _, _, password in created}) == 3


@pytest.mark.parametrize("region", sorted(LOCALES.values()))
def test_generated_phones_and_tax_ids_are_valid_for_every_country(region):
    values = DemoValues(seed=99, home_region="US")
    for _ in range(25):
        for kind in ("mobile", "home", "work", "fax"):
            assert normalize_phone(values.phone(region, kind)).startswith("+")
        tax_id = values.tax_id(region)
        assert normalize_tax_id(tax_id, region)[1] == region


def test_the_default_data_set_loads_well_under_a_minute_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("make run loads it into SQLite; the other tests cover PostgreSQL")
    started = time.monotonic()
    summary = load_demo(actor=ACTOR)
    assert summary.total == DEFAULT_COUNT == Customer.objects.count()
    assert time.monotonic() - started < 45  # about 10 s with its year of trading on an idle 2-core machine
