"""Merging customers and undoing the merge: what moves, what comes back, what is refused."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from patron.channels.models import Channel, ExternalReference
from patron.core.errors import Conflict, PermissionDenied, RuleViolation, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.credit.models import CreditAccount, LedgerEntry
from patron.customers import actions as customer_actions
from patron.customers import queries
from patron.customers.models import Customer, CustomerChange, SearchTerm, Tag
from patron.customers.tests.factories import customer_factory
from patron.locations.queries import default_location
from patron.loyalty import actions as loyalty
from patron.loyalty.models import PointsAccount
from patron.marketing.actions import record_consent
from patron.marketing.queries import latest_consents
from patron.merging import registry
from patron.merging.actions import merge_customers, unmerge
from patron.merging.models import Merge
from patron.sales import actions as sales
from patron.sales.models import Order, Sale
from patron.sales.tests.factories import line, sale_factory
from patron.staff.tests.factories import actor_for

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def manager():
    return actor_for(Role.MANAGER)


@pytest.fixture
def credit_on(system):
    credit.set_credit_enabled(actor=system, is_enabled=True)


def _pair():
    survivor = customer_factory(first_name="Anna", last_name="Jansen",
                                phones=[{"kind": "mobile", "number": "+31612345678"}],
                                emails=[{"kind": "personal", "address": "anna@example.com"}], notes="Likes tea.")
    other = customer_factory(first_name="Ana", last_name="Jansen", birth_date="1980-02-03",
                             phones=[{"kind": "mobile", "number": "+31 6 1234 5678"},
                                     {"kind": "home", "number": "+31201234567"}],
                             emails=[{"kind": "personal", "address": "ANNA@example.com"},
                                     {"kind": "work", "address": "anna@work.example"}],
                             notes="Allergic to nuts.")
    return survivor, other


def test_every_foreign_key_to_a_customer_has_a_merge_rule():
    assert sorted(registry.MOVES) == registry.customer_foreign_keys()
    assert {move.rule for move in registry.MOVES.values()} <= {registry.REPOINT, registry.UNITE, registry.BALANCE,
                                                               registry.CONSENT, registry.REINDEX, registry.KEEP}


def test_merge_unites_contact_points_and_takes_missing_values(manager):
    survivor, other = _pair()
    merge = merge_customers(actor=manager, survivor=survivor, others=[other])
    survivor.refresh_from_db()
    other.refresh_from_db()
    assert sorted(survivor.phones.values_list("e164", flat=True)) == ["+31201234567", "+31612345678"]
    assert sorted(survivor.emails.values_list("address_key", flat=True)) == ["anna@example.com", "anna@work.example"]
    assert survivor.first_name == "Anna"  # the survivor's own value by default
    assert survivor.birth_date == datetime.date(1980, 2, 3)  # taken where the survivor had none
    assert survivor.notes == "Likes tea.\n\nAllergic to nuts."
    assert (other.merged_into_id, other.merged_at is not None) == (survivor.pk, True)
    assert not Customer.objects.filter(pk=other.pk).exists()  # a tombstone is left out of every list
    assert not SearchTerm.objects.filter(customer_id=other.pk).exists()
    merged = AuditEvent.objects.get(action="customer.merged", customer_uuid=survivor.uuid)
    assert merged.data["merged"] == [str(other.uuid)] and merged.data["merge"] == str(merge.uuid)
    assert set(CustomerChange.objects.values_list("customer_id", flat=True)) >= {survivor.pk, other.pk}


def test_a_field_can_be_picked_from_the_other_record(manager):
    survivor, other = _pair()
    merge_customers(actor=manager, survivor=survivor, others=[other], field_choices={"first_name": str(other.uuid)})
    survivor.refresh_from_db()
    assert (survivor.first_name, survivor.name) == ("Ana", "Ana Jansen")


def test_unmerge_restores_every_record_as_it_was(manager):
    survivor, other = _pair()
    tag = Tag.objects.create(name="VIP")
    other.tags.add(tag)
    phones_before = sorted(other.phones.values_list("e164", flat=True))
    merge = merge_customers(actor=manager, survivor=survivor, others=[other],
                            field_choices={"first_name": str(other.uuid)})
    customer_actions.log_message(actor=manager, customer=queries.get_customer(survivor.uuid), channel="phone",
                                 direction="inbound", subject="Called after the merge", body="")
    unmerge(actor=manager, merge=merge)
    survivor.refresh_from_db()
    other.refresh_from_db()
    assert other.merged_into_id is None
    assert sorted(other.phones.values_list("e164", flat=True)) == phones_before
    assert survivor.phones.count() == 1 and survivor.emails.count() == 1
    assert (survivor.first_name, survivor.birth_date, survivor.notes) == ("Anna", None, "Likes tea.")
    assert list(other.tags.all()) == [tag] and not survivor.tags.exists()
    assert survivor.messages.get().subject == "Called after the merge"  # added since: stays
    merge.refresh_from_db()
    assert any(item["record"] == "customers.Message" for item in merge.report["stayed"])
    assert SearchTerm.objects.filter(customer_id=other.pk).exists()
    assert queries.get_customer(other.uuid).pk == other.pk


def test_sales_orders_references_and_money_follow_the_survivor(manager, system, credit_on):
    survivor, other = _pair()
    sale = sale_factory(other)
    sales.record_sale(actor=system, source="till-1", number="R1", location=default_location(), lines=[line()],
                      payments=[{"tender": "cash", "amount": "10.00"}], customer=other, kind="return",
                      original_sale=sale)
    order = sales.record_order(actor=system, customer=other, source="till-1", number="O1", kind="layaway",
                               location=default_location(), amount_due="25.00")
    channel = Channel.objects.create(code="shop", name="Shop", location=default_location(), secret="s" * 40)
    ExternalReference.objects.create(channel=channel, external_id="w-1", customer=other)
    credit.set_credit_limit(actor=system, customer=other, credit_limit="300.00")
    credit.post_charge(actor=system, customer=other, amount="40.00")
    credit.set_credit_limit(actor=system, customer=survivor, credit_limit="100.00")
    credit.post_charge(actor=system, customer=survivor, amount="15.00")
    loyalty.adjust_points(actor=system, customer=other, points=70, note="welcome")
    record_consent(actor=system, customer=survivor, channel="email", granted=True, source="pos")
    record_consent(actor=system, customer=other, channel="email", granted=False, source="webshop")
    entries_before = list(LedgerEntry.objects.values_list("pk", "amount", "balance_after"))

    merge = merge_customers(actor=manager, survivor=survivor, others=[other])

    assert set(Sale.objects.values_list("customer_id", flat=True)) == {survivor.pk}
    assert Order.objects.get(pk=order.pk).customer_id == survivor.pk
    assert ExternalReference.objects.get(external_id="w-1").customer_id == survivor.pk
    survivor_account = CreditAccount.objects.get(customer=survivor)
    assert (survivor_account.balance, survivor_account.credit_limit) == (D("55.00"), D("100.00"))
    assert CreditAccount.objects.get(customer=other).balance == 0
    assert list(LedgerEntry.objects.filter(pk__in=[pk for pk, *_ in entries_before])
                .values_list("pk", "amount", "balance_after")) == entries_before  # never edited
    assert PointsAccount.objects.get(customer=survivor).balance == 70
    assert latest_consents([survivor.pk])[survivor.pk]["email"].granted is False  # the withdrawal wins
    survivor.refresh_from_db()
    assert (survivor.sale_count, survivor.total_purchases) == (1, D("0.00"))

    unmerge(actor=manager, merge=merge)
    assert Sale.objects.filter(customer=other).count() == 2
    assert Order.objects.get(pk=order.pk).customer_id == other.pk
    assert ExternalReference.objects.get(external_id="w-1").customer_id == other.pk
    assert CreditAccount.objects.get(customer=survivor).balance == D("15.00")
    assert CreditAccount.objects.get(customer=other).balance == D("40.00")
    assert PointsAccount.objects.get(customer=other).balance == 70
    assert latest_consents([survivor.pk])[survivor.pk]["email"].granted is True
    assert latest_consents([other.pk])[other.pk]["email"].granted is False


def test_survivor_without_credit_takes_the_largest_limit(manager, system, credit_on):
    survivor, other = _pair()
    third = customer_factory()
    credit.set_credit_limit(actor=system, customer=other, credit_limit="300.00")
    credit.set_credit_limit(actor=system, customer=third, credit_limit="800.00")
    credit.post_charge(actor=system, customer=other, amount="20.00")
    credit.post_charge(actor=system, customer=third, amount="30.00")
    merge_customers(actor=manager, survivor=survivor, others=[other, third])
    account = CreditAccount.objects.get(customer=survivor)
    assert (account.balance, account.credit_limit) == (D("50.00"), D("800.00"))


def test_survivor_without_credit_gets_an_account_even_when_no_balance_moves(manager, system, credit_on):
    survivor, other = _pair()
    credit.set_credit_limit(actor=system, customer=other, credit_limit="250.00")
    merge_customers(actor=manager, survivor=survivor, others=[other])
    account = CreditAccount.objects.get(customer=survivor)
    assert (account.balance, account.credit_limit) == (D("0.00"), D("250.00"))


def test_refusals(manager, system):
    survivor, other = _pair()
    with pytest.raises(RuleViolation) as raised:
        merge_customers(actor=manager, survivor=survivor, others=[survivor])
    assert raised.value.code == "merge-into-itself"
    with pytest.raises(ValidationFailed):
        merge_customers(actor=manager, survivor=survivor, others=[])
    with pytest.raises(PermissionDenied):
        merge_customers(actor=actor_for(Role.CASHIER), survivor=survivor, others=[other])
    with pytest.raises(ValidationFailed) as raised:
        merge_customers(actor=manager, survivor=survivor, others=[other], field_choices={"account_number": "x"})
    merge = merge_customers(actor=manager, survivor=survivor, others=[other])
    with pytest.raises(Conflict) as raised:
        merge_customers(actor=manager, survivor=customer_factory(), others=[other])
    assert raised.value.code == "already-merged"
    unmerge(actor=manager, merge=merge)
    with pytest.raises(Conflict) as raised:
        unmerge(actor=manager, merge=merge)
    assert raised.value.code == "merge-already-undone"


def test_undo_window(manager, settings):
    survivor, other = _pair()
    merge = merge_customers(actor=manager, survivor=survivor, others=[other])
    Merge.objects.filter(pk=merge.pk).update(merged_at=timezone.now() - datetime.timedelta(days=31))
    with pytest.raises(RuleViolation) as raised:
        unmerge(actor=manager, merge=merge)
    assert raised.value.code == "merge-undo-window-passed"
    settings.PATRON_MERGE_UNDO_DAYS = 40
    unmerge(actor=manager, merge=merge)


def test_the_same_idempotency_key_returns_the_same_merge(manager):
    survivor, other = _pair()
    first = merge_customers(actor=manager, survivor=survivor, others=[other], idempotency_key="k-1")
    again = merge_customers(actor=manager, survivor=survivor, others=[other], idempotency_key="k-1")
    assert first.pk == again.pk and Merge.objects.count() == 1
    with pytest.raises(Conflict) as raised:
        merge_customers(actor=manager, survivor=customer_factory(), others=[customer_factory()],
                        idempotency_key="k-1")
    assert raised.value.code == "idempotency-key-reused"


def test_old_ids_and_account_numbers_find_the_survivor(manager, system, credit_on):
    survivor, other = _pair()
    credit.set_credit_limit(actor=system, customer=survivor, credit_limit="100.00")
    merge_customers(actor=manager, survivor=survivor, others=[other])
    assert queries.get_customer(other.uuid).pk == survivor.pk
    assert queries.customer_detail(other.uuid).pk == survivor.pk
    assert queries.find_customer(other.account_number).pk == survivor.pk
    stale = Customer.with_tombstones.get(pk=other.pk)
    entry = credit.post_charge(actor=system, customer=stale, amount="5.00")  # read before the merge
    assert entry.account.customer_id == survivor.pk
    assert sale_factory(stale).customer_id == survivor.pk


def test_a_survivor_and_its_merged_records_are_history_and_never_deleted(manager, system):
    survivor, other = _pair()
    merge_customers(actor=manager, survivor=survivor, others=[other])
    for record in (queries.get_customer(survivor.uuid), Customer.with_tombstones.get(pk=other.pk)):
        with pytest.raises(RuleViolation) as raised:
            customer_actions.delete_customer(actor=system, customer=record)
        assert raised.value.code == "customer-has-history"


def test_erasing_the_survivor_erases_the_merged_records_and_the_snapshot(manager, system):
    from patron.privacy.erasure import erase_customer

    survivor, other = _pair()
    merge = merge_customers(actor=manager, survivor=survivor, others=[other])
    erase_customer(actor=system, customer=queries.get_customer(other.uuid), reason="request by letter")
    other = Customer.with_tombstones.get(pk=other.pk)
    assert other.name.startswith("Erased customer") and other.notes == "" and other.birth_date is None
    merge.refresh_from_db()
    assert merge.snapshot == {} and "Allergic" not in str(merge.report)
    assert not SearchTerm.objects.filter(customer_id=other.pk).exists()
    with pytest.raises(RuleViolation) as raised:
        unmerge(actor=manager, merge=merge)
    assert raised.value.code == "merge-erased"
