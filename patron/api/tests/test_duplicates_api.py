"""The duplicate check before creating, refusing a likely duplicate, and the review queue."""

import pytest

from patron.api.tests.conftest import assert_problem
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory
from patron.duplicates.models import DuplicatePair, PairStatus
from patron.duplicates.scan import full_scan

pytestmark = pytest.mark.django_db
ANNA = {"kind": "person", "first_name": "Anna", "last_name": "Meyer",
        "phones": [{"kind": "mobile", "number": "+49 151 23456789"}], "emails": [{"address": "anna.meyer@gmail.com"}]}


@pytest.fixture
def anna():
    return customer_factory(**{key: value for key, value in ANNA.items() if key != "kind"})


def test_duplicate_check_lists_candidates_with_score_and_reasons(api, anna):
    response = api.post("/customers/duplicate-check", {"kind": "person", "first_name": "ANNA", "last_name": "Meyer",
                                                       "emails": [{"address": "Anna.Meyer+shop@googlemail.com"}]})
    assert response.status_code == 200, response.content
    [candidate] = response.json()["candidates"]
    assert candidate["id"] == str(anna.uuid) and candidate["strength"] == "strong"
    assert candidate["reasons"] == "same e-mail, same name" and candidate["reason_codes"] == ["same_email", "same_name"]


def test_reasons_are_translated_where_they_are_shown():
    from django.utils import translation

    from patron.duplicates.rules import reason_words

    with translation.override("de"):
        assert reason_words(["same_phone", "same_name"]) == "gleiche Telefonnummer, gleicher Name"


def test_duplicate_check_without_candidates(api, anna):
    response = api.post("/customers/duplicate-check", {"kind": "person", "first_name": "Otto", "last_name": "Krause"})
    assert response.json() == {"candidates": []}


def test_refuse_answers_409_likely_duplicate_and_creates_nothing(api, anna):
    before = Customer.objects.count()
    response = api.post("/customers?on_duplicate=refuse", {**ANNA, "first_name": "Ana"})
    problem = assert_problem(response, 409, "likely-duplicate")
    assert [c["id"] for c in problem["candidates"]] == [str(anna.uuid)]
    assert problem["candidates"][0]["score"] >= 0.8
    assert Customer.objects.count() == before


def test_refuse_creates_when_nothing_is_strong(api, anna):
    response = api.post("/customers?on_duplicate=refuse",
                        {"kind": "person", "first_name": "Otto", "last_name": "Meyer"})
    assert response.status_code == 201


def test_create_anyway_is_audited(api, anna):
    response = api.post("/customers?on_duplicate=create", ANNA)
    assert response.status_code == 201
    event = AuditEvent.objects.get(action="customer.created_despite_duplicates")
    assert event.data["candidates"][0]["customer"] == str(anna.uuid)


def test_a_change_that_makes_a_likely_duplicate_is_refused_when_asked(api, anna):
    # given: another Anna, entered at the till with only her name
    other = customer_factory(first_name="Anna", last_name="Meyer-Schulz")
    path = f"/customers/{other.uuid}?on_duplicate=refuse"
    # when: the webshop gives her the first Anna's e-mail, written another way
    response = api.patch(path, {"last_name": "Meyer", "emails": [{"address": "ANNA.MEYER@googlemail.com"}]},
                         if_match=other.version)
    # then: refused with the candidate, and nothing changed
    problem = assert_problem(response, 409, "likely-duplicate")
    assert [c["id"] for c in problem["candidates"]] == [str(anna.uuid)]
    other.refresh_from_db()
    assert other.last_name == "Meyer-Schulz" and not other.emails.exists()
    # a change that makes no duplicate goes through, and "save anyway" is audited
    assert api.patch(path, {"notes": "regular"}, if_match=other.version).status_code == 200
    other.refresh_from_db()
    anyway = api.patch(f"/customers/{other.uuid}?on_duplicate=create",
                       {"last_name": "Meyer", "emails": [{"address": "anna.meyer@gmail.com"}]},
                       if_match=other.version)
    assert anyway.status_code == 200
    event = AuditEvent.objects.get(action="customer.changed_despite_duplicates")
    assert event.data["candidates"][0]["customer"] == str(anna.uuid)


def test_unknown_on_duplicate_is_refused(api):
    assert api.post("/customers?on_duplicate=maybe", ANNA).status_code == 422


def test_queue_list_show_and_not_same(api, api_as, anna):
    customer_factory(first_name="Ana", last_name="Meyer", phones=[{"number": "+49 151 23456789"}])
    full_scan()
    page = api.get("/duplicates").json()
    [pair] = page["items"]
    assert pair["reasons"] == "same phone, name similar"
    assert pair["merge_url"] == f"/customers/{pair['first']['id']}/merge/?others={pair['second']['id']}"
    assert api.get("/duplicates?reason=same_email").json()["items"] == []
    detail = api.get(f"/duplicates/{pair['id']}").json()
    assert {row["field"] for row in detail["fields"] if row["differs"]} >= {"name", "emails", "account_number"}
    assert_problem(api_as(Role.CASHIER).get("/duplicates"), 403, "permission-denied")
    assert_problem(api_as(Role.CASHIER).post(f"/duplicates/{pair['id']}/not-same"), 403, "permission-denied")
    response = api.post(f"/duplicates/{pair['id']}/not-same")
    assert response.status_code == 200 and response.json()["status"] == "not_same"
    assert api.get("/duplicates").json()["items"] == []
    full_scan(rebuild=True)
    assert DuplicatePair.objects.get().status == PairStatus.NOT_SAME
    assert_problem(api.get("/duplicates/999999"), 404, "duplicate-pair-not-found")
