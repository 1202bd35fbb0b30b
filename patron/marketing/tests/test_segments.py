"""Segments: saved filters over customers, each criterion checked against customers it must keep
and customers it must leave out."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from patron.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from patron.core.models import AuditEvent
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory
from patron.locations.actions import create_location, save_location_group
from patron.locations.queries import default_location
from patron.marketing.actions import create_segment, delete_segment, describe_segment, record_consent, update_segment
from patron.marketing.models import Segment
from patron.marketing.queries import get_segment, segment_customers

pytestmark = pytest.mark.django_db


def _keeps(segment) -> set[int]:
    return set(segment_customers(segment).values_list("pk", flat=True))


def _figures(customer, spent: str, last: datetime | None):
    # Purchase figures are written by the sales app as sales are recorded; set here directly.
    Customer.objects.filter(pk=customer.pk).update(total_purchases=Decimal(spent), last_purchase_at=last)


def test_each_criterion_keeps_exactly_its_customers(system):
    store = default_location()
    branch = create_location(actor=system, code="NORTH", name="North", kind="branch", parent=store.parent)
    north_store = create_location(actor=system, code="N1", name="North 1", kind="store", parent=branch)
    group = save_location_group(actor=system, name="North group", locations=[branch])
    vip = customer_factory(tags=["VIP"], status="active")
    north = customer_factory(home_location=north_store, location_groups=[group])
    inactive = customer_factory(status="inactive")
    big = customer_factory()
    _figures(big, "900.00", timezone.make_aware(datetime(2026, 3, 1, 12)))
    _figures(vip, "50.00", timezone.make_aware(datetime(2025, 6, 1, 12)))
    everyone = {vip.pk, north.pk, inactive.pk, big.pk}

    def keeps(**values):
        segment = create_segment(actor=system, values={"name": f"S{Segment.objects.count()}", **values})
        return _keeps(segment)

    assert keeps() == everyone
    assert keeps(statuses=["inactive"]) == {inactive.pk}
    assert keeps(tags=["vip"]) == {vip.pk}
    assert keeps(home_location=branch) == {north.pk}
    assert keeps(location_group=group) == {north.pk}
    assert keeps(min_total_spend="100") == {big.pk}
    assert keeps(max_total_spend="100") == everyone - {big.pk}
    assert keeps(min_total_spend="10", max_total_spend="60") == {vip.pk}
    assert keeps(last_purchase_after="2026-01-01") == {big.pk}
    assert keeps(last_purchase_before="2026-01-01") == {vip.pk}


def test_consent_criteria_follow_the_latest_answer(system):
    granted, withdrawn, never = customer_factory(), customer_factory(), customer_factory()
    now = timezone.now()
    record_consent(actor=system, customer=granted, channel="email", granted=True, source="pos",
                   occurred_at=now - timedelta(days=2))
    record_consent(actor=system, customer=withdrawn, channel="email", granted=True, source="pos",
                   occurred_at=now - timedelta(days=2))
    record_consent(actor=system, customer=withdrawn, channel="email", granted=False, source="webshop",
                   occurred_at=now - timedelta(days=1))
    record_consent(actor=system, customer=never, channel="sms", granted=True, source="pos")
    email_yes = create_segment(actor=system, values={"name": "Mail", "email_consent": "granted"})
    email_no = create_segment(actor=system, values={"name": "No mail", "email_consent": "not_granted"})
    sms_and_mail = create_segment(actor=system, values={"name": "Both", "email_consent": "not_granted",
                                                        "sms_consent": "granted"})
    assert _keeps(email_yes) == {granted.pk}
    assert _keeps(email_no) == {withdrawn.pk, never.pk}
    assert _keeps(sms_and_mail) == {never.pk}


def test_segments_are_created_changed_and_deleted_with_audit_and_version(system):
    customer_factory(tags=["Wholesale"])
    segment = create_segment(actor=system, values={"name": "Trade", "tags": ["wholesale"], "newsletter_tag": "trade"})
    assert describe_segment(segment)["tags"] == ["Wholesale"]
    assert get_segment("trade") == segment and get_segment(str(segment.uuid)) == segment
    update_segment(actor=system, segment=segment, values={"min_total_spend": "10.5"}, expected_version=1)
    segment.refresh_from_db()
    assert segment.version == 2 and segment.min_total_spend == Decimal("10.50")
    changed = AuditEvent.objects.get(action="segment.updated")
    assert changed.changes == {"min_total_spend": [None, "10.50"]}
    with pytest.raises(StaleVersion):
        update_segment(actor=system, segment=segment, values={"name": "X"}, expected_version=1)
    with pytest.raises(Conflict):
        create_segment(actor=system, values={"name": "TRADE"})
    delete_segment(actor=system, segment=segment, expected_version=2)
    assert not Segment.objects.exists() and AuditEvent.objects.filter(action="segment.deleted").exists()


@pytest.mark.parametrize("values, field", [
    ({"name": ""}, "name"),
    ({"name": "A", "statuses": ["gone"]}, "statuses"),
    ({"name": "A", "tags": ["nope"]}, "tags"),
    ({"name": "A", "min_total_spend": "1.234"}, "min_total_spend"),
    ({"name": "A", "min_total_spend": "20", "max_total_spend": "10"}, "max_total_spend"),
    ({"name": "A", "last_purchase_after": "2026-02-30"}, "last_purchase_after"),
    ({"name": "A", "last_purchase_after": date(2026, 5, 1), "last_purchase_before": date(2026, 1, 1)},
     "last_purchase_before"),
    ({"name": "A", "email_consent": "maybe"}, "email_consent"),
    ({"name": "A", "colour": "red"}, "colour"),
])
def test_bad_criteria_are_refused(system, values, field):
    with pytest.raises(ValidationFailed) as refused:
        create_segment(actor=system, values=values)
    assert field in refused.value.errors
    assert not Segment.objects.exists()


def test_cashiers_may_not_define_segments():
    from patron.core.actors import Actor

    with pytest.raises(PermissionDenied):
        create_segment(actor=Actor(kind="user", label="c", role="cashier"), values={"name": "Mine"})
