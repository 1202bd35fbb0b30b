"""Creating many customers at once: the same rules as one at a time, written together."""

import pytest

from patron.core.errors import Conflict, PermissionDenied, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers.actions import create_customers_in_bulk
from patron.customers.models import Customer, StatusChange
from patron.customers.queries import customer_detail
from patron.customers.tests.factories import customer_factory
from patron.lookup.queries import lookup_customers
from patron.staff.tests.factories import actor_for

pytestmark = pytest.mark.django_db


def person(first, last, **values):
    return {"kind": "person", "values": {"first_name": first, "last_name": last, **values}}


def test_rows_are_created_with_numbers_parts_index_and_audit(system):
    result = create_customers_in_bulk(actor=system, rows=[
        person("Ada", "Lovelace", phones=[{"kind": "mobile", "number": "202 555 0111"}],
               emails=[{"address": "ada@example.org"}], tags=["VIP"]),
        {"kind": "company", "values": {"name": "Mug Shop", "tags": ["vip", "Wholesale"]},
         "addresses": [{"kind": "contact", "line1": "1 High St", "city": "Leeds", "country": "UK"}]},
        person("Alan", "Turing", account_number="T-1"),
    ])
    assert result.rejected == {}
    ada, mug, alan = (customer_detail(customer.uuid) for customer in result.created)
    assert [ada.account_number, mug.account_number, alan.account_number] == ["C000001", "C000002", "T-1"]
    assert [phone.e164 for phone in ada.phones.all()] == ["+12025550111"]
    assert sorted(tag.name for tag in mug.tags.all()) == ["VIP", "Wholesale"]
    assert mug.addresses.get().country == "GB"
    assert StatusChange.objects.filter(customer__in=result.created).count() == 3
    assert AuditEvent.objects.filter(action="customer.created").count() == 3
    event = AuditEvent.objects.get(customer_uuid=ada.uuid)
    assert event.changes["phones"] == [None, ["mobile: 202 555 0111"]]
    assert [found.customer for found in lookup_customers("lovelace")] == [ada]
    assert [found.customer for found in lookup_customers("202 555 0111")] == [ada]


def test_bad_rows_are_reported_by_index_and_the_others_created(system):
    customer_factory(account_number="TAKEN")
    result = create_customers_in_bulk(actor=system, rows=[
        person("Good", "One"),
        person("", "", phones=[{"number": "12"}]),
        person("Dup", "Typed", account_number="x-1"),
        person("Dup", "Again", account_number="X-1"),
        person("Clash", "Old", account_number="taken"),
        {"kind": "alien", "values": {}},
    ])
    assert [customer.name for customer in result.created] == ["Good One", "Dup Typed"]
    assert set(result.rejected) == {1, 3, 4, 5}
    assert isinstance(result.rejected[1], ValidationFailed)
    assert {"phones.0.number", "last_name"} <= set(result.rejected[1].errors)
    assert isinstance(result.rejected[3], Conflict) and isinstance(result.rejected[4], Conflict)
    assert Customer.objects.count() == 3


def test_the_same_permissions_apply_per_row():
    cashier = actor_for(Role.CASHIER)
    result = create_customers_in_bulk(actor=cashier, rows=[person("Plain", "Row"),
                                                           person("Discount", "Row", default_discount="10")])
    assert [customer.name for customer in result.created] == ["Plain Row"]
    assert isinstance(result.rejected[1], PermissionDenied)
