"""search_customers: the lookup's ranking composed with a list's other filters."""

import pytest

from patron.customers.models import CustomerKind
from patron.customers.queries import CustomerFilter, filter_customers
from patron.customers.tests.factories import customer_factory
from patron.lookup.queries import annotated, search_customers

pytestmark = pytest.mark.django_db


def test_the_filters_apply_to_the_ranked_candidates_in_their_order():
    customer_factory(CustomerKind.COMPANY, name="Schmidt Tools")
    customer_factory(first_name="Joanna", last_name="Schmidtke")
    customer_factory(first_name="Anna", last_name="Schmidt")
    persons = search_customers(CustomerFilter(search="schmidt", kind=CustomerKind.PERSON))
    assert [(customer.name, customer.rank, customer.matched_on) for customer in annotated(persons)] == [
        ("Anna Schmidt", 1, "name"), ("Joanna Schmidtke", 2, "name (start)")]
    # only the best `limit` candidates are ranked before the filters apply
    assert [customer.name for customer in annotated(search_customers(CustomerFilter(search="schmidt"), limit=2))] \
        == ["Anna Schmidt", "Schmidt Tools"]


def test_filter_customers_does_not_search():
    with pytest.raises(ValueError, match="search_customers"):
        filter_customers(CustomerFilter(search="schmidt"))
