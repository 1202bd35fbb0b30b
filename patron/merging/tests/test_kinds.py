"""Each kind of record a merge moves, and the undo putting it back: webshop references and
deliveries, contacts who buy on the account, representatives, the photo, import references,
segments."""

from io import BytesIO

import pytest
from PIL import Image

from patron.channels.actions import create_channel
from patron.channels.tests.support import customer_body, deliver
from patron.core.permissions import Role
from patron.customers import actions
from patron.customers.models import Customer, CustomerKind, Representation
from patron.customers.tests.factories import customer_factory
from patron.marketing.actions import create_segment
from patron.marketing.queries import segment_customers
from patron.merging.actions import merge_customers, unmerge
from patron.sales.tests.factories import sale_factory
from patron.staff.tests.factories import actor_for
from patron.transfer.imports import jobs
from patron.transfer.models import ImportRow

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return actor_for(Role.MANAGER)


def test_a_webshop_delivery_for_a_merged_customer_lands_on_the_survivor(client, system, manager):
    channel, secret = create_channel(actor=system, code="webshop", name="Our webshop")
    created = deliver(client, "webshop", secret, customer_body())
    assert created.status_code == 201, created.content
    webshop_customer = Customer.objects.get(uuid=created.json()["customer_id"])
    survivor = customer_factory(first_name="Maren", last_name="Holt")
    merge_customers(actor=manager, survivor=survivor, others=[webshop_customer])
    updated = deliver(client, "webshop", secret, customer_body(updated_at="2026-11-21T10:00:00+01:00",
                                                               note="Leave at the door"))
    assert updated.status_code in (200, 201), updated.content
    assert updated.json()["customer_id"] == str(survivor.uuid)
    assert Customer.objects.count() == 1
    survivor.refresh_from_db()
    assert "Leave at the door" in survivor.notes


def test_contacts_follow_and_still_buy_on_the_account(system, manager):
    survivor, other = customer_factory(), customer_factory()
    contact = actions.add_contact(actor=system, customer=other, values={"last_name": "Clerk",
                                                                        "is_authorized_buyer": True})
    bought = sale_factory(other, bought_by=contact)
    merge = merge_customers(actor=manager, survivor=survivor, others=[other])
    contact.refresh_from_db()
    assert contact.customer_id == survivor.pk
    assert sale_factory(survivor, bought_by=contact).bought_by_id == contact.pk
    unmerge(actor=manager, merge=merge)
    contact.refresh_from_db()
    bought.refresh_from_db()
    assert (contact.customer_id, bought.customer_id) == (other.pk, other.pk)


def test_representatives_are_united_and_come_back(system, manager):
    survivor = customer_factory(CustomerKind.COMPANY, name="Acme")
    other = customer_factory(CustomerKind.COMPANY, name="ACME Ltd")
    shared, own = customer_factory(last_name="Shared"), customer_factory(last_name="Own")
    for company, person in ((survivor, shared), (other, shared), (other, own)):
        actions.link_representative(actor=system, company=company, person=person)
    merge = merge_customers(actor=manager, survivor=survivor, others=[other])
    assert sorted(Representation.objects.filter(company=survivor).values_list("person__last_name", flat=True)) == [
        "Own", "Shared"]
    assert not Representation.objects.filter(company=other).exists()
    unmerge(actor=manager, merge=merge)
    assert sorted(Representation.objects.filter(company=other).values_list("person__last_name", flat=True)) == [
        "Own", "Shared"]
    assert list(Representation.objects.filter(company=survivor).values_list("person__last_name", flat=True)) == [
        "Shared"]


def _png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (32, 24), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def test_the_photo_is_taken_where_the_survivor_has_none_and_given_back(system, manager):
    survivor, other = customer_factory(), customer_factory()
    actions.set_photo(actor=system, customer=other, data=_png())
    other.refresh_from_db()
    merge = merge_customers(actor=manager, survivor=survivor, others=[other])
    survivor.refresh_from_db()
    assert survivor.photo == other.photo != ""
    unmerge(actor=manager, merge=merge)
    survivor.refresh_from_db()
    assert survivor.photo == ""


def test_import_references_and_segments_follow(system, manager, settings, tmp_path):
    settings.PATRON_IMPORTS_DIR = tmp_path / "imports"
    survivor = customer_factory()
    other = customer_factory(tags=["VIP"])
    source = tmp_path / "customers.csv"
    source.write_text("Last name\nImported\n")
    job = jobs.create_job(actor=system, source=str(source), file_name=source.name)
    row = ImportRow.objects.create(job=job, row_number=1, line=2, outcome="created", customer=other)
    segment = create_segment(actor=system, values={"name": "VIPs", "tags": ["VIP"]})
    merge = merge_customers(actor=manager, survivor=survivor, others=[other])
    row.refresh_from_db()
    assert row.customer_id == survivor.pk
    assert list(segment_customers(segment)) == [survivor]
    unmerge(actor=manager, merge=merge)
    row.refresh_from_db()
    assert row.customer_id == other.pk
    assert list(segment_customers(segment)) == [other]
