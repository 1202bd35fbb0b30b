"""The newsletter sync against a local fake Mailchimp that speaks the Marketing API v3."""

import base64
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from patron.core.errors import Refused
from patron.core.models import AuditEvent
from patron.customers.tests.factories import customer_factory
from patron.marketing.actions import create_segment, record_consent
from patron.marketing.mailchimp import (
    MailchimpClient,
    MailchimpConfig,
    MailchimpError,
    base_url_for,
    mailchimp_config,
    subscriber_hash,
)
from patron.marketing.models import ConsentEvent, NewsletterSync, SyncStatus
from patron.marketing.newsletter import sync_newsletter
from patron.marketing.queries import latest_consents
from patron.marketing.tests.fake_mailchimp import API_KEY, LIST_ID, FakeMailchimp

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailchimp(settings):
    with FakeMailchimp() as fake:
        settings.PATRON_MAILCHIMP_API_KEY = API_KEY
        settings.PATRON_MAILCHIMP_LIST_ID = LIST_ID
        settings.PATRON_MAILCHIMP_BASE_URL = fake.base_url
        yield fake


def _client(**options) -> MailchimpClient:
    return MailchimpClient(mailchimp_config(), backoff=0.01, **options)


def _customer(email: str, consent: bool | None, *, days_ago: int = 3, **values):
    customer = customer_factory(emails=[{"address": email}], **values)
    if consent is not None:
        record_consent(actor=_system(), customer=customer, channel="email", granted=consent, source="pos",
                       occurred_at=timezone.now() - timedelta(days=days_ago))
    return customer


def _system():
    from patron.core.actors import system_actor

    return system_actor()


def test_subscriber_hash_and_base_url_follow_mailchimp():
    assert subscriber_hash(" Urist.McVankab@Freddiesjokes.com ") == "62eeb292278cc15f5817cb78f7790b08"
    assert base_url_for("abc-us21") == "https://us21.api.mailchimp.com/3.0"
    with pytest.raises(Refused):
        base_url_for("no-data-centre-")


def test_config_comes_from_settings_and_is_required(settings):
    settings.PATRON_MAILCHIMP_API_KEY = ""
    with pytest.raises(Refused, match="not connected"):
        mailchimp_config()
    settings.PATRON_MAILCHIMP_API_KEY, settings.PATRON_MAILCHIMP_LIST_ID = "k-us6", "L1"
    settings.PATRON_MAILCHIMP_BASE_URL = ""
    config = mailchimp_config()
    assert config.base_url == "https://us6.api.mailchimp.com/3.0" and "k-us6" not in repr(config)


def test_consented_customers_are_upserted_tagged_and_the_withdrawn_never_subscribed(system, mailchimp):
    yes = _customer("Yes@Example.com", True, first_name="Ada", last_name="Byron", tags=["VIP"])
    no = _customer("no@example.com", False, tags=["VIP"])
    never = _customer("never@example.com", None, tags=["VIP"])
    segment = create_segment(actor=system, values={"name": "VIPs", "tags": ["VIP"], "newsletter_tag": "vip"})
    run = sync_newsletter(actor=system, segment=segment, client=_client())
    assert run.status == SyncStatus.DONE
    member = mailchimp.member("yes@example.com")
    assert member["status"] == "subscribed" and member["tags"] == ["vip"]
    assert member["merge_fields"] == {"FNAME": "Ada", "LNAME": "Byron"}
    assert mailchimp.member("no@example.com") is None and mailchimp.member("never@example.com") is None
    put_path, put_body = mailchimp.calls("PUT")[0][1:]
    assert put_path.startswith(f"/3.0/lists/{LIST_ID}/members/{subscriber_hash('yes@example.com')}")
    assert put_body["status_if_new"] == "subscribed" and "status" not in put_body
    assert run.counts["subscribed"] == 1 and run.counts["tagged"] == 1 and run.counts["no_consent"] == 1
    assert {yes.pk, no.pk, never.pk}  # all three were in the segment
    user, _, password = base64.b64decode(mailchimp.authorizations[0][6:]).decode().partition(":")
    assert password == API_KEY
    audit = AuditEvent.objects.get(action="newsletter.synced")
    assert API_KEY not in str(audit.data) and audit.data["counts"]["subscribed"] == 1


def test_unsubscribes_and_bounces_come_back_into_the_consent_history(system, mailchimp):
    gone = _customer("gone@example.com", True, days_ago=10)
    bounced = _customer("bounced@example.com", True, days_ago=10)
    later = _customer("later@example.com", True, days_ago=1)  # consented again after unsubscribing
    two_days_ago = (timezone.now() - timedelta(days=2)).isoformat(timespec="seconds")
    mailchimp.add_member("Gone@example.com", "unsubscribed", two_days_ago, unsubscribe_reason="Too many e-mails")
    mailchimp.add_member("bounced@example.com", "cleaned", two_days_ago)
    mailchimp.add_member("later@example.com", "unsubscribed", two_days_ago)
    run = sync_newsletter(actor=system, client=_client(max_attempts=3))
    latest = latest_consents([gone.pk, bounced.pk, later.pk])
    assert latest[gone.pk]["email"].granted is False
    assert latest[gone.pk]["email"].source == "newsletter"
    assert latest[gone.pk]["email"].proof == "Mailchimp: unsubscribed (Too many e-mails)"
    assert latest[bounced.pk]["email"].granted is False and "cleaned" in latest[bounced.pk]["email"].proof
    assert latest[later.pk]["email"].granted is True
    # Fresh consent after an unsubscription: double opt-in (pending), never "subscribed".
    assert mailchimp.member("later@example.com")["status"] == "pending"
    assert mailchimp.member("gone@example.com")["status"] == "unsubscribed"
    assert not [body for _, _, body in mailchimp.requests if body and body.get("status") == "subscribed"]
    assert run.counts["withdrawals_taken_back"] == 2 and run.counts["pending"] == 1
    # The next run asks only for what changed since this one, and takes nothing back twice.
    again = sync_newsletter(actor=system, client=_client())
    pulls = [path for method, path, _ in mailchimp.requests if method == "GET" and "status=unsubscribed" in path]
    assert "since_last_changed" not in pulls[0] and "since_last_changed" in pulls[-1]
    assert again.counts["withdrawals_taken_back"] == 0
    assert ConsentEvent.objects.filter(source="newsletter").count() == 2


def test_a_withdrawal_recorded_in_patron_unsubscribes_the_member(system, mailchimp):
    customer = _customer("leaving@example.com", True, days_ago=5)
    sync_newsletter(actor=system, client=_client())
    assert mailchimp.member("leaving@example.com")["status"] == "subscribed"
    record_consent(actor=system, customer=customer, channel="email", granted=False, source="back_office")
    run = sync_newsletter(actor=system, client=_client())
    assert mailchimp.member("leaving@example.com")["status"] == "unsubscribed"
    assert run.counts["unsubscribed"] == 1
    # A withdrawal of someone never on the list does not put them on it.
    _customer("stranger@example.com", False)
    sync_newsletter(actor=system, client=_client())
    assert mailchimp.member("stranger@example.com") is None


def test_pulls_are_paginated_with_count_and_offset(system, mailchimp, monkeypatch):
    monkeypatch.setattr("patron.marketing.mailchimp.PAGE_SIZE", 2)
    customers = [_customer(f"p{index}@example.com", True, days_ago=10) for index in range(5)]
    for index in range(5):
        mailchimp.add_member(f"p{index}@example.com", "unsubscribed")
    run = sync_newsletter(actor=system, client=_client())
    offsets = [path.split("offset=")[1].split("&")[0] for method, path, _ in mailchimp.requests
               if method == "GET" and "status=unsubscribed" in path]
    assert offsets == ["0", "2", "4"]
    assert run.counts["withdrawals_taken_back"] == 5
    assert all(not latest["email"].granted for latest in latest_consents([c.pk for c in customers]).values())


def test_rate_limiting_waits_for_retry_after_and_goes_on(system, mailchimp):
    _customer("busy@example.com", True)
    mailchimp.rate_limit(2, retry_after="1")
    started = time.monotonic()
    run = sync_newsletter(actor=system, client=_client())
    assert time.monotonic() - started >= 2.0
    assert run.status == SyncStatus.DONE and run.counts["waited_seconds"] >= 2.0
    assert mailchimp.member("busy@example.com")["status"] == "subscribed"


def test_rate_limiting_without_end_gives_up_after_the_bounded_attempts(system, mailchimp):
    _customer("busy@example.com", True)
    mailchimp.rate_limit(100, retry_after="0")
    with pytest.raises(Refused, match="429"):
        sync_newsletter(actor=system, client=_client(max_attempts=4))
    assert len(mailchimp.requests) == 4
    run = NewsletterSync.objects.get()
    assert run.status == SyncStatus.FAILED and "429" in run.error


def test_server_errors_are_retried_then_the_run_fails_and_keeps_its_record(system, mailchimp):
    _customer("a@example.com", True)
    mailchimp.fail(2, status=503)
    assert sync_newsletter(actor=system, client=_client()).status == SyncStatus.DONE
    mailchimp.fail(10, status=500)
    with pytest.raises(Refused, match="500"):
        sync_newsletter(actor=system, client=_client(max_attempts=3))
    failed = NewsletterSync.objects.filter(status=SyncStatus.FAILED).get()
    assert AuditEvent.objects.filter(action="newsletter.sync_failed", object_id=str(failed.uuid)).exists()


@pytest.mark.parametrize("key, list_id, status", [("wrong-us21", LIST_ID, "401"), (API_KEY, "nolist", "404")])
def test_a_wrong_key_or_list_stops_before_anything_is_written(system, mailchimp, key, list_id, status):
    _customer("a@example.com", True)
    config = MailchimpConfig(api_key=key, list_id=list_id, base_url=mailchimp.base_url)
    with pytest.raises(Refused, match=status) as refused:
        sync_newsletter(actor=system, client=MailchimpClient(config, backoff=0.01))
    assert key not in str(refused.value)
    assert mailchimp.calls("PUT") == [] and mailchimp.members == {}
    assert key not in NewsletterSync.objects.get().error


def test_mailchimp_refuses_to_resubscribe_an_unsubscribed_member_with_a_problem(mailchimp):
    mailchimp.add_member("first@example.com", "unsubscribed")
    with pytest.raises(MailchimpError) as refused:
        _client().upsert_member("first@example.com", {"status": "subscribed"})
    assert refused.value.status == 400 and refused.value.is_compliance_state
    assert "compliance state" in refused.value.detail


def test_a_member_mailchimp_refuses_is_skipped_and_the_run_goes_on(system, mailchimp):
    _customer("test@example.com", True)
    _customer("second@example.com", True)
    run = sync_newsletter(actor=system, client=_client())
    assert run.status == SyncStatus.DONE and run.counts["refused"] == 1
    assert "400 Invalid Resource" in run.error
    assert mailchimp.member("second@example.com")["status"] == "subscribed"
