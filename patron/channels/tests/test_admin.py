"""Configuring channels (admins only) and the reference functions the importer uses."""

import pytest
from django.utils import timezone

from patron.channels import actions, queries
from patron.channels.models import Channel, ExternalReference
from patron.channels.tests.support import customer_body, deliver
from patron.core.actors import system_actor
from patron.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory
from patron.privacy.erasure import erase_customer_data
from patron.staff.actions import create_user

pytestmark = pytest.mark.django_db


def _actor(role: str):
    from patron.core.actors import user_actor

    return user_actor(create_user(actor=system_actor(), username=f"u-{role}", password="correct horse battery 9",
                                  role=role))


def test_an_admin_creates_a_channel_and_gets_its_secret_once(system):
    admin = _actor(Role.ADMIN)
    channel, secret = actions.create_channel(actor=admin, code=" Webshop ", name="Our webshop")
    assert (channel.code, channel.name, channel.is_active) == ("webshop", "Our webshop", True)
    assert secret.startswith("pcs_") and len(secret) > 40 and channel.secret == secret
    event = AuditEvent.objects.get(action="channel.created")
    assert event.actor_label == "u-admin" and secret not in str(event.data)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASHIER])
def test_only_admins_configure_channels(role, system):
    channel, _ = actions.create_channel(actor=system, code="webshop", name="Our webshop")
    actor = _actor(role)
    for attempt in (lambda: actions.create_channel(actor=actor, code="other", name="Other"),
                    lambda: actions.rotate_secret(actor=actor, channel=channel),
                    lambda: actions.deactivate_channel(actor=actor, channel=channel)):
        with pytest.raises(PermissionDenied):
            attempt()
    channel.refresh_from_db()
    assert Channel.objects.count() == 1 and channel.is_active and not channel.previous_secret


@pytest.mark.parametrize("code, name, secret, field", [
    ("", "Shop", None, "code"), ("web shop", "Shop", None, "code"), ("-shop", "Shop", None, "code"),
    ("shop", "", None, "name"), ("shop", "Shop", "short", "secret"),
])
def test_channel_values_are_checked(system, code, name, secret, field):
    with pytest.raises(ValidationFailed) as refused:
        actions.create_channel(actor=system, code=code, name=name, secret=secret)
    assert field in refused.value.errors and not Channel.objects.exists()


def test_a_code_is_used_once(system):
    actions.create_channel(actor=system, code="webshop", name="One")
    with pytest.raises(Conflict):
        actions.create_channel(actor=system, code="WEBSHOP", name="Two")


def test_a_given_secret_is_kept_for_shopify(system):
    channel, secret = actions.create_channel(actor=system, code="shopify", name="Shopify",
                                             secret="shpss_0123456789abcdef0123")
    assert secret == channel.secret == "shpss_0123456789abcdef0123"


def test_rotation_keeps_the_old_secret_for_a_day_and_deactivation_stops_deliveries(system):
    channel, old = actions.create_channel(actor=system, code="webshop", name="Our webshop")
    channel, new = actions.rotate_secret(actor=system, channel=channel)
    assert new != old and channel.secrets_valid_at(timezone.now()) == [new, old]
    assert channel.secrets_valid_at(channel.previous_secret_expires_at) == [new]
    channel = actions.deactivate_channel(actor=system, channel=channel)
    assert not channel.is_active and queries.active_channel("webshop") is None
    assert queries.channel_by_code("WebShop") == channel
    with pytest.raises(NotFound):
        queries.channel_by_code("nosuch")
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "channel.created", "channel.secret_rotated", "channel.deactivated"]


def test_linked_references_make_later_deliveries_update_the_imported_customers(client, system):
    # given: customers imported from the webshop's export, linked by its ids
    channel, secret = actions.create_channel(actor=system, code="webshop", name="Our webshop")
    anna, ben = customer_factory(first_name="Anna"), customer_factory(first_name="Ben")
    manager = _actor(Role.MANAGER)
    # when
    linked = actions.link_references(actor=manager, channel=channel, pairs=[(anna.pk, "101"), (ben.pk, "102")])
    # then
    assert linked == 2
    assert queries.customer_ids_for_references(channel, ["101", "102", "103"]) == {"101": anna.pk, "102": ben.pk}
    assert actions.link_references(actor=manager, channel=channel, pairs=[(anna.pk, "101")]) == 0  # again: no-op
    with pytest.raises(Conflict):
        actions.link_references(actor=manager, channel=channel, pairs=[(ben.pk, "101")])
    with pytest.raises(PermissionDenied):
        actions.link_references(actor=_actor(Role.CASHIER), channel=channel, pairs=[(ben.pk, "104")])
    # when: the webshop delivers customer 101
    response = deliver(client, "webshop", secret, customer_body(external_id="101", first_name="Anna"))
    # then
    assert response.status_code == 200 and response.json()["customer_id"] == str(anna.uuid)
    assert Customer.objects.count() == 2 and ExternalReference.objects.count() == 2


def test_a_delivery_for_an_imported_customer_adopts_the_address_it_has_already(client, system):
    channel, secret = actions.create_channel(actor=system, code="webshop", name="Our webshop")
    imported = customer_factory(first_name="Maren", last_name="Holt", addresses=[
        {"kind": "contact", "label": "Home", "line1": "1 High Street", "city": "Leeds", "postal_code": "LS1 4AP",
         "country": "GB"}])
    actions.link_references(actor=system, channel=channel, pairs=[(imported.pk, "7210448301122")])
    response = deliver(client, "webshop", secret, customer_body())
    assert response.json() == {"outcome": "updated", "customer_id": str(imported.uuid),
                               "external_id": "7210448301122", "channel": "webshop"}
    assert list(imported.addresses.values_list("kind", "label", "line1")) == [("contact", "Home", "1 High Street")]
    assert [email.address for email in imported.emails.all()] == ["maren@example.com"]


def test_forgetting_a_customer_drops_the_webshop_copy_so_a_later_delivery_makes_a_new_customer(client, system):
    channel, secret = actions.create_channel(actor=system, code="webshop", name="Our webshop")
    first = deliver(client, "webshop", secret, customer_body(), key="d-1").json()["customer_id"]
    customer = Customer.objects.get(uuid=first)
    with pytest.raises(PermissionDenied):
        actions.forget_customer(actor=_actor(Role.MANAGER), customer=customer)
    assert actions.forget_customer(actor=system, customer=customer) == 1
    assert not ExternalReference.objects.exists()
    assert list(channel.deliveries.values_list("customer", "external_id")) == [(None, "")]
    erase_customer_data(customer)  # as the erasure that forgets it does: no longer anyone's likely duplicate
    again = deliver(client, "webshop", secret, customer_body(updated_at="2026-11-22T00:00:00Z"), key="d-2")
    assert again.status_code == 201 and again.json()["customer_id"] != first
