"""Bulk actions on the customer list: tag, untag, change status with a reason, add to a segment
and export the ticked customers; a confirmation first, counts after, refusals listed, each
customer changed completely or not at all, and the same permissions as for one customer."""

import csv
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from patron.core.actors import system_actor
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers.actions import bulk
from patron.customers.models import Customer, CustomerStatus, StatusChange, Tag
from patron.customers.tests.factories import customer_factory
from patron.marketing import actions as marketing
from patron.web.tests.customer_support import client_for, store_state

pytestmark = pytest.mark.django_db
BULK = reverse("web:customer_bulk")
LIST = reverse("web:customer_list")
FULL = [f"T{number}" for number in range(40)]  # as many tags as a customer may have


@pytest.fixture
def shop(system):
    return [customer_factory(first_name=first, last_name="Berg", account_number=number, tags=tags)
            for first, number, tags in (("Anna", "B-1", []), ("Bea", "B-2", ["vip"]), ("Carl", "B-3", FULL))]


def tags_of(customer: Customer) -> list[str]:
    return sorted(customer.tags.values_list("name", flat=True))


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def post(client, customers, **fields):
    return client.post(BULK, {"customers": [str(customer.uuid) for customer in customers], "back": "sort=-name",
                              **fields})


def test_tagging_asks_first_then_tags_each_customer_audited_and_lists_who_could_not_be(shop):
    client = client_for(Role.MANAGER)
    before = store_state()
    asked = post(client, shop, action="tag", tag="VIP")
    assert asked.status_code == 200 and store_state() == before  # nothing changed yet
    page = asked.content.decode()
    assert "Tag 3 customers as “VIP”" in page and "Carl Berg" in page and 'name="confirmed" value="1"' in page
    done = post(client, shop, action="tag", tag="VIP", confirmed="1")
    assert done.status_code == 302 and done.url == f"{LIST}?sort=-name"
    assert tags_of(shop[0]) == ["vip"]  # the existing tag, names match ignoring case
    assert tags_of(shop[1]) == ["vip"]
    assert tags_of(shop[2]) == sorted(FULL)  # at its most tags: refused, left as it was
    said = texts(done)
    assert said[0] == "1 changed, 1 already so, 1 not changed."
    assert said[1].startswith("Carl Berg (B-3) was not changed: Use at most 40 tags.")
    assert AuditEvent.objects.filter(action="customer.updated", customer_uuid=shop[0].uuid).count() == 1


def test_removing_a_tag(shop):
    response = post(client_for(Role.MANAGER), shop, action="untag", tag="VIP", confirmed="1")
    assert texts(response)[0] == "1 changed, 2 already so, 0 not changed."
    assert tags_of(shop[1]) == []


def test_a_status_change_keeps_the_reason_for_each_customer(shop):
    client = client_for(Role.MANAGER)
    assert "Change the status of 2 customers to “Inactive”" in post(
        client, shop[:2], action="status", status="inactive", reason="Moved away").content.decode()
    post(client, shop[:2], action="status", status="inactive", reason="Moved away", confirmed="1")
    assert list(Customer.objects.filter(status=CustomerStatus.INACTIVE).order_by("account_number")
                .values_list("account_number", flat=True)) == ["B-1", "B-2"]
    assert set(StatusChange.objects.filter(to_status="inactive").values_list("customer__account_number", "reason")) == {
        ("B-1", "Moved away"), ("B-2", "Moved away")}
    assert AuditEvent.objects.filter(action="customer.status_changed").count() == 2


def test_a_cashier_has_the_same_rights_as_for_one_customer(shop):
    client = client_for(Role.CASHIER)
    options = re.findall(r'<option value="(\w+)"', client.get(LIST).content.decode().split('name="action"')[1]
                         .split("</select>")[0])
    assert options == ["tag", "untag"]  # tags, but neither status, segments nor exports
    before = store_state()
    assert post(client, shop, action="status", status="inactive", confirmed="1").status_code == 403
    assert post(client, shop, action="export", format="csv").status_code == 403
    assert store_state() == before
    assert post(client, shop[:1], action="tag", tag="Regular", confirmed="1").status_code == 302
    assert tags_of(shop[0]) == ["Regular"]


def test_the_action_refuses_a_role_without_the_right_before_changing_anyone(shop):
    from patron.core.errors import PermissionDenied
    from patron.staff.tests.factories import actor_for

    with pytest.raises(PermissionDenied):
        bulk.change_statuses(actor=actor_for(Role.CASHIER), customers=shop, status="inactive")
    assert not StatusChange.objects.filter(to_status="inactive").exists()


def test_exporting_the_ticked_customers_in_the_lists_order(shop):
    response = post(client_for(Role.MANAGER), [shop[2], shop[0]], action="export", format="csv")
    assert re.fullmatch(r'attachment; filename="customers-selected-2-\d{4}-\d\d-\d\d-\d{4}\.csv"',
                        response["Content-Disposition"])
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    assert [row["account_number"] for row in rows] == ["B-3", "B-1"]


def test_adding_to_a_segment_gives_its_tag_and_says_who_its_other_rules_leave_out(shop):
    Tag.objects.create(name="Regular")
    segment = marketing.create_segment(actor=system_actor(), values={
        "name": "Regulars", "tags": ["Regular"], "statuses": ["active"]})
    Customer.objects.filter(pk=shop[1].pk).update(status=CustomerStatus.PROSPECT)
    client = client_for(Role.MANAGER)
    asked = post(client, shop[:2], action="segment", segment=str(segment.uuid)).content.decode()
    assert "Add 2 customers to the segment “Regulars”" in asked and "“Regular”" in asked
    said = texts(post(client, shop[:2], action="segment", segment=str(segment.uuid), confirmed="1"))
    assert tags_of(shop[0]) == ["Regular"] and tags_of(shop[1]) == ["Regular", "vip"]
    assert said[0] == "2 changed, 0 already so, 0 not changed."
    assert said[1] == "The segment's other rules still leave out: Bea Berg."


def test_a_segment_without_a_tag_cannot_take_customers_by_hand(shop):
    segment = marketing.create_segment(actor=system_actor(), values={"name": "Everyone"})
    client = client_for(Role.MANAGER)
    before = store_state()
    response = post(client, shop, action="segment", segment=str(segment.uuid), confirmed="1")
    assert "keeps customers by its rules, not by a tag" in texts(response)[0]
    assert store_state() == before


def test_nothing_ticked_or_a_missing_tag_is_said_and_changes_nothing(shop):
    client, other = client_for(Role.MANAGER), client_for(Role.MANAGER)
    before = store_state()
    assert texts(post(client, [], action="tag", tag="VIP", confirmed="1")) == ["Customers: Tick the customers first."]
    assert texts(post(other, shop, action="tag", tag=" ", confirmed="1")) == ["Tag: This field is required."]
    assert store_state() == before


def test_the_way_back_stays_on_the_list(shop):
    response = client_for(Role.MANAGER).post(BULK, {"customers": [str(shop[0].uuid)], "action": "tag", "tag": "x",
                                                    "confirmed": "1", "back": "//evil.example/?a=1"})
    assert response.url.startswith(f"{LIST}?")


def test_the_list_has_a_labelled_box_per_row_and_one_for_the_page(shop):
    page = client_for(Role.MANAGER).get(LIST).content.decode()
    assert 'aria-label="Select Anna Berg (B-1)"' in page
    assert 'aria-label="Select all customers on this page"' in page
    assert f'action="{BULK}"' in page and "csrfmiddlewaretoken" in page
