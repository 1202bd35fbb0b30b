"""Segments edited (name and rules) and opened as a customer list, with the segment's name and
its exports named after it; only for those who may manage segments."""

import csv
import io
import re

import pytest
from django.urls import reverse

from patron.core.actors import system_actor
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers.models import CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.marketing import actions
from patron.marketing.models import Segment
from patron.web.tests.customer_support import client_for

pytestmark = pytest.mark.django_db
LIST = reverse("web:customer_list")


@pytest.fixture
def shop(system):
    customer_factory(first_name="Vera", last_name="Vip", account_number="S-1", tags=["VIP"])
    customer_factory(first_name="Nora", last_name="Normal", account_number="S-2", tags=["Trade"])
    customer_factory(first_name="Ina", last_name="Inactive", account_number="S-3", tags=["VIP"],
                     status=CustomerStatus.INACTIVE)
    return actions.create_segment(actor=system_actor(), values={"name": "VIPs", "tags": ["VIP"]})


def names_in(response) -> list[str]:
    return sorted(customer.name for customer in response.context["page"].object_list)


def edit_url(segment) -> str:
    return reverse("web:segment_edit", args=[segment.uuid])


def test_a_manager_changes_a_segments_name_and_rules(shop):
    client = client_for(Role.MANAGER)
    page = client.get(edit_url(shop)).content.decode()
    assert 'value="VIPs"' in page and re.search(r'value="VIP"[^>]*checked', page)
    assert "It keeps 2 customers now." in page
    response = client.post(edit_url(shop), {"name": "Trade and VIP", "tags": ["VIP", "Trade"],
                                            "statuses": ["active"], "version": shop.version})
    assert response.status_code == 302 and response.url == reverse("web:segment_list")
    shop.refresh_from_db()
    assert shop.name == "Trade and VIP" and shop.statuses == ["active"]
    assert sorted(shop.tags.values_list("name", flat=True)) == ["Trade", "VIP"]
    event = AuditEvent.objects.get(action="segment.updated")
    assert event.changes["name"] == ["VIPs", "Trade and VIP"]


def test_a_stale_edit_or_a_taken_name_is_shown_and_changes_nothing(shop):
    actions.create_segment(actor=system_actor(), values={"name": "Others"})
    client = client_for(Role.MANAGER)
    taken = client.post(edit_url(shop), {"name": "others", "version": shop.version})
    assert taken.status_code == 422 and "A segment named" in taken.content.decode()
    stale = client.post(edit_url(shop), {"name": "New name", "version": shop.version - 1})
    assert stale.status_code == 422 and "changed by someone else" in stale.content.decode()
    assert Segment.objects.get(pk=shop.pk).name == "VIPs"


def test_opened_as_a_list_it_shows_its_customers_and_name_and_exports_under_its_name(shop):
    client = client_for(Role.MANAGER)
    listing = client.get(LIST, {"segment": str(shop.uuid), "status": "all"})
    assert names_in(listing) == ["Ina Inactive", "Vera Vip"]
    html = listing.content.decode()
    assert "The customers of the segment <strong>VIPs</strong>" in html
    assert f'name="segment" value="{shop.uuid}"' in html  # the filters keep it
    assert names_in(client.get(LIST, {"segment": str(shop.uuid)})) == ["Vera Vip"]  # with the list's filters
    export = client.get(reverse("web:customer_export", args=["csv"]), {"segment": str(shop.uuid), "status": "all",
                                                                       "sort": "-name"})
    assert re.fullmatch(r'attachment; filename="segment-vips-status-all-\d{4}-\d\d-\d\d-\d{4}\.csv"',
                        export["Content-Disposition"])
    rows = csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")))
    assert [row["account_number"] for row in rows] == ["S-1", "S-3"]
    assert names_in(client.get(LIST, {"segment": str(shop.uuid), "q": "vera"})) == ["Vera Vip"]


def test_the_segments_page_links_to_edit_and_to_the_list(shop):
    page = client_for(Role.MANAGER).get(reverse("web:segment_list")).content.decode()
    assert edit_url(shop) in page
    assert f"{LIST}?segment={shop.uuid}&amp;status=all" in page


def test_a_cashier_neither_edits_nor_opens_a_segment(shop):
    client = client_for(Role.CASHIER)
    assert client.get(edit_url(shop)).status_code == 403
    assert client.post(edit_url(shop), {"name": "Mine", "version": shop.version}).status_code == 403
    listing = client.get(LIST, {"segment": str(shop.uuid), "status": "all"})
    assert len(names_in(listing)) == 3 and "The customers of the segment" not in listing.content.decode()
