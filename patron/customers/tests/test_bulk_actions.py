"""The list's bulk actions as actions: each customer through its own action, all or nothing per
customer, refusals listed, the permission checked before anyone is changed."""

import pytest

from patron.core.actors import system_actor
from patron.core.errors import PermissionDenied, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers.actions import bulk
from patron.customers.models import Customer, CustomerStatus, StatusChange
from patron.customers.tests.factories import customer_factory
from patron.staff.tests.factories import actor_for

pytestmark = pytest.mark.django_db
FULL = [f"T{number}" for number in range(40)]


@pytest.fixture
def customers(system):
    return [customer_factory(last_name="One"), customer_factory(last_name="Two", tags=FULL),
            customer_factory(last_name="Three", tags=["Vip"])]


def test_tagging_changes_each_customer_once_and_lists_the_refused(customers):
    outcome = bulk.tag_customers(actor=system_actor(), customers=customers, tag="VIP")
    assert [customer.last_name for customer in outcome.changed] == ["One"]
    assert [customer.last_name for customer in outcome.unchanged] == ["Three"]  # "Vip" is "VIP"
    assert [(customer.last_name, reason) for customer, reason in outcome.refused] == [("Two", "Use at most 40 tags.")]
    refused = Customer.objects.get(pk=customers[1].pk)
    assert refused.version == customers[1].version and refused.tags.count() == 40  # left as it was
    assert AuditEvent.objects.filter(action="customer.updated").count() == 1


def test_untagging_and_a_blank_tag(customers):
    outcome = bulk.untag_customers(actor=system_actor(), customers=customers, tag="vip")
    assert [customer.last_name for customer in outcome.changed] == ["Three"]
    with pytest.raises(ValidationFailed):
        bulk.tag_customers(actor=system_actor(), customers=customers, tag="  ")


def test_status_changes_keep_the_reason_and_skip_who_has_it(customers):
    Customer.objects.filter(pk=customers[2].pk).update(status=CustomerStatus.INACTIVE)
    fresh = list(Customer.objects.filter(pk__in=[customer.pk for customer in customers]).order_by("pk"))
    outcome = bulk.change_statuses(actor=system_actor(), customers=fresh, status="inactive", reason="Closed")
    assert len(outcome.changed) == 2 and len(outcome.unchanged) == 1
    assert StatusChange.objects.filter(to_status="inactive", reason="Closed").count() == 2
    with pytest.raises(ValidationFailed):
        bulk.change_statuses(actor=system_actor(), customers=fresh, status="gone")


def test_the_role_is_checked_before_anyone_changes_and_the_size_is_bounded(customers, monkeypatch):
    with pytest.raises(PermissionDenied):
        bulk.change_statuses(actor=actor_for(Role.CASHIER), customers=customers, status="inactive")
    assert not StatusChange.objects.filter(to_status="inactive").exists()
    monkeypatch.setattr(bulk, "BULK_MAX", 2)
    with pytest.raises(ValidationFailed):
        bulk.tag_customers(actor=system_actor(), customers=customers, tag="VIP")
    assert not Customer.objects.filter(tags__name="VIP").exists()
