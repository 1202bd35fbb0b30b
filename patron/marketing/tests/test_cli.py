"""`patron segment ...` and `patron newsletter ...`, run in this process against the test database."""

import json

import pytest

from patron.customers.tests.factories import customer_factory
from patron.marketing.actions import record_consent
from patron.marketing.models import NewsletterSync, Segment
from patron.marketing.tests.fake_mailchimp import API_KEY, LIST_ID, FakeMailchimp

pytestmark = pytest.mark.django_db


def test_segments_are_created_listed_exported_and_deleted(cli, system):
    vip = customer_factory(tags=["VIP"], emails=[{"address": "vip@example.com"}])
    customer_factory()
    status, out, err = cli("segment", "create", "VIPs", "--tag", "vip", "--min-spend", "0", "--newsletter-tag", "vip")
    assert status == 0, err
    assert "1 customer now" in out
    status, out, _ = cli("segment", "list", "--format", "json")
    assert json.loads(out)[0]["tags"] == ["VIP"]
    status, out, _ = cli("segment", "export", "vips", "--format", "json")
    assert status == 0 and [row["account_number"] for row in json.loads(out)] == [vip.account_number]
    status, _, err = cli("segment", "create", "Bad", "--min-spend", "1.234")
    assert status != 0 and err.count("\n") == 1 and "min_total_spend" in err
    assert cli("segment", "delete", "VIPs")[0] == 0
    assert not Segment.objects.exists()


def test_newsletter_sync_runs_against_mailchimp_and_reports(cli, system, settings):
    customer = customer_factory(emails=[{"address": "ada@example.com"}])
    record_consent(actor=system, customer=customer, channel="email", granted=True, source="pos")
    settings.PATRON_MAILCHIMP_API_KEY, settings.PATRON_MAILCHIMP_LIST_ID = "", ""
    status, _, err = cli("newsletter", "sync")
    assert status != 0 and "PATRON_MAILCHIMP_API_KEY" in err and err.count("\n") == 1
    with FakeMailchimp() as fake:
        settings.PATRON_MAILCHIMP_API_KEY, settings.PATRON_MAILCHIMP_LIST_ID = API_KEY, LIST_ID
        settings.PATRON_MAILCHIMP_BASE_URL = fake.base_url
        status, out, err = cli("newsletter", "sync")
        assert status == 0, err
        assert "subscribed 1" in out and fake.member("ada@example.com")["status"] == "subscribed"
        settings.PATRON_MAILCHIMP_API_KEY = "wrong-us21"
        status, _, err = cli("newsletter", "sync")
        assert status != 0 and "401" in err and "wrong-us21" not in err
    status, out, _ = cli("newsletter", "runs")
    assert "failed" in out and "done" in out
    assert NewsletterSync.objects.count() == 2
