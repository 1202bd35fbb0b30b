"""Idempotency-Key on POST: replays, mismatches, scoping, stored refusals and retention."""

from datetime import timedelta

import pytest
from django.utils import timezone

from patron.api.idempotency import purge_expired_records
from patron.api.models import IdempotencyRecord
from patron.api.tests.conftest import assert_problem
from patron.core.permissions import Role
from patron.customers.models import Customer, StatusChange
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db
NEW_PERSON = {"kind": "person", "last_name": "Lee"}


def _key(value: str = "order-0001") -> dict:
    return {"Idempotency-Key": value}


def test_retries_replay_the_first_answer_byte_for_byte_without_a_second_customer(api):
    first = api.post("/customers", NEW_PERSON, headers=_key())
    assert first.status_code == 201
    assert not first.has_header("Idempotent-Replayed")
    for _ in range(5):
        again = api.post("/customers", {"last_name": "Lee", "kind": "person"},
                         headers=_key())  # same JSON value
        assert (again.status_code, again.content) == (201, first.content)
        assert (again["ETag"], again["Location"], again["Content-Type"]) == \
            (first["ETag"], first["Location"], first["Content-Type"])
        assert again["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_same_key_with_another_body_is_422_and_has_no_effect(api):
    api.post("/customers", NEW_PERSON, headers=_key())
    assert_problem(api.post("/customers", {**NEW_PERSON, "last_name": "Other"}, headers=_key()),
                   422, "idempotency-key-reused")
    assert list(Customer.objects.values_list("last_name", flat=True)) == ["Lee"]


def test_same_key_on_another_route_is_422_and_has_no_effect(api):
    customer = customer_factory()
    api.post("/customers", NEW_PERSON, headers=_key())
    assert_problem(api.post(f"/customers/{customer.uuid}/messages",
                            {"channel": "phone", "direction": "inbound", "body": "Hi"}, headers=_key()),
                   422, "idempotency-key-reused")
    assert not customer.messages.exists()


def test_keys_are_scoped_to_the_token(api_as):
    till_one, till_two = api_as(Role.CASHIER), api_as(Role.CASHIER)
    first = till_one.post("/customers", NEW_PERSON, headers=_key())
    second = till_two.post("/customers", NEW_PERSON, headers=_key())
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert not second.has_header("Idempotent-Replayed")
    assert Customer.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\tkey"])
def test_key_outside_printable_ascii_is_400(api, key):
    assert_problem(api.post("/customers", NEW_PERSON, headers=_key(key)), 400, "invalid-idempotency-key")
    assert not Customer.objects.exists()


def test_sql_and_html_in_keys_are_just_characters(api):
    key = "'; DROP TABLE api_idempotencyrecord; -- <script>"
    assert api.post("/customers", NEW_PERSON, headers=_key(key)).status_code == 201
    assert api.post("/customers", NEW_PERSON, headers=_key(key))["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.get().key == key


@pytest.mark.parametrize("bad_body", [
    {"kind": "person", "last_name": "Lee", "version": 2},  # refused by the schema
    {"kind": "person", "last_name": "Lee", "phones": [{"number": "12"}]},  # refused by the action
])
def test_input_refusals_are_not_stored_so_the_corrected_request_may_reuse_the_key(api, bad_body):
    assert api.post("/customers", bad_body, headers=_key()).status_code == 422
    assert not IdempotencyRecord.objects.exists()
    corrected = api.post("/customers", NEW_PERSON, headers=_key())
    assert corrected.status_code == 201
    assert Customer.objects.count() == 1


def test_business_refusals_are_stored_and_replayed_even_when_the_state_changes(api, system):
    from patron.customers import actions

    holder = customer_factory(account_number="A-1")
    refused = api.post("/customers", {**NEW_PERSON, "account_number": "A-1"}, headers=_key())
    assert_problem(refused, 409, "account-number-taken")
    actions.update_customer(actor=system, customer=holder, values={"account_number": "B-1"})  # now free
    again = api.post("/customers", {**NEW_PERSON, "account_number": "A-1"}, headers=_key())
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (409, refused.content, "true")
    assert Customer.objects.count() == 1


def test_a_refused_permission_is_replayed_as_well(api_as):
    cashier = api_as(Role.CASHIER)
    customer = customer_factory()
    path = f"/customers/{customer.uuid}/status"
    assert_problem(cashier.post(path, {"status": "inactive"}, headers=_key()), 403, "permission-denied")
    assert cashier.post(path, {"status": "inactive"}, headers=_key())["Idempotent-Replayed"] == "true"
    assert StatusChange.objects.filter(customer=customer).count() == 1


def test_records_expire_after_the_retention_window(api, settings):
    first = api.post("/customers", NEW_PERSON, headers=_key())
    record = IdempotencyRecord.objects.get()
    record.created_at = timezone.now() - timedelta(days=6, hours=23)
    record.save()
    assert api.post("/customers", NEW_PERSON, headers=_key()).content == first.content
    record.created_at = timezone.now() - timedelta(days=7, minutes=1)
    record.save()
    later = api.post("/customers", NEW_PERSON, headers=_key())
    assert later.status_code == 201 and not later.has_header("Idempotent-Replayed")
    assert Customer.objects.count() == 2


def test_purge_deletes_only_expired_records(api):
    for index in range(3):
        api.post("/customers", NEW_PERSON, headers=_key(f"k{index}"))
    IdempotencyRecord.objects.filter(key__in=["k0",
                                              "k1"]).update(created_at=timezone.now() - timedelta(days=8))
    assert purge_expired_records(batch_size=1) == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k2"]


def test_photo_uploads_replay_too(api):
    from patron.api.tests.test_customer_parts import _image

    customer = customer_factory()
    path = f"/customers/{customer.uuid}/photo"
    image = _image()
    first = api.post(path, raw=image, content_type="image/png", headers=_key())
    again = api.post(path, raw=image, content_type="image/png", headers=_key())
    assert (again.content, again["Idempotent-Replayed"]) == (first.content, "true")
    customer.refresh_from_db()
    assert customer.photo_version == 1


def test_purge_command_reports_what_it_deleted(api):
    from io import StringIO

    from django.core.management import call_command

    api.post("/customers", NEW_PERSON, headers=_key())
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=30))
    output = StringIO()
    call_command("purge_idempotency_keys", stdout=output)
    assert "Purged 1 " in output.getvalue()
    assert not IdempotencyRecord.objects.exists()
