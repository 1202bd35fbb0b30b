"""`patron channel ...` run in this process against the test database."""


import pytest

from patron.channels.models import Channel
from patron.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_add_prints_the_secret_once_list_never_shows_it_rotate_and_deactivate(cli):
    # when
    status, out, err = cli("channel", "add", "webshop", "--name", "Our webshop", "--store", "S01")
    # then
    secret = out.strip()
    channel = Channel.objects.get()
    assert status == 0 and "shown only this once" in err and secret == channel.secret
    assert channel.location.code == "S01"
    status, listing, _ = cli("channel", "list")
    assert status == 0 and "webshop" in listing and "Our webshop" in listing and secret not in listing
    # when
    status, out, err = cli("channel", "rotate", "webshop")
    # then
    channel.refresh_from_db()
    assert status == 0 and out.strip() == channel.secret != secret and channel.previous_secret == secret
    assert cli("channel", "deactivate", "webshop")[1].startswith("Deactivated: channel webshop")
    assert cli("channel", "deactivate", "webshop")[1].startswith("Already inactive")
    assert AuditEvent.objects.filter(actor_label="cli", action__startswith="channel.").count() == 3


def test_a_secret_from_stdin_is_kept_and_not_echoed(cli):
    status, out, _ = cli("channel", "add", "shopify", "--name", "Shopify", "--secret-stdin",
                         stdin="shpss_0123456789abcdef0123\n")
    assert status == 0 and out == "" and Channel.objects.get().secret == "shpss_0123456789abcdef0123"


@pytest.mark.parametrize("args, message", [
    (("channel", "add", "Web Shop", "--name", "X"), "code"),
    (("channel", "rotate", "nosuch"), "No webshop channel has the code"),
])
def test_refusals_are_one_line(cli, args, message):
    status, _, err = cli(*args)
    assert status == 1 and err.count("\n") == 1 and message in err and "Traceback" not in err


def test_purging_the_delivery_log_keeps_recent_entries_and_an_old_repeat_changes_nothing(cli, client, system):
    from datetime import timedelta

    from django.utils import timezone

    from patron.channels.actions import create_channel
    from patron.channels.models import Delivery
    from patron.channels.tests.support import customer_body, deliver
    from patron.customers.models import Customer

    # given: one delivery 31 days old, one from today
    _, secret = create_channel(actor=system, code="webshop", name="Our webshop")
    deliver(client, "webshop", secret, customer_body(), key="old")
    Delivery.objects.update(received_at=timezone.now() - timedelta(days=31))
    deliver(client, "webshop", secret, customer_body(external_id="2", first_name="Ole", last_name="Berg",
                                                     email="ole@example.com", phone=None), key="new")
    audit = AuditEvent.objects.count()
    # when
    status, out, _ = cli("channel", "purge-deliveries")
    # then
    assert status == 0 and out.startswith("Deleted 1 delivery log entries")
    assert list(Delivery.objects.values_list("key", flat=True)) == ["new"]
    again = deliver(client, "webshop", secret, customer_body(), key="old")
    assert again.json()["outcome"] == "unchanged" and Customer.objects.count() == 2
    assert AuditEvent.objects.count() == audit
