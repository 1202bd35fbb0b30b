"""Customers through the API: create, read, list, change, delete, status and audit trail."""

import re

import pytest

from patron.api.tests.conftest import assert_problem, pointers
from patron.core.models import AuditEvent
from patron.customers.models import Customer, StatusChange
from patron.customers.tests.factories import customer_factory
from patron.locations.models import Location, LocationGroup

pytestmark = pytest.mark.django_db
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _snapshot() -> tuple:
    return (Customer.objects.count(), AuditEvent.objects.count(),
            list(Customer.objects.order_by("pk").values_list("version", "name")))


# --- create and read ----------------------------------------------------------------------

def test_create_a_person_with_everything_and_read_it_back(api):
    group = LocationGroup.objects.get()
    response = api.post("/customers", {
        "kind": "person", "first_name": "Anna", "last_name": "Müller", "birth_date": "1990-04-01",
        "phones": [{"kind": "home", "number": "(202) 555-0143"}],
        "emails": [{"kind": "work", "address": "Anna@Example.com"}],
        "tags": ["VIP"], "default_discount": "7.5", "tax_id": "DE 136 695 976",
        "location_groups": [str(group.uuid)],
        "addresses": [{"kind": "contact", "line1": "1 Main St", "city": "Springfield", "country": "usa"}],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["ETag"] == f'"{body["version"]}"'
    assert response["Location"] == f"/api/v1/customers/{body['id']}"
    assert (body["name"], body["kind"], body["status"]) == ("Anna Müller", "person", "active")
    assert body["phones"] == [{"kind": "home", "number": "(202) 555-0143", "e164": "+12025550143"}]
    assert body["emails"] == [{"kind": "work", "address": "Anna@example.com"}]
    assert body["default_discount"] == "7.50"  # money and percentages are strings, never floats
    assert (body["tax_id"], body["tax_id_country"]) == ("136695976", "DE")
    assert body["addresses"][0]["country"] == "US"
    assert body["location_groups"] == [{"id": str(group.uuid), "name": group.name}]
    assert body["home_location"]["code"] == "S01"
    assert (body["price_level"], body["tags"], body["photo_url"]) == ("A", ["VIP"], None)
    assert all(RFC3339.match(body[field]) for field in ("created_at", "updated_at", "status_changed_at"))

    fetched = api.get(f"/customers/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == body
    assert fetched["ETag"] == response["ETag"]


def test_a_persons_name_prefix_is_its_own_field_in_the_api(api):
    created = api.post("/customers", {"kind": "person", "first_name": "Emma", "name_prefix": "van",
                                      "last_name": "Dijk"}).json()
    assert (created["name"], created["name_prefix"], created["last_name"]) == ("Emma van Dijk", "van", "Dijk")
    changed = api.patch(f"/customers/{created['id']}", {"name_prefix": ""}, if_match=created["version"])
    assert changed.status_code == 200, changed.content
    assert (changed.json()["name"], changed.json()["name_prefix"]) == ("Emma Dijk", "")
    refused = api.post("/customers", {"kind": "company", "name": "Dijk BV", "name_prefix": "van"})
    assert refused.status_code == 422 and "name_prefix" in refused.text


def test_create_company_and_placeholder(api):
    company = api.post("/customers", {"kind": "company", "name": "Mug Shop Ltd"}).json()
    walk_in = api.post("/customers", {"kind": "placeholder", "name": "Walk-in", "account_number": "WALKIN",
                                      "track_sales": False, "always_formal_invoice": True}).json()
    assert (company["kind"], company["name"]) == ("company", "Mug Shop Ltd")
    assert (walk_in["account_number"], walk_in["track_sales"], walk_in["always_formal_invoice"]) == \
        ("WALKIN", False, True)
    # a creation's answer does not read representatives (a new customer has none): it is what GET shows
    assert (company["representatives"], company["companies"]) == ([], [])
    assert api.get(f"/customers/{company['id']}").json() == company
    person = api.post("/customers", {"kind": "person", "first_name": "Rep", "last_name": "Resent"}).json()
    linked = api.post(f"/customers/{company['id']}/representatives", {"person_id": person["id"], "role": "Buyer"})
    assert linked.status_code in (200, 201), linked.content
    assert [rep["id"] for rep in api.get(f"/customers/{company['id']}").json()["representatives"]] == [person["id"]]


def test_unknown_customer_is_404_and_malformed_id_too(api):
    assert_problem(api.get("/customers/01890000-0000-7000-8000-000000000000"), 404, "customer-not-found")
    assert_problem(api.get("/customers/123"), 404, "not-found")


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("body, pointer", [
    ({"kind": "person", "last_name": "Null\x00Byte"}, "/last_name"),
    ({"kind": "person", "last_name": "x" * 10_000}, "/last_name"),
    ({"kind": "person", "last_name": "Lee", "phones": [{"number": "12"}]}, "/phones/0/number"),
    ({"kind": "person", "last_name": "Lee", "emails": [{"address": "anna@"}]}, "/emails/0/address"),
    ({"kind": "person", "last_name": "Lee", "tax_id": "DE136695977"}, "/tax_id"),
    ({"kind": "person", "last_name": "Lee", "addresses": [{"kind": "contact", "country": "Atlantis"}]},
     "/addresses/0/country"),
    ({"kind": "person", "last_name": "Lee", "default_discount": 5.5}, "/default_discount"),
    ({"kind": "person", "last_name": "Lee", "home_location": "01890000-0000-7000-8000-000000000000"},
     "/home_location"),
    ({"kind": "person", "last_name": "Lee", "version": 7}, "/version"),
    ({"kind": "person", "last_name": "Lee", "id": "01890000-0000-7000-8000-000000000000"}, "/id"),
    ({"kind": "alien", "name": "X"}, "/kind"),
    ({"kind": "company"}, "/name"),
])
def test_bad_input_is_422_with_a_pointer_and_nothing_is_saved(api, body, pointer):
    before = _snapshot()
    problem = assert_problem(api.post("/customers", body), 422, "validation-failed")
    assert pointer in pointers(problem)
    assert _snapshot() == before


@pytest.mark.parametrize("body, pointer", [
    ({"kind": "person", "first_name": "Ann", "last_name": "Smith\u202egpj.exe"}, "/last_name"),
    ({"kind": "company", "name": "\u2067Acme\u2069"}, "/name"),
    ({"kind": "person", "last_name": "Lee", "addresses": [{"kind": "contact", "line1": "1 Main St\u202d"}]},
     "/addresses/0/line1"),
    ({"kind": "person", "last_name": "Lee", "tags": ["VIP\u202e"]}, "/tags"),
])
def test_a_bidi_override_is_422_on_its_field_and_nothing_is_saved(api, body, pointer):
    before = _snapshot()
    problem = assert_problem(api.post("/customers", body), 422, "validation-failed")
    details = [error["detail"] for error in problem["errors"] if error["pointer"] == pointer]
    assert any("direction of the text" in detail for detail in details)
    assert _snapshot() == before


def test_invisible_characters_are_dropped_from_names_and_a_lone_surrogate_is_refused(api):
    created = api.post("/customers", {"kind": "person", "first_name": "\ufeffAnn", "last_name": "Sm\u200bith\u00ad"})
    assert created.status_code == 201 and (created.json()["first_name"], created.json()["last_name"]) == (
        "Ann", "Smith")
    before = _snapshot()
    refused = api.post("/customers", raw=b'{"kind": "person", "last_name": "Lee\\ud800"}')
    assert "/last_name" in pointers(assert_problem(refused, 422, "validation-failed"))
    assert _snapshot() == before


def test_several_field_problems_come_back_at_once(api):
    problem = assert_problem(api.post("/customers", {
        "kind": "person", "last_name": "Lee", "phones": [{"number": "202 555 0143"}, {"number": "abc"}],
        "emails": [{"address": "nope"}],
    }), 422, "validation-failed")
    assert {"/phones/1/number", "/emails/0/address"} <= pointers(problem)


def test_account_number_clash_is_409_on_the_field(api):
    customer_factory(account_number="A-1")
    before = _snapshot()
    response = api.post("/customers", {"kind": "person", "last_name": "Lee", "account_number": " a-1 "})
    problem = assert_problem(response, 409, "account-number-taken")
    assert pointers(problem) == {"/account_number"}
    assert _snapshot() == before


def test_scripts_and_unicode_round_trip_as_text(api):
    name = "<script>alert(1)</script> O'Hara \u200fشريف\u200f e\u0301"
    body = api.post("/customers", {"kind": "company", "name": name, "notes": "{{7*7}} 😀"}).json()
    assert api.get(f"/customers/{body['id']}").json()["notes"] == "{{7*7}} 😀"
    assert body["name"].startswith("<script>alert(1)</script> O'Hara")


# --- update and optimistic concurrency -----------------------------------------------------

def test_patch_changes_only_what_was_sent_and_moves_the_etag(api):
    customer = customer_factory(first_name="Anna", last_name="Schmidt", notes="keep")
    response = api.patch(f"/customers/{customer.uuid}", {"last_name": "Schmitt"}, if_match=1)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["notes"], body["version"]) == ("Anna Schmitt", "keep", 2)
    assert response["ETag"] == '"2"'


def test_patch_without_if_match_is_428_and_nothing_changes(api):
    customer = customer_factory(last_name="Old")
    assert_problem(api.patch(f"/customers/{customer.uuid}", {"last_name": "New"}), 428,
                   "precondition-required")
    customer.refresh_from_db()
    assert (customer.last_name, customer.version) == ("Old", 1)


def test_same_etag_twice_one_wins_the_other_gets_412(api):
    customer = customer_factory(last_name="Old")
    first = api.patch(f"/customers/{customer.uuid}", {"last_name": "First"}, if_match=1)
    second = api.patch(f"/customers/{customer.uuid}", {"last_name": "Second"}, if_match=1)
    assert first.status_code == 200
    assert_problem(second, 412, "stale-version")
    customer.refresh_from_db()
    assert (customer.last_name, customer.version) == ("First", 2)


@pytest.mark.parametrize("header", ['W/"1"', "1", '"1", "2"', "garbage"])
def test_malformed_if_match_is_400(api, header):
    customer = customer_factory(last_name="Old")
    assert_problem(api.patch(f"/customers/{customer.uuid}", {"last_name": "New"}, if_match=header),
                   400, "invalid-if-match")
    customer.refresh_from_db()
    assert customer.last_name == "Old"


def test_if_match_star_skips_the_comparison(api):
    customer = customer_factory(last_name="Old")
    assert api.patch(f"/customers/{customer.uuid}", {"last_name": "New"}, if_match="*").status_code == 200


@pytest.mark.parametrize("field, value", [("version", 9), ("id", "01890000-0000-7000-8000-000000000000"),
                                          ("status", "inactive"), ("created_at", "2020-01-01T00:00:00Z"),
                                          ("kind", "company"), ("photo_version", 5), ("sort_name", "a")])
def test_read_only_fields_cannot_be_patched(api, field, value):
    customer = customer_factory(last_name="Lee")
    before = _snapshot()
    response = api.patch(f"/customers/{customer.uuid}", {"notes": "x", field: value}, if_match=1)
    problem = assert_problem(response, 422, "validation-failed")
    assert pointers(problem) == {f"/{field}"}
    assert _snapshot() == before


@pytest.mark.parametrize("body, pointer", [
    ({"last_name": "\x00"}, "/last_name"), ({"first_name": "y" * 10_000}, "/first_name"),
    ({"phones": [{"number": "555-CALL-NOW-PLEASE"}]}, "/phones/0/number"),
    ({"tax_id": "ABC", "tax_id_country": "Narnia"}, "/tax_id_country"), ({"is_employee": None},
                                                                         "/is_employee"),
])
def test_bad_patch_is_422_and_nothing_changes(api, body, pointer):
    customer = customer_factory(last_name="Lee")
    before = _snapshot()
    problem = assert_problem(api.patch(f"/customers/{customer.uuid}", body, if_match=1), 422,
                             "validation-failed")
    assert pointer in pointers(problem)
    assert _snapshot() == before


def test_delete_needs_if_match_and_refuses_a_customer_with_history(api, system):
    from patron.customers import actions

    spare = customer_factory()
    assert_problem(api.delete(f"/customers/{spare.uuid}"), 428, "precondition-required")
    assert api.delete(f"/customers/{spare.uuid}", if_match=1).status_code == 204
    assert not Customer.objects.filter(pk=spare.pk).exists()

    talked_to = customer_factory()
    actions.log_message(actor=system, customer=talked_to, channel="phone", direction="inbound", body="Hi")
    assert_problem(api.delete(f"/customers/{talked_to.uuid}", if_match=1), 409, "customer-has-history")
    assert Customer.objects.filter(pk=talked_to.pk).exists()


# --- status and audit trail ---------------------------------------------------------------

def test_status_change_with_reason_and_its_history(api):
    customer = customer_factory()
    response = api.post(f"/customers/{customer.uuid}/status", {"status": "inactive", "reason": "Moved away"})
    assert response.status_code == 200
    assert (response.json()["status"], response["ETag"]) == ("inactive", '"2"')
    changes = api.get(f"/customers/{customer.uuid}/status-changes").json()
    assert [(item["from_status"], item["to_status"], item["reason"]) for item in changes["items"]] == \
        [("active", "inactive", "Moved away"), ("", "active", "Created")]
    assert changes["items"][0]["changed_by"].startswith("API: ")


def test_status_change_with_stale_if_match_is_412(api):
    customer = customer_factory()
    response = api.post(f"/customers/{customer.uuid}/status", {"status": "inactive"},
                        headers={"If-Match": '"5"'})
    assert_problem(response, 412, "stale-version")
    assert StatusChange.objects.filter(customer=customer).count() == 1


def test_audit_trail_shows_who_changed_what(api):
    customer = api.post("/customers", {"kind": "person", "last_name": "Lee"}).json()
    api.patch(f"/customers/{customer['id']}", {"last_name": "Li"}, if_match=1)
    trail = api.get(f"/customers/{customer['id']}/audit").json()["items"]
    assert [event["action"] for event in trail] == ["customer.updated", "customer.created"]
    assert trail[0]["changes"]["last_name"] == ["Lee", "Li"]
    assert trail[0]["actor"].startswith("API: ") and trail[0]["actor_kind"] == "token"


# --- list -----------------------------------------------------------------------------------

def test_list_filters_like_the_back_office(api, system):
    from patron.customers import actions

    anna = customer_factory(first_name="Anna", last_name="Zed", tags=["VIP"])
    bob = customer_factory(first_name="Bob", last_name="Young", phones=[{"number": "202 555 0143"}])
    gone = customer_factory(first_name="Carl", last_name="Xu")
    actions.deactivate_customer(actor=system, customer=gone)
    acme = customer_factory("company", name="Acme")

    def names(query: str) -> list[str]:
        response = api.get("/customers" + query)
        assert response.status_code == 200, response.content
        return [item["name"] for item in response.json()["items"]]

    assert names("?q=anna") == ["Anna Zed"]
    assert names("?q=555-0143") == ["Bob Young"]
    assert names("?tag=vip") == ["Anna Zed"]
    assert names("?kind=company") == ["Acme"]
    assert names("?status=inactive") == ["Carl Xu"]
    assert names("?status=inactive&status=active&kind=person") == ["Carl Xu", "Bob Young", "Anna Zed"]
    assert "Carl Xu" not in names("?till_only=true")
    store = Location.objects.get(code="S01")
    assert len(names(f"?available_at={store.uuid}&location={store.uuid}")) == 4
    assert names("?sort=-created")[0] == acme.name
    assert {anna.name, bob.name} <= set(names(""))


def test_list_with_unknown_location_or_sort_is_422(api):
    assert_problem(api.get("/customers?location=01890000-0000-7000-8000-000000000000"), 422,
                   "validation-failed")
    assert_problem(api.get("/customers?sort=balance"), 422, "validation-failed")
    assert_problem(api.get("/customers?q=" + "x" * 201), 422, "validation-failed")
    assert_problem(api.get("/customers?q=%00"), 422, "validation-failed")


def test_list_query_count_does_not_grow_with_the_page(api, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/customers?limit=100").status_code == 200
        return len(captured)

    company = customer_factory("company", name="Acme", tags=["B2B"],
                               addresses=[{"kind": "contact", "line1": "1 Road", "city": "Town"}])
    customer_factory(phones=[{"number": "202 555 0143"}], emails=[{"address": "a@example.com"}], tags=["VIP"])
    queries_for_a_page()  # the token's first use of the minute also notes when it was used
    few = queries_for_a_page()
    for index in range(8):
        customer_factory(phones=[{"number": "202 555 0143"}], emails=[{"address": f"p{index}@example.com"}],
                         tags=["VIP", f"T{index}"], addresses=[{"kind": "contact", "city": "Town"}])
    api.post(f"/customers/{company.uuid}/representatives", {"person": {"last_name": "Rep"}, "role": "Owner"})
    assert queries_for_a_page() == few
    with django_assert_max_num_queries(14):
        api.get("/customers?limit=100")
