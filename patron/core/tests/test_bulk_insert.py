"""insert_many and insert_values, the bulk paths' INSERT: values converted as the ORM would, keys in
order, and a clash raised as Django's IntegrityError on both engines."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from patron.core.db import insert_many, insert_values
from patron.customers.models import Customer, CustomerEmail
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db


def test_rows_go_in_converted_and_their_keys_come_back_in_order(system):
    template = customer_factory(first_name="Tem", last_name="Plate", account_number="T-0")
    shared = {field.attname: getattr(template, field.attname) for field in Customer._meta.concrete_fields
              if field.attname not in {"id", "uuid", "account_number", "last_name", "sort_name", "birth_date",
                                             "default_discount", "custom_fields"}}
    made = [Customer(**shared, account_number=f"T-{number}", last_name=f"Bulk{number}",
                     sort_name=f"bulk{number}", birth_date=date(1990, 1, number), default_discount=Decimal("2.50"),
                     custom_fields={"size": number}) for number in range(1, 4)]
    insert_many(made)
    for customer in made:
        stored = Customer.objects.get(pk=customer.pk)
        assert (stored.last_name, stored.account_number) == (customer.last_name, customer.account_number)
        assert stored.birth_date == customer.birth_date and stored.default_discount == Decimal("2.50")
        assert stored.custom_fields == customer.custom_fields and stored.uuid == customer.uuid
    insert_values(CustomerEmail, [{"customer_id": customer.pk, "kind": "personal", "address": f"{n}@example.com",
                                   "address_key": f"{n}@example.com", "position": 0}
                                  for n, customer in enumerate(made)])
    assert sorted(CustomerEmail.objects.filter(customer__in=made).values_list("address", flat=True)) == [
        "0@example.com", "1@example.com", "2@example.com"]


def test_a_clash_is_djangos_integrity_error(system):
    template = customer_factory(first_name="Tem", last_name="Plate", account_number="T-0")
    shared = {field.attname: getattr(template, field.attname) for field in Customer._meta.concrete_fields
              if field.attname not in {"id", "uuid", "account_number"}}
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_many([Customer(**shared, account_number="T-9"), Customer(**shared, account_number="T-9")])


def test_rows_nobody_reads_back_clash_as_djangos_integrity_error_too(system):
    # given a customer already in a location group
    customer = customer_factory(first_name="Tem", last_name="Plate")
    link = Customer.location_groups.through
    group_id = link.objects.filter(customer=customer).values_list("locationgroup_id", flat=True).first()
    # when the same link is inserted again (on PostgreSQL through COPY), then Django's error, nothing added
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_values(link, [{"customer_id": customer.pk, "locationgroup_id": group_id}])
    assert link.objects.filter(customer=customer).count() == 1
