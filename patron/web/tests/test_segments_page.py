"""The Segments page: managers define a segment and export the customers it keeps; cashiers may
not see segments at all (segments.manage), as the API refuses them."""

import csv
import io

import pytest
from django.urls import reverse

from patron.core.permissions import Role
from patron.customers.models import CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.marketing.models import Segment
from patron.web.tests.customer_support import client_for

pytestmark = pytest.mark.django_db


def test_a_manager_defines_a_segment_and_exports_what_it_keeps():
    customer_factory(first_name="Vera", last_name="Vip", account_number="S-1", tags=["VIP"])
    customer_factory(first_name="Nora", last_name="Normal", account_number="S-2")
    customer_factory(first_name="Ina", last_name="Inactive", account_number="S-3", tags=["VIP"],
                     status=CustomerStatus.INACTIVE)
    client = client_for(Role.MANAGER)
    response = client.post(reverse("web:segment_list"), {"name": "Active VIPs", "statuses": ["active"],
                                                          "tags": ["VIP"], "email_consent": "", "sms_consent": ""})
    assert response.status_code == 302
    segment = Segment.objects.get()
    page = client.get(reverse("web:segment_list")).content.decode()
    assert "Active VIPs" in page and "tags: VIP" in page

    export = client.get(reverse("web:segment_export", args=[segment.uuid, "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [row["account_number"] for row in rows] == ["S-1"]


def test_a_segment_that_breaks_a_rule_is_shown_on_the_form():
    client = client_for(Role.MANAGER)
    response = client.post(reverse("web:segment_list"), {"name": "Odd", "min_total_spend": "50",
                                                          "max_total_spend": "10"})
    assert response.status_code == 200
    assert "The highest spend must not be below the lowest." in response.content.decode()
    assert not Segment.objects.exists()


def test_a_cashier_may_neither_see_nor_define_nor_export_segments():
    client = client_for(Role.CASHIER)
    Segment.objects.create(name="Big spenders")
    refused = client.get(reverse("web:segment_list"))
    assert refused.status_code == 403 and "Big spenders" not in refused.content.decode()
    assert reverse("web:segment_list") not in client.get(reverse("web:customer_list")).content.decode()
    assert client.post(reverse("web:segment_list"), {"name": "Mine"}).status_code == 403
    segment = Segment.objects.create(name="Everyone")
    assert client.get(reverse("web:segment_export", args=[segment.uuid, "csv"])).status_code == 403
    assert client.post(reverse("web:segment_delete", args=[segment.uuid])).status_code == 403
    assert Segment.objects.filter(pk=segment.pk).exists()
