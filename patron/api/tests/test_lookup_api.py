"""The lookup and the change feed through the API, and the till cache that follows the feed."""

import pytest

from patron.api.tests.conftest import assert_problem
from patron.core.permissions import Role
from patron.customers import actions
from patron.customers.tests.factories import customer_factory
from patron.locations.actions import create_location, save_location_group
from patron.locations.models import Location
from patron.lookup.till_cache import TillCache
from patron.staff.tests.factories import token_factory


@pytest.fixture
def shop(db, system):
    harbour = create_location(actor=system, code="S02", name="Harbour", kind="store",
                              parent=Location.objects.get(code="HQ"))
    harbour_only = save_location_group(actor=system, name="Harbour only", locations=[harbour])
    anna = customer_factory(first_name="Anna", last_name="Schmidt", phones=[{"number": "(202) 555-0143"}],
                            emails=[{"address": "anna@example.org"}], account_number="A-1")
    sea = customer_factory(first_name="Sea", last_name="Schmidt", location_groups=[harbour_only])
    return {"harbour": harbour, "anna": anna, "sea": sea}


def test_lookup_ranks_and_says_what_matched(api, shop):
    response = api.get("/lookup?q=202-555-0143")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert (item["customer"]["name"], item["matched_on"], item["rank"]) == ("Anna Schmidt", "phone", 0)
    assert item["customer"]["phones"][0]["e164"] == "+12025550143"


def test_lookup_is_scoped_to_the_tokens_store_unless_all_is_asked(api, shop):
    assert [i["customer"]["name"] for i in api.get("/lookup?q=schmidt").json()["items"]] == ["Anna Schmidt"]
    everywhere = api.get("/lookup?q=schmidt&scope=all").json()["items"]
    assert {i["customer"]["name"] for i in everywhere} == {"Anna Schmidt", "Sea Schmidt"}


def test_lookup_refuses_long_and_empty_queries(api, shop):
    assert api.get("/lookup?q=" + "a" * 200).status_code == 200
    assert_problem(api.get("/lookup?q=" + "a" * 201), 422, "validation-failed")
    assert_problem(api.get("/lookup?q="), 422, "validation-failed")
    assert api.get("/lookup?q=%25%27%22%5C_").json()["items"] == []


@pytest.mark.django_db(transaction=True)  # the feed shows committed changes only
def test_changes_page_through_upserts_and_removals(api, shop, system):
    first = api.get("/changes?limit=1").json()
    assert first["has_more"] is True and len(first["items"]) == 1
    rest = api.get(f"/changes?after={first['next_cursor']}").json()
    assert rest["has_more"] is False
    names = {item["customer"]["name"] for item in first["items"] + rest["items"] if item["op"] == "upsert"}
    assert names == {"Anna Schmidt"}  # Sea is not served at this token's store: a removal for it
    actions.deactivate_customer(actor=system, customer=shop["anna"])
    after = api.get(f"/changes?after={rest['next_cursor']}").json()
    assert after["items"] == [{"op": "remove", "id": str(shop["anna"].uuid), "customer": None, "merged_into": None}]


def test_tampered_feed_cursor_is_refused(api, shop):
    assert_problem(api.get("/changes?after=abc:def"), 400, "invalid-cursor")


@pytest.mark.django_db(transaction=True)
def test_till_cache_follows_the_feed_and_answers_offline_like_the_server(live_server, system):
    harbour = create_location(actor=system, code="S02", name="Harbour", kind="store",
                              parent=Location.objects.get(code="HQ"))
    harbour_only = save_location_group(actor=system, name="Harbour only", locations=[harbour])
    anna = customer_factory(first_name="Anna", last_name="Schmidt", phones=[{"number": "(202) 555-0143"}],
                            account_number="A-1")
    customer_factory(first_name="Sea", last_name="Schmidt", location_groups=[harbour_only])
    gone = customer_factory(first_name="Gone", last_name="Soon")
    _, secret = token_factory(Role.CASHIER)
    cache = TillCache(":memory:")
    try:
        assert cache.sync(live_server.url, secret, page_size=2).customers == 2
        actions.delete_customer(actor=system, customer=gone)
        actions.update_customer(actor=system, customer=anna, values={"last_name": "Smith"})
        result = cache.sync(live_server.url, secret)
        assert (result.customers, result.upserts, result.removals) == (1, 1, 1)
        for query, expected in (("smith anna", "name"), ("Smtih", "name (similar spelling)"),
                                ("202.555.0143", "phone"), ("0143", "phone (last digits)"), ("a-1", "account number"),
                                ("anna", "name"), ("ann", "name (start)")):
            [found] = cache.lookup(query)
            assert (found["name"], found["matched_on"]) == ("Anna Smith", expected), query
        assert cache.lookup("schmidt") == []  # old name gone, and Sea is not served here
    finally:
        cache.close()


def test_a_lookup_page_carries_each_customers_phones_and_emails_in_their_order(api, shop):
    """The page's customers and their contact points come from one statement (JSON per customer)."""
    many = customer_factory(first_name="Zoë", last_name="O'Brien-Schmidt",
                            phones=[{"number": "+49 151 23456789", "kind": "mobile"},
                                    {"number": "(202) 555-0199", "kind": "work"},
                                    {"number": "+44 20 7946 0958", "kind": "home"}],
                            emails=[{"address": "zoe.o'brien+till@example.org", "kind": "personal"},
                                    {"address": "zoë@bücher.example", "kind": "work"}])
    items = {item["customer"]["name"]: item["customer"] for item in api.get("/lookup?q=schmidt").json()["items"]}
    zoe = items["Zoë O'Brien-Schmidt"]
    assert [(p["kind"], p["e164"]) for p in zoe["phones"]] == [
        (phone.kind, phone.e164) for phone in many.phones.order_by("position", "id")]
    assert [p["e164"] for p in zoe["phones"]] == ["+4915123456789", "+12025550199", "+442079460958"]
    assert [(e["kind"], e["address"]) for e in zoe["emails"]] == [
        (email.kind, email.address) for email in many.emails.order_by("position", "id")]
    assert len(zoe["emails"]) == 2
    assert items["Anna Schmidt"]["phones"][0]["number"] == shop["anna"].phones.get().number
    no_points = customer_factory(first_name="Nopoints", last_name="Schmidt")
    [bare] = [item["customer"] for item in api.get("/lookup?q=nopoints").json()["items"]]
    assert (bare["id"], bare["phones"], bare["emails"]) == (str(no_points.uuid), [], [])
