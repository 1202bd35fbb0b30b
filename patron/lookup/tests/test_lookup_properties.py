"""The lookup answers every query of 1 to 200 characters, by property (Hypothesis), on both engines:
a query is something a cashier or a client typed, and no typing may make it fail."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from patron.customers.models import CustomerKind
from patron.customers.queries import CustomerFilter
from patron.customers.tests.factories import customer_factory
from patron.locations.models import Location
from patron.lookup.engine import QUERY_MAX
from patron.lookup.queries import find_till_page, lookup_customers, scope_for, search_customers

pytestmark = pytest.mark.django_db

# Pieces of what a till sees typed: names, digits of phones, e-mails, account numbers, tax IDs,
# separators and characters with a meaning in SQL, FTS5 or a template.
PIECES = ["anna", "Anna", "lee", "schmidt", "schmi", "müller", "MULLER", "ß", "1", "0143", "+49", "555-0143",
          "@", "anna@", "@example.com", "K-1", "DE136695976", "%", "_", "'", '"', "*", "\\", "-", ".", ",", "(",
          ")", "{{7*7}}", "NEAR", "AND", "OR", "NOT", "^", "\t", "\u00a0", "\u202e", "\u200b", "😀", "ﬁ"]
WORDS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map(" ".join)
TYPED = st.one_of(st.text(min_size=1, max_size=QUERY_MAX), WORDS).filter(lambda query: 1 <= len(query) <= QUERY_MAX)


@pytest.fixture
def few_customers(system):
    """Made once for all of a test's examples (they only read)."""
    customer_factory(first_name="Anna", last_name="Schmidt", account_number="K-1",
                     phones=[{"number": "+1 202 555 0143"}], emails=[{"address": "anna@example.com"}],
                     tax_id="DE136695976")
    customer_factory(first_name="Lee", last_name="Lee")
    customer_factory(first_name="Hans", last_name="Müller")
    customer_factory(CustomerKind.COMPANY, name="Schmidt & Söhne GmbH")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=TYPED)
@example("anna anna")
@example("Lee Lee")
@example("1 1")
@example("{{7*7}}")
@example("a" * QUERY_MAX)
def test_the_lookup_answers_every_query_in_every_scope(few_customers, query):
    store = Location.objects.get(code="S01")
    for found in (lookup_customers(query), lookup_customers(query, include_inactive=True),
                  lookup_customers(query, store=store)):
        assert all(hit.customer.pk for hit in found)
    hits, records = find_till_page(query, scope_for(store=store, include_inactive=False))
    assert {hit.customer_id for hit in hits} == set(records)
    search_customers(CustomerFilter(search=query))
