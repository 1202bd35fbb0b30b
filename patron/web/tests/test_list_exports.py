"""Exports of the customer list as it is on screen: its filters, search and sort, and file names
that say what they hold and when (in the staff user's store's time)."""

import csv
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.customers.queries import CustomerFilter
from patron.customers.tests.factories import customer_factory
from patron.locations.models import Location, LocationKind
from patron.marketing import actions as marketing
from patron.staff.tests.factories import user_factory
from patron.transfer.exports import export_file_name, list_order, list_subject
from patron.web.tests.customer_support import client_for

pytestmark = pytest.mark.django_db
EXPORT = reverse("web:customer_export", args=["csv"])


def exported_accounts(response) -> list[str]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row["account_number"] for row in csv.DictReader(io.StringIO(text))]


def file_name(response) -> str:
    return re.fullmatch(r'attachment; filename="([^"]+)"', response["Content-Disposition"]).group(1)


@pytest.fixture
def shop(system):
    return [customer_factory(first_name=first, last_name="Berg", account_number=number, tags=tags)
            for first, number, tags in (("Carl", "A-1", ["VIP"]), ("Anna", "A-2", []), ("Bea", "A-3", ["VIP"]))]


@pytest.mark.parametrize("sort, expected", [("name", ["A-2", "A-3", "A-1"]), ("-name", ["A-1", "A-3", "A-2"]),
                                            ("created", ["A-1", "A-2", "A-3"]), ("-created", ["A-3", "A-2", "A-1"])])
def test_the_export_follows_the_sort_on_screen(shop, sort, expected):
    assert exported_accounts(client_for(Role.MANAGER).get(EXPORT, {"sort": sort})) == expected


def test_the_export_keeps_the_filters_and_a_search_keeps_its_best_matches_first(shop):
    client = client_for(Role.MANAGER)
    assert exported_accounts(client.get(EXPORT, {"tag": "VIP", "sort": "-name"})) == ["A-1", "A-3"]
    customer_factory(first_name="Berg", last_name="Zander", account_number="A-4")  # first name matches best
    found = exported_accounts(client.get(EXPORT, {"q": "berg"}))
    listed = [customer.account_number for customer in client.get(
        reverse("web:customer_list"), {"q": "berg"}).context["page"].object_list]
    assert found == listed and sorted(found) == ["A-1", "A-2", "A-3", "A-4"]


def test_list_order_is_the_ids_in_the_lists_order(shop):
    assert list(list_order(CustomerFilter(sort="-name"))) == [shop[0].pk, shop[2].pk, shop[1].pk]


def test_the_file_name_says_what_the_list_holds_and_when_in_the_stores_time(shop):
    store = Location.objects.create(name="Köln Mitte", code="KM", kind=LocationKind.STORE,
                                    parent=Location.objects.get(code="HQ"))
    Location.objects.filter(pk=store.pk).update(effective_time_zone="Asia/Tokyo")  # far from UTC and the default
    client = client_for(Role.MANAGER)
    client.force_login(user_factory(Role.MANAGER, location=store))
    before = timezone.localtime(timezone.now(), ZoneInfo("Asia/Tokyo")).replace(tzinfo=None, second=0, microsecond=0)
    name = file_name(client.get(EXPORT, {"status": "active", "tag": "VIP", "location": str(store.uuid)}))
    match = re.fullmatch(r"customers-status-active-location-km-tag-vip-(\d{4}-\d\d-\d\d-\d{4})\.csv", name)
    assert match, name
    assert 0 <= (datetime.strptime(match.group(1), "%Y-%m-%d-%H%M") - before).total_seconds() <= 60


def test_file_names_are_ascii_slugs_and_a_plain_list_is_just_customers():
    moment = datetime(2026, 12, 6, 21, 15, tzinfo=UTC)
    with timezone.override("Europe/Berlin"):
        assert export_file_name(list_subject(CustomerFilter(till_only=True)), "xlsx", at=moment) == \
            "customers-2026-12-06-2215.xlsx"
        searched = CustomerFilter(search='Müller "x"/..', statuses=("credit_hold",))
        assert export_file_name(list_subject(searched), "json", at=moment) == \
            "customers-search-muller-x-status-credit_hold-2026-12-06-2215.json"
        assert export_file_name(list_subject(CustomerFilter()), "vcf", at=moment) == \
            "customers-status-all-2026-12-06-2215.vcf"


def test_a_segment_export_is_named_after_the_segment(shop):
    segment = marketing.create_segment(actor=system_actor(), values={"name": "Big spenders!", "tags": ["VIP"]})
    response = client_for(Role.MANAGER).get(reverse("web:segment_export", args=[segment.uuid, "csv"]))
    assert re.fullmatch(r"segment-big-spenders-\d{4}-\d\d-\d\d-\d{4}\.csv", file_name(response))
    assert sorted(exported_accounts(response)) == ["A-1", "A-3"]
