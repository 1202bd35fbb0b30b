"""P2: erasure replaces the person by a tombstone everywhere and keeps the books; it waits while
the credit balance is open or the retention hold runs; it is idempotent and needs privacy.manage."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from patron.core.errors import PermissionDenied
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.credit.models import CreditAccount, LedgerEntry
from patron.credit.queries import ledger_problems
from patron.customers.models import Customer, CustomerChange
from patron.events.actions import create_subscription
from patron.events.models import Event
from patron.lookup.queries import lookup_customers
from patron.privacy import erasure
from patron.privacy.export import export_customer
from patron.privacy.models import PrivacyRequest, RequestStatus
from patron.privacy.tests.conftest import CANARY, OTHER
from patron.sales.models import Sale, SaleLine
from patron.staff.tests.factories import actor_for

pytestmark = pytest.mark.django_db

SEARCHES = ("Zorbulon", "Quixtaffel", "Zorbulon Quixtaffel", CANARY["email"], CANARY["phone"], "2025550187",
            "0187", CANARY["tax_id"], "Zorbulo")


def dump_hits(values) -> dict[str, list[str]]:
    """Every table and column of the database whose text holds one of ``values`` (a grep of a dump)."""
    needles = [value.lower() for value in values]
    hits: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            names = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    if isinstance(value, (bytes, memoryview)):
                        value = bytes(value).decode("latin-1")
                    text = str(value).lower()
                    for needle in needles:
                        if needle in text:
                            hits.setdefault(needle, []).append(f"{table}.{name}")
    return hits


def canaries(values) -> list[str]:
    return [value for key, value in values.items()] + [values["phone"][2:], values["contact"].split()[0]]


def erase(customer, system, captured, **kwargs):
    with captured(execute=True):
        return erasure.erase_customer(actor=system, customer=customer, reason="asked by letter", **kwargs)


def test_the_canary_data_is_there_before(rich):
    hits = dump_hits(canaries(CANARY))
    assert set(hits) == {value.lower() for value in canaries(CANARY)}
    assert any(lookup_customers(search, include_inactive=True) for search in SEARCHES)


def test_erasure_leaves_no_trace_of_the_person_and_keeps_the_books(
        rich, other, system, django_capture_on_commit_callbacks):
    customer = rich.customer
    photo = customer.photo
    assert default_storage.exists(photo)
    sales_before = list(Sale.objects.filter(customer=customer).values_list("number", "occurred_at", "location_id",
                                                                          "total"))
    entries_before = list(LedgerEntry.objects.filter(account__customer=customer)
                          .values_list("sequence", "amount", "balance_after", "effective_date"))
    feed_before = CustomerChange.objects.filter(customer_id=customer.pk).count()
    create_subscription(actor=system, url="https://webshop.example.com/patron-events")  # an integration listens

    request = erase(customer, system, django_capture_on_commit_callbacks)

    assert request.status == RequestStatus.DONE and request.completed_at is not None
    # No trace: the lookup, every column of every table, the photo file.
    for search in SEARCHES:
        assert lookup_customers(search, include_inactive=True) == [], search
    assert dump_hits(canaries(CANARY)) == {}
    assert not default_storage.exists(photo)
    archive = io.BytesIO()
    export_customer(actor=system, customer=Customer.objects.get(pk=customer.pk), stream=archive)
    with zipfile.ZipFile(archive) as exported:
        text = " ".join(exported.read(name).decode("utf-8", "replace") for name in exported.namelist()).lower()
    assert [value for value in canaries(CANARY) if value.lower() in text] == []
    assert not any(name.startswith("photo/") for name in zipfile.ZipFile(archive).namelist())
    # The tombstone, the anonymous key, and the books are kept.
    customer.refresh_from_db()
    assert customer.name.startswith("Erased customer #")
    assert customer.account_number == rich.customer.account_number and customer.photo == ""
    assert (customer.phones.count(), customer.emails.count(), customer.addresses.count(), customer.tags.count(),
            customer.messages.count()) == (0, 0, 0, 0, 0)
    assert list(Sale.objects.filter(customer=customer).values_list("number", "occurred_at", "location_id",
                                                                   "total")) == sales_before
    assert SaleLine.objects.filter(sale__customer=customer, description="Blue mug").exists()
    assert list(LedgerEntry.objects.filter(account__customer=customer)
                .values_list("sequence", "amount", "balance_after", "effective_date")) == entries_before
    assert ledger_problems(CreditAccount.objects.get(customer=customer)) == []
    # Downstream systems hear of it; tills see the change; the other customer is untouched.
    assert Event.objects.filter(kind="customer.erased", customer_uuid=customer.uuid).count() == 1
    assert CustomerChange.objects.filter(customer_id=customer.pk).count() > feed_before
    assert dump_hits([OTHER["email"], OTHER["note"], OTHER["ledger"]]).keys() == \
        {OTHER["email"].lower(), OTHER["note"].lower(), OTHER["ledger"].lower()}
    assert lookup_customers("Othelinda Brambleworth", include_inactive=True)
    # The erasure is audited without the erased values.
    event = AuditEvent.objects.get(action="privacy.customer_erased")
    assert event.customer_uuid == customer.uuid and "asked by letter" not in str(event.data)


def test_a_second_request_is_a_no_op(rich, system, django_capture_on_commit_callbacks):
    first = erase(rich.customer, system, django_capture_on_commit_callbacks)
    customer = Customer.objects.get(pk=rich.customer.pk)
    state = (customer.name, customer.version, AuditEvent.objects.count(), Event.objects.count())
    second = erase(customer, system, django_capture_on_commit_callbacks)
    customer.refresh_from_db()
    assert second.pk == first.pk and PrivacyRequest.objects.count() == 1
    assert (customer.name, customer.version, AuditEvent.objects.count(), Event.objects.count()) == state


def test_an_open_balance_queues_the_request_until_it_is_settled(system, django_capture_on_commit_callbacks):
    from patron.privacy.tests.conftest import make_rich_customer

    with django_capture_on_commit_callbacks(execute=True):
        customer = make_rich_customer(settle=False).customer
    request = erase(customer, system, django_capture_on_commit_callbacks)
    assert request.status == RequestStatus.QUEUED and "credit balance is 20.00" in request.waiting_for
    assert lookup_customers("Zorbulon Quixtaffel", include_inactive=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure.run_due() == []
    credit.post_payment(actor=system, customer=customer, amount="20.00", method="cash")
    with django_capture_on_commit_callbacks(execute=True):
        assert [done.pk for done in erasure.run_due()] == [request.pk]
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert lookup_customers("Zorbulon Quixtaffel", include_inactive=True) == []
    assert dump_hits(canaries(CANARY)) == {}
    assert ledger_problems(CreditAccount.objects.get(customer=customer)) == []


def test_the_retention_hold_after_the_last_sale_queues_the_request_until_it_expires(
        system, django_capture_on_commit_callbacks, settings):
    from patron.privacy.tests.conftest import make_rich_customer

    settings.PATRON_PRIVACY_HOLD_DAYS = 180
    sold = timezone.now() - datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        customer = make_rich_customer(sale_at=sold).customer
    request = erase(customer, system, django_capture_on_commit_callbacks, now=sold + datetime.timedelta(days=10))
    until = (sold + datetime.timedelta(days=180)).date().isoformat()
    assert request.status == RequestStatus.QUEUED and until in request.waiting_for
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure.run_due(now=sold + datetime.timedelta(days=179)) == []
    assert Customer.objects.get(pk=customer.pk).name == "Zorbulon Quixtaffel"
    with django_capture_on_commit_callbacks(execute=True):
        assert len(erasure.run_due(now=sold + datetime.timedelta(days=181))) == 1
    assert Customer.objects.get(pk=customer.pk).name.startswith("Erased customer #")
    request.refresh_from_db()
    assert request.completed_at == sold + datetime.timedelta(days=181)


@pytest.mark.parametrize("role", [Role.CASHIER, Role.MANAGER])
def test_only_admins_may_erase(rich, role):
    actor = actor_for(role)
    with pytest.raises(PermissionDenied):
        erasure.erase_customer(actor=actor, customer=rich.customer, reason="x")
    with pytest.raises(PermissionDenied):
        erasure.run_due(actor=actor)
    assert not PrivacyRequest.objects.exists()
    assert Customer.objects.get(pk=rich.customer.pk).name == "Zorbulon Quixtaffel"


def test_the_audit_trail_keeps_who_did_what_and_loses_the_values(rich, system, django_capture_on_commit_callbacks):
    created = AuditEvent.objects.get(customer_uuid=rich.customer.uuid, action="customer.created")
    erase(rich.customer, system, django_capture_on_commit_callbacks)
    created.refresh_from_db()
    assert created.action == "customer.created" and created.actor_label == "system"
    assert created.changes["first_name"] == [None, "[erased]"] and created.changes["status"] == [None, "active"]
    assert created.object_label == "[erased]"
    entries = AuditEvent.objects.filter(customer_uuid=rich.customer.uuid, object_type="ledgerentry").order_by("id")
    assert [event.data["amount"] for event in entries] == ["10.00", "10.00", "-20.00"]
    assert Decimal(CreditAccount.objects.get(customer=rich.customer).balance) == Decimal("0")
