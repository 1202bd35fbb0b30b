"""GET /customers?q=: the list searched by the lookup, best first, each item saying what matched."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patron.customers import actions
from patron.customers.models import CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.locations.actions import create_location, save_location_group
from patron.locations.models import Location
from patron.lookup.tests.support import SCHMIDT_RANKING, one_per_tier

pytestmark = pytest.mark.django_db


def matches(api, query: str) -> list[tuple[str, str]]:
    response = api.get("/customers" + query)
    assert response.status_code == 200, response.content
    return [(item["name"], item["matched_on"]) for item in response.json()["items"]]


def test_search_ranks_like_the_lookup_and_each_item_says_what_matched(api):
    one_per_tier()
    assert matches(api, "?q=schmidt&sort=-created") == SCHMIDT_RANKING


def test_without_q_the_list_is_sorted_and_items_have_no_matched_on(api):
    one_per_tier()
    items = api.get("/customers?sort=name").json()["items"]
    assert [item["last_name"] for item in items] == ["Goldschmidt", "Jones", "Schmidt", "Schmidt", "Schmidtke",
                                                     "Schmitt"]
    assert all("matched_on" not in item for item in items)


@pytest.mark.parametrize("term, matched_on", [
    ("(202) 555-0143", "phone"), ("+1-202-555-0143", "phone"), ("202 555 0143", "phone"),
    ("555-0143", "phone (last digits)"), ("Shcmidt", "name (similar spelling)"),
    ("anna schmidtt", "name (similar spelling)"),
    ("Schmidt, Anna", "name"), ("k-77", "account number"), ("ANNA.SCHMIDT@example.com", "e-mail"),
])
def test_search_by_typo_or_phone_in_any_format(api, term, matched_on):
    customer_factory(first_name="Anna", last_name="Schmidt", account_number="K-77",
                     phones=[{"kind": "mobile", "number": "202.555.0143"}],
                     emails=[{"address": "anna.schmidt@example.com"}])
    customer_factory(first_name="Bert", last_name="Jones", phones=[{"number": "(415) 555-0199"}])
    assert matches(api, "?" + urlencode({"q": term})) == [("Anna Schmidt", matched_on)]


def test_search_with_filters_keeps_the_ranking_and_the_scope_follows_the_status_filter(api, system):
    customer_factory(first_name="Here", last_name="Schmidt")
    gone = customer_factory(first_name="Gone", last_name="Schmidt")
    actions.deactivate_customer(actor=system, customer=gone)
    customer_factory("company", name="Schmidt Tools")
    assert matches(api, "?q=schmidt") == [("Gone Schmidt", "name"), ("Here Schmidt", "name"),
                                          ("Schmidt Tools", "name")]
    assert matches(api, "?q=schmidt&till_only=true&kind=person") == [("Here Schmidt", "name")]
    assert matches(api, "?q=schmidt&status=inactive") == [("Gone Schmidt", "name")]
    assert matches(api, f"?q=schmidt&status={CustomerStatus.ACTIVE}&kind=company") == [("Schmidt Tools", "name")]


def test_search_at_a_store_leaves_out_customers_not_available_there(api, system):
    harbour = create_location(actor=system, code="S02", name="Harbour", kind="store",
                              parent=Location.objects.get(code="HQ"))
    harbour_only = save_location_group(actor=system, name="Harbour only", locations=[harbour])
    customer_factory(first_name="Sea", last_name="Schmidt", location_groups=[harbour_only])
    customer_factory(first_name="Land", last_name="Schmidt")
    main_store = Location.objects.get(code="S01")
    assert matches(api, f"?q=schmidt&available_at={main_store.uuid}") == [("Land Schmidt", "name")]
    assert matches(api, f"?q=schmidt&available_at={harbour.uuid}") == [("Land Schmidt", "name"),
                                                                        ("Sea Schmidt", "name")]  # default group: all


def test_search_pages_follow_the_ranking_without_repeats(api):
    customer_factory(first_name="Lea", last_name="Page")
    for number in range(6):
        customer_factory(first_name="Lea", last_name=f"Pagel{number}")
    seen, cursor = [], None
    while True:
        params = {"q": "lea page", "limit": 3} | ({"cursor": cursor} if cursor else {})
        body = api.get("/customers?" + urlencode(params)).json()
        seen += [item["name"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Lea Page", *(f"Lea Pagel{number}" for number in range(6))]


def test_search_cursor_of_a_sorted_list_is_refused(api):
    customer_factory(first_name="Lea", last_name="Page")
    customer_factory(first_name="Lea", last_name="Pagel")
    cursor = api.get("/customers?limit=1").json()["next_cursor"]
    response = api.get("/customers?" + urlencode({"q": "lea", "limit": 1, "cursor": cursor}))
    assert response.status_code == 400 and response.json()["code"] == "invalid-cursor"


def test_search_query_count_does_not_grow_with_the_matches(api):
    def queries_for_a_search() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/customers?q=schmidt&limit=100").status_code == 200
        return len(captured)

    for name in ("Anna", "Bea", "Cleo", "Dora", "Emil"):  # enough whole-name matches that no fallback tier runs
        customer_factory(first_name=name, last_name="Schmidt", phones=[{"number": "202 555 0143"}], tags=["VIP"])
    queries_for_a_search()  # the token's first use of the minute also notes when it was used
    few = queries_for_a_search()
    for index in range(8):
        customer_factory(first_name=f"P{index}", last_name="Schmidt", phones=[{"number": "202 555 0143"}],
                         emails=[{"address": f"p{index}@example.com"}], tags=["VIP", f"T{index}"])
    assert queries_for_a_search() == few
