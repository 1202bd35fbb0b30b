"""``__any_of``: the same rows as ``__in`` on both engines, for a key, a foreign key and a text
column, and nothing for an empty list; on PostgreSQL one array parameter, typed as the column."""

import pytest
from django.db import connection

from patron.customers.models import Customer, CustomerEmail
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds():
    customers = [customer_factory(first_name=f"Any{number}", emails=[{"address": f"any{number}@example.com"}])
                 for number in range(4)]
    wanted = [customers[0].pk, customers[2].pk, 10**9]
    assert set(Customer.objects.filter(pk__any_of=wanted)) == {customers[0], customers[2]}
    assert (set(CustomerEmail.objects.filter(customer_id__any_of=wanted).values_list("address", flat=True))
            == {"any0@example.com", "any2@example.com"})
    assert (set(CustomerEmail.objects.filter(address__any_of=["any1@example.com", "nobody@example.com"])
                .values_list("customer_id", flat=True)) == {customers[1].pk})
    assert not Customer.objects.filter(pk__any_of=[]).exists()


def test_any_of_is_one_parameter_on_postgresql():
    sql, params = Customer.objects.filter(pk__any_of=list(range(1, 3001))).values("pk").query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s::bigint[])" in sql and len(params) == 1
    else:
        assert len(params) == 3000
