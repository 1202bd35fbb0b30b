"""The consent history: who said yes or no, on which channel, when, through what, with what proof."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from patron.core.actors import system_actor
from patron.core.db import append_only_unlocked
from patron.core.errors import PermissionDenied, RuleViolation, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers import actions as customer_actions
from patron.customers.tests.factories import customer_factory
from patron.marketing.actions import record_consent, record_consents_in_bulk
from patron.marketing.models import ConsentEvent
from patron.marketing.queries import consent_history, latest_consents

pytestmark = pytest.mark.django_db


def _cashier():
    from patron.core.actors import Actor

    return Actor(kind="user", label="anna", role=Role.CASHIER, user_id=None)


def test_consent_is_recorded_with_source_actor_time_and_proof_and_audited(system):
    customer = customer_factory()
    at = timezone.now() - timedelta(hours=2)
    event = record_consent(actor=_cashier(), customer=customer, channel="email", granted=True, source="pos",
                           proof="signed at till 3", occurred_at=at)
    assert (event.channel, event.granted, event.source, event.proof, event.actor_label, event.occurred_at) == (
        "email", True, "pos", "signed at till 3", "anna", at)
    audit = AuditEvent.objects.get(action="consent.granted")
    assert audit.customer_uuid == customer.uuid and audit.actor_label == "anna"
    assert audit.data["channel"] == "email" and audit.data["source"] == "pos"


def test_the_same_answer_again_writes_nothing_and_returns_the_latest(system):
    customer = customer_factory()
    first = record_consent(actor=system, customer=customer, channel="email", granted=True, source="webshop")
    again = record_consent(actor=system, customer=customer, channel="email", granted=True, source="pos")
    assert again == first
    assert ConsentEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="consent.").count() == 1


def test_history_keeps_every_change_and_latest_is_per_channel(system):
    customer = customer_factory()
    now = timezone.now()
    record_consent(actor=system, customer=customer, channel="email", granted=True, source="webshop",
                   occurred_at=now - timedelta(days=3))
    record_consent(actor=system, customer=customer, channel="sms", granted=True, source="pos",
                   occurred_at=now - timedelta(days=2))
    record_consent(actor=system, customer=customer, channel="email", granted=False, source="newsletter",
                   occurred_at=now - timedelta(days=1))
    history = list(consent_history(customer))
    assert [(event.channel, event.granted) for event in history] == [("email", False), ("sms", True),
                                                                     ("email", True)]
    latest = latest_consents([customer.pk])[customer.pk]
    assert latest["email"].granted is False and latest["sms"].granted is True
    assert latest_consents([customer.pk + 999]) == {}


def test_consent_events_cannot_be_changed_or_deleted(system):
    customer = customer_factory()
    event = record_consent(actor=system, customer=customer, channel="sms", granted=True, source="pos")
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk).update(granted=False)
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk).delete()
    with append_only_unlocked():
        ConsentEvent.objects.filter(pk=event.pk).update(proof="erased")
    assert ConsentEvent.objects.get(pk=event.pk).proof == "erased"


def test_a_customer_with_consent_records_has_history_and_cannot_be_deleted(system):
    customer = customer_factory()
    record_consent(actor=system, customer=customer, channel="email", granted=True, source="back_office")
    with pytest.raises(RuleViolation, match="1 consent record"):
        customer_actions.delete_customer(actor=system, customer=customer, expected_version=customer.version)


@pytest.mark.parametrize("changes, field", [
    ({"channel": "fax"}, "channel"),
    ({"source": "phone"}, "source"),
    ({"granted": "yes"}, "granted"),
    ({"proof": "x" * 501}, "proof"),
    ({"occurred_at": timezone.now().replace(tzinfo=None)}, "occurred_at"),
    ({"occurred_at": timezone.now() + timedelta(days=1)}, "occurred_at"),
])
def test_bad_values_are_refused_and_nothing_is_written(system, changes, field):
    customer = customer_factory()
    values = {"channel": "email", "granted": True, "source": "pos", **changes}
    with pytest.raises(ValidationFailed) as refused:
        record_consent(actor=system, customer=customer, **values)
    assert field in refused.value.errors
    assert ConsentEvent.objects.count() == 0


def test_recording_needs_the_permission(system):
    from patron.core.actors import Actor

    nobody = Actor(kind="user", label="x", role="visitor")
    with pytest.raises(PermissionDenied):
        record_consent(actor=nobody, customer=customer_factory(), channel="email", granted=True, source="pos")


def test_bulk_records_changes_only_in_time_order_with_one_audit_each(system):
    first, second = customer_factory(), customer_factory()
    record_consent(actor=system, customer=first, channel="email", granted=True, source="webshop",
                   occurred_at=timezone.now() - timedelta(days=10))
    now = timezone.now()
    entries = [
        {"customer_id": first.pk, "channel": "email", "granted": True, "source": "import", "proof": "",
         "occurred_at": now - timedelta(days=5)},  # unchanged: skipped
        {"customer_id": second.pk, "channel": "email", "granted": False, "source": "import", "proof": "row 3",
         "occurred_at": now - timedelta(days=1)},
        {"customer_id": second.pk, "channel": "email", "granted": True, "source": "import", "proof": "row 2",
         "occurred_at": now - timedelta(days=2)},
        {"customer_id": second.pk, "channel": "sms", "granted": True, "source": "import", "proof": "row 4",
         "occurred_at": now - timedelta(days=2)},
    ]
    assert record_consents_in_bulk(actor=system, entries=entries) == 3
    latest = latest_consents([first.pk, second.pk])
    assert latest[second.pk]["email"].granted is False and latest[second.pk]["email"].proof == "row 3"
    assert latest[second.pk]["sms"].granted is True
    assert AuditEvent.objects.filter(action__startswith="consent.", customer_uuid=second.uuid).count() == 3
    assert record_consents_in_bulk(actor=system, entries=entries) == 0


def test_bulk_checks_every_entry_before_writing_any(system):
    customer = customer_factory()
    entries = [
        {"customer_id": customer.pk, "channel": "email", "granted": True, "source": "import"},
        {"customer_id": customer.pk + 1000, "channel": "email", "granted": True, "source": "import"},
        {"customer_id": customer.pk, "channel": "post", "granted": True, "source": "import"},
    ]
    with pytest.raises(ValidationFailed) as refused:
        record_consents_in_bulk(actor=system, entries=entries)
    assert set(refused.value.errors) == {"1.customer_id", "2.channel"}
    assert ConsentEvent.objects.count() == 0


def test_withdrawal_by_the_system_actor_is_labelled():
    customer = customer_factory()
    event = record_consent(actor=system_actor("cli"), customer=customer, channel="sms", granted=False,
                           source="back_office")
    assert event.actor_label == "cli"


def test_an_answer_older_than_the_current_state_does_not_override_it(system):
    customer = customer_factory()
    now = timezone.now()
    newer = record_consent(actor=system, customer=customer, channel="email", granted=False, source="webshop",
                           occurred_at=now - timedelta(hours=1))
    late = record_consent(actor=system, customer=customer, channel="email", granted=True, source="pos",
                          occurred_at=now - timedelta(hours=3))
    assert late == newer and ConsentEvent.objects.count() == 1
