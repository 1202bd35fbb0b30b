"""Webshop deliveries through the API: signed, idempotent by the channel's reference, applied
through the customer actions."""

import json
import math
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from patron.api.tests.conftest import assert_problem, pointers
from patron.channels.actions import deactivate_channel, rotate_secret
from patron.channels.models import Delivery, ExternalReference
from patron.channels.tests.support import customer_body, deliver, deliver_shopify
from patron.core.models import AuditEvent
from patron.customers import actions as customer_actions
from patron.customers.models import Customer
from patron.marketing.models import ConsentEvent

pytestmark = pytest.mark.django_db


def _written() -> tuple:
    return (Customer.objects.count(), AuditEvent.objects.count(), ExternalReference.objects.count(),
            Delivery.objects.count(), ConsentEvent.objects.count())


def _customer(response) -> Customer:
    return Customer.objects.get(uuid=response.json()["customer_id"])


# --- creating ---------------------------------------------------------------------------------------

def test_a_signed_delivery_creates_the_customer_through_the_actions_and_records_its_source(client, shop):
    # when
    response = deliver(client, "webshop", shop.test_secret, customer_body(
        email_marketing_consent={"state": "subscribed", "consent_updated_at": "2026-11-19T08:00:00Z"}))
    # then
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "created" and response.json()["external_id"] == "7210448301122"
    customer = _customer(response)
    assert response["Location"] == f"/api/v1/customers/{customer.uuid}"
    assert (customer.first_name, customer.last_name, customer.notes) == ("Maren", "Holt", "Ships to the office")
    assert [email.address for email in customer.emails.all()] == ["maren@example.com"]
    assert [phone.e164 for phone in customer.phones.all()] == ["+447911123456"]  # normalised by the actions
    assert sorted(tag.name for tag in customer.tags.all()) == ["newsletter", "web"]
    address = customer.addresses.get()
    assert (address.kind, address.line1, address.postal_code, address.country) == ("contact", "1 High Street",
                                                                                   "LS1 4AP", "GB")
    reference = ExternalReference.objects.get()
    assert (reference.channel, reference.external_id, reference.customer) == (shop, "7210448301122", customer)
    created = AuditEvent.objects.get(action="customer.created")
    assert created.actor_label == "channel: webshop" and created.customer_uuid == customer.uuid
    received = AuditEvent.objects.get(action="channel.customer_received")
    assert received.data == {"channel": "webshop", "external_id": "7210448301122", "source": "webshop"}
    consent = ConsentEvent.objects.get()
    assert (consent.channel, consent.granted, consent.source) == ("email", True, "webshop")
    assert consent.occurred_at.isoformat() == "2026-11-19T08:00:00+00:00"


def test_a_customer_known_only_by_e_mail_is_named_by_it(client, shop):
    body = customer_body(first_name=None, last_name=None, addresses=[])
    response = deliver(client, "webshop", shop.test_secret, body)
    assert response.status_code == 201, response.content
    assert _customer(response).name == "maren@example.com"


# --- idempotency ------------------------------------------------------------------------------------

def test_a_repeated_delivery_is_answered_with_its_first_outcome_and_writes_nothing(client, shop):
    # given
    first = deliver(client, "webshop", shop.test_secret, customer_body(), key="delivery-1")
    before, version = _written(), _customer(first).version
    # when: the same delivery again, signed anew a few seconds later
    again = deliver(client, "webshop", shop.test_secret, customer_body(), key="delivery-1",
                    timestamp=int(time.time()) + 3)
    # then
    assert again.status_code == 201 and again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert _written() == before and _customer(again).version == version


def test_the_same_customer_under_a_new_delivery_id_changes_nothing_and_audits_nothing(client, shop):
    first = deliver(client, "webshop", shop.test_secret, customer_body(), key="delivery-1")
    audit, version = AuditEvent.objects.count(), _customer(first).version
    # when
    again = deliver(client, "webshop", shop.test_secret, customer_body(), key="delivery-2")
    # then
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    assert _customer(again) == _customer(first) and _customer(again).version == version
    assert AuditEvent.objects.count() == audit and Customer.objects.count() == 1


def test_a_delivery_id_reused_for_another_body_is_refused(client, shop):
    deliver(client, "webshop", shop.test_secret, customer_body(), key="delivery-1")
    before = _written()
    response = deliver(client, "webshop", shop.test_secret, customer_body(first_name="Other"), key="delivery-1")
    assert_problem(response, 409, "delivery-id-reused")
    assert _written() == before


def test_an_older_delivery_after_a_newer_one_does_not_overwrite_it(client, shop):
    # given: the webshop's later change arrives first
    newer = customer_body(updated_at="2026-11-21T10:00:00Z", first_name="Marena", email="marena@example.com")
    deliver(client, "webshop", shop.test_secret, newer)
    before = _written()
    # when
    older = deliver(client, "webshop", shop.test_secret, customer_body(updated_at="2026-11-20T10:00:00Z"))
    # then
    assert older.status_code == 200 and older.json()["outcome"] == "stale"
    customer = _customer(older)
    assert customer.first_name == "Marena"
    assert [email.address for email in customer.emails.all()] == ["marena@example.com"]
    assert _written()[:3] == before[:3]  # no customer, audit entry or reference more


# --- updating -----------------------------------------------------------------------------------------

def test_a_newer_delivery_applies_what_the_webshop_changed_and_keeps_what_the_shop_edited(client, shop, system):
    # given: a customer from the webshop, then edited in the shop
    customer = _customer(deliver(client, "webshop", shop.test_secret, customer_body()))
    customer_actions.update_customer(actor=system, customer=customer, values={
        "notes": "Call before delivery", "emails": [{"address": "maren@example.com"},
                                                      {"kind": "work", "address": "m.holt@work.example"}]})
    # when: the webshop changes the e-mail and the name, the note as before
    response = deliver(client, "webshop", shop.test_secret, customer_body(
        updated_at="2026-11-22T09:00:00Z", last_name="Holt-Berg", email="maren@new.example", tags="web, vip"))
    # then
    assert response.status_code == 200 and response.json()["outcome"] == "updated"
    customer.refresh_from_db()
    assert (customer.last_name, customer.notes) == ("Holt-Berg", "Call before delivery")
    assert [email.address for email in customer.emails.order_by("position")] == ["maren@new.example",
                                                                                  "m.holt@work.example"]
    assert sorted(tag.name for tag in customer.tags.all()) == ["vip", "web"]
    updated = AuditEvent.objects.filter(action="customer.updated").latest("id")
    assert updated.actor_label == "channel: webshop"
    assert updated.changes["last_name"] == ["Holt", "Holt-Berg"]


def test_addresses_follow_the_webshop_but_one_removed_in_the_shop_stays_removed(client, shop, system):
    customer = _customer(deliver(client, "webshop", shop.test_secret, customer_body(addresses=[
        {"id": 11, "default": True, "address1": "1 High Street", "city": "Leeds", "country_code": "GB"},
        {"id": 12, "address1": "9 Dock Road", "city": "Hull", "country_code": "GB"}])))
    assert sorted(customer.addresses.values_list("kind", flat=True)) == ["contact", "shipping"]
    customer_actions.remove_address(actor=system, address=customer.addresses.get(kind="shipping"))
    # when: the webshop moves the default address and adds one; the removed one it still sends
    deliver(client, "webshop", shop.test_secret, customer_body(updated_at="2026-11-22T09:00:00Z", addresses=[
        {"id": 11, "default": True, "address1": "2 High Street", "city": "Leeds", "country_code": "GB"},
        {"id": 12, "address1": "9 Dock Road", "city": "Hull", "country_code": "GB"},
        {"id": 13, "address1": "4 Mill Lane", "city": "York", "country_code": "GB"}]))
    # then
    assert sorted(customer.addresses.values_list("kind", "line1")) == [("contact", "2 High Street"),
                                                                       ("shipping", "4 Mill Lane")]
    # when: the webshop deletes address 13
    deliver(client, "webshop", shop.test_secret, customer_body(updated_at="2026-11-23T09:00:00Z", addresses=[
        {"id": 11, "default": True, "address1": "2 High Street", "city": "Leeds", "country_code": "GB"}]))
    assert list(customer.addresses.values_list("line1", flat=True)) == ["2 High Street"]


def test_a_withdrawal_in_the_webshop_is_recorded_once(client, shop):
    subscribed = {"state": "subscribed"}
    deliver(client, "webshop", shop.test_secret, customer_body(sms_marketing_consent=subscribed))
    deliver(client, "webshop", shop.test_secret, customer_body(updated_at="2026-11-21T09:00:00Z",
                                                               sms_marketing_consent={"state": "unsubscribed"}))
    deliver(client, "webshop", shop.test_secret, customer_body(updated_at="2026-11-22T09:00:00Z",
                                                               sms_marketing_consent={"state": "unsubscribed"}))
    assert list(ConsentEvent.objects.order_by("id").values_list("channel", "granted", "source")) == [
        ("sms", True, "webshop"), ("sms", False, "webshop")]


# --- refusals -----------------------------------------------------------------------------------------

def _now() -> int:
    return int(time.time())


@pytest.mark.parametrize("case", ["wrong secret", "expired", "future", "no signature", "unknown channel",
                                  "inactive channel", "body changed", "malformed timestamp"])
def test_unsigned_deliveries_get_401_and_write_nothing(client, shop, system, case):
    # given
    body, code, secret, timestamp, headers = customer_body(), "webshop", shop.test_secret, None, None
    if case == "wrong secret":
        secret = "pcs_" + "x" * 40
    elif case == "expired":
        timestamp = _now() - 301
    elif case == "future":
        timestamp = math.ceil(time.time()) + 301  # not _now(): rounded down, it is up to a second less ahead
    elif case == "no signature":
        headers = {"X-Patron-Signature": ""}
    elif case == "unknown channel":
        code = "nosuchshop"
    elif case == "inactive channel":
        deactivate_channel(actor=system, channel=shop)
    elif case == "malformed timestamp":
        headers = {"X-Patron-Timestamp": "yesterday"}
    before = _written()
    # when
    if case == "body changed":  # signed, then altered on the way
        raw = json.dumps(body).encode()
        from patron.channels.tests.support import signed_headers
        response = client.generic("POST", "/api/v1/channels/webshop/customers", data=raw.replace(b"Maren", b"Karen"),
                                  content_type="application/json", headers=signed_headers(secret, raw))
    else:
        response = deliver(client, code, secret, body, timestamp=timestamp, headers=headers)
    # then
    problem = assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("HMAC-SHA256")
    assert _written() == before
    if case in ("unknown channel", "inactive channel", "wrong secret"):  # the same answer: nothing to learn
        assert problem["detail"] in ("The X-Patron-Signature signature does not match.",
                                     "The delivery is not signed by an active channel with this code.")


def test_unknown_and_inactive_channels_look_like_a_bad_signature(client, shop, system):
    unknown = deliver(client, "nosuchshop", shop.test_secret, customer_body())
    deactivate_channel(actor=system, channel=shop)
    inactive = deliver(client, "webshop", shop.test_secret, customer_body())
    assert unknown.json()["detail"] == inactive.json()["detail"] == "The X-Patron-Signature signature does not match."


def test_after_a_rotation_the_previous_secret_works_until_its_overlap_ends(client, shop, system):
    old = shop.test_secret
    channel, new = rotate_secret(actor=system, channel=shop)
    assert deliver(client, "webshop", new, customer_body(external_id="1")).status_code == 201
    assert deliver(client, "webshop", old, customer_body(external_id="2", first_name="Ole",
                                                         email="ole@example.com")).status_code == 201
    channel.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)
    channel.save()
    assert_problem(deliver(client, "webshop", old, customer_body(external_id="3")), 401, "unauthenticated")


def test_invalid_values_get_422_with_pointers_and_write_nothing(client, shop):
    before = _written()
    response = deliver(client, "webshop", shop.test_secret, customer_body(
        email="maren(at)example.com", addresses=[{"id": 1, "address1": "1 Road", "country_code": "XX"}]))
    problem = assert_problem(response, 422, "validation-failed")
    assert pointers(problem) == {"/email", "/addresses/0/country_code"}
    assert _written() == before


def test_values_the_customer_actions_refuse_point_at_the_delivery(client, shop):
    response = deliver(client, "webshop", shop.test_secret, customer_body(tags=["x" * 51]))
    assert pointers(assert_problem(response, 422, "validation-failed")) == {"/tags/0"}
    response = deliver(client, "webshop", shop.test_secret, customer_body(note="bad\x07bell"))
    assert pointers(assert_problem(response, 422, "validation-failed")) == {"/note"}
    response = deliver(client, "webshop", shop.test_secret, customer_body(last_name="Holt\u202egpj.exe"))
    assert pointers(assert_problem(response, 422, "validation-failed")) == {"/last_name"}
    assert Customer.objects.count() == 0


def test_invisible_characters_a_webshop_sends_are_dropped(client, shop):
    response = deliver(client, "webshop", shop.test_secret, customer_body(first_name="\ufeffMaren",
                                                                           last_name="Ho\u200blt\u200f"))
    assert response.status_code == 201, response.content
    assert Customer.objects.get().name == "Maren Holt"


def test_unknown_fields_and_broken_json_are_refused_for_patron_signed_deliveries(client, shop):
    response = deliver(client, "webshop", shop.test_secret, customer_body(total_spent="12.00"))
    assert pointers(assert_problem(response, 422, "validation-failed")) == {"/total_spent"}
    response = deliver(client, "webshop", shop.test_secret, {"first_name": "No id"})
    assert pointers(assert_problem(response, 422, "validation-failed")) == {"/id", "/updated_at"}
    assert_problem(deliver(client, "webshop", shop.test_secret, b"{not json"), 400, "invalid-json")
    assert Customer.objects.count() == 0


# --- Shopify ------------------------------------------------------------------------------------------

SHOPIFY_WEBHOOK = {  # customers/update as Shopify sends it (fields Patron does not keep included)
    "id": 706405506930370084, "email": "bob@biller.example", "created_at": "2026-11-01T10:00:00-04:00",
    "updated_at": "2026-11-20T12:00:00-04:00", "first_name": "Bob", "last_name": "Biller", "orders_count": 0,
    "state": "enabled", "total_spent": "0.00", "last_order_id": None, "note": "This customer loves ice cream",
    "verified_email": True, "multipass_identifier": None, "tax_exempt": False, "tags": "loyal, vip",
    "last_order_name": None, "currency": "GBP", "phone": "+442071838750",
    "addresses": [{"id": 1053317291, "customer_id": 706405506930370084, "first_name": "Bob", "last_name": "Biller",
                   "company": None, "address1": "151 O'Connor Street", "address2": "", "city": "Ottawa",
                   "province": "Ontario", "country": "Canada", "zip": "K2P 2L8", "phone": "555-625-1199",
                   "name": "Bob Biller", "province_code": "ON", "country_code": "CA", "country_name": "Canada",
                   "default": True}],
    "tax_exemptions": [], "admin_graphql_api_id": "gid://shopify/Customer/706405506930370084",
    "email_marketing_consent": {"state": "subscribed", "opt_in_level": "single_opt_in",
                                "consent_updated_at": "2026-11-02T10:00:00-04:00"},
    "sms_marketing_consent": None,
}


def test_a_shopify_webhook_signed_by_shopify_creates_the_customer(client, shop):
    response = deliver_shopify(client, "webshop", shop.test_secret, SHOPIFY_WEBHOOK, webhook_id="b54557e4-1")
    assert response.status_code == 201, response.content
    customer = _customer(response)
    assert (customer.name, customer.addresses.get().country) == ("Bob Biller", "CA")
    assert ExternalReference.objects.get().external_id == "706405506930370084"
    again = deliver_shopify(client, "webshop", shop.test_secret, SHOPIFY_WEBHOOK, webhook_id="b54557e4-1")
    assert again["Idempotent-Replayed"] == "true" and Customer.objects.count() == 1
    forged = deliver_shopify(client, "webshop", "pcs_" + "y" * 40, {**SHOPIFY_WEBHOOK, "id": 1})
    assert_problem(forged, 401, "unauthenticated")
