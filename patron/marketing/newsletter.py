"""The newsletter sync: Patron's consent history to Mailchimp, and Mailchimp's unsubscribes back.

A run first takes back what changed on Mailchimp since the last run (unsubscribed and cleaned
members become withdrawals in the consent history, unless the customer consented again later),
then pushes the segment's customers (or everyone with e-mail consent):

- latest e-mail consent granted: upsert as ``subscribed`` if new. A member Mailchimp holds as
  unsubscribed is never sent ``subscribed``: when our consent is newer than the unsubscription
  (the customer opted in again, e.g. at the till), the member is sent ``pending`` so Mailchimp asks
  for a double opt-in; otherwise it is left alone;
- latest consent withdrawn: an existing member is set to ``unsubscribed`` (never created);
- never asked: left out.

Each consent is recorded in its own transaction, so a run that fails half-way keeps what it did;
the run's record says how far it came.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import Refused
from patron.core.permissions import require
from patron.customers.models import Customer
from patron.marketing import queries
from patron.marketing.actions import record_consent
from patron.marketing.mailchimp import MailchimpClient, MailchimpError, mailchimp_config
from patron.marketing.models import ConsentChannel, ConsentEvent, ConsentSource, NewsletterSync, Segment, SyncStatus

CHUNK = 500
# Ask for changes a little before the last run began: the two clocks may differ.
OVERLAP = timedelta(minutes=5)
TAKEN_BACK = ("unsubscribed", "cleaned")


def sync_newsletter(*, actor: Actor, segment: Segment | None = None,
                    client: MailchimpClient | None = None) -> NewsletterSync:
    """Run one sync; returns its record (status done). Raises ``Refused`` (newsletter-sync-failed)
    when Mailchimp refuses the key or the list, or stays unreachable; the record says so too."""
    require(actor, "segments.manage")
    client = client or MailchimpClient(mailchimp_config())
    list_id = client.config.list_id
    run = NewsletterSync.objects.create(list_id=list_id, segment=segment, actor_label=actor.label[:150])
    counts = {"withdrawals_taken_back": 0, "subscribed": 0, "pending": 0, "kept_unsubscribed": 0,
              "unsubscribed": 0, "tagged": 0, "withdrawn": 0, "no_consent": 0, "no_email": 0, "refused": 0}
    refusals: list[str] = []
    started = timezone.now()
    try:
        client.audience()  # a wrong key or list stops the run here, before anything is written
        since = _since(list_id)
        _take_back(client, actor, since and since.isoformat(timespec="seconds"), counts)
        _push_withdrawals(client, since, counts)
        _push(client, actor, segment, counts, refusals)
    except MailchimpError as error:
        _finish(run, SyncStatus.FAILED, counts, error=str(error))
        record_event(actor=actor, action="newsletter.sync_failed", subject=run,
                     data={"list_id": list_id, "error": str(error), "counts": counts})
        raise Refused(_("The newsletter sync stopped: %(error)s") % {
            "error": error}, code="newsletter-sync-failed") from None
    counts["waited_seconds"] = round(client.waited, 1)
    _finish(run, SyncStatus.DONE, counts, pulled_until=started, error="; ".join(refusals)[:500])
    record_event(actor=actor, action="newsletter.synced", subject=run,
                 data={"list_id": list_id, "segment": segment.name if segment else None, "counts": counts})
    return run


def _since(list_id: str) -> datetime | None:
    """When the last finished run of this list began (less the overlap); None before the first."""
    last = (NewsletterSync.objects.filter(list_id=list_id, status=SyncStatus.DONE, pulled_until__isnull=False)
            .order_by("-pulled_until").first())
    return (last.pulled_until - OVERLAP).astimezone(UTC) if last else None


def _finish(run: NewsletterSync, status: str, counts: dict, *, pulled_until=None, error: str = "") -> None:
    run.status, run.counts, run.error, run.finished_at = status, counts, error[:500], timezone.now()
    run.pulled_until = pulled_until
    run.save(update_fields=["status", "counts", "error", "finished_at", "pulled_until"])


# --- Mailchimp to Patron ----------------------------------------------------------------------

def _take_back(client: MailchimpClient, actor: Actor, since: str | None, counts: dict) -> None:
    for status in TAKEN_BACK:
        for member in client.members(status, since):
            counts["withdrawals_taken_back"] += _record_withdrawal(actor, member, status)


def _record_withdrawal(actor: Actor, member: dict, status: str) -> int:
    changed = _timestamp(member.get("last_changed"))
    customer_ids = queries.customers_by_email([member.get("email_address") or ""]).get(
        (member.get("email_address") or "").strip().lower(), [])
    latest = queries.latest_consents(customer_ids)
    reason = member.get("unsubscribe_reason") or ("the address bounced" if status == "cleaned" else "")
    recorded = 0
    for customer in Customer.objects.filter(pk__in=customer_ids):
        current = latest.get(customer.pk, {}).get(ConsentChannel.EMAIL)
        if current is not None and (not current.granted or current.occurred_at >= changed):
            continue  # already withdrawn, or consented again after Mailchimp's change
        record_consent(actor=actor, customer=customer, channel=ConsentChannel.EMAIL, granted=False,
                       source=ConsentSource.NEWSLETTER, occurred_at=changed,
                       proof=f"Mailchimp: {status}" + (f" ({reason})" if reason else ""))
        recorded += 1
    return recorded


def _timestamp(text) -> datetime:
    """Mailchimp's time of the change; now when it is missing or in the future."""
    parsed = parse_datetime(text) if isinstance(text, str) else None
    now = timezone.now()
    if parsed is None or timezone.is_naive(parsed) or parsed > now:
        return now
    return parsed


# --- Patron to Mailchimp ----------------------------------------------------------------------

def _push(client: MailchimpClient, actor: Actor, segment: Segment | None, counts: dict, refusals: list[str]) -> None:
    customers = queries.segment_customers(segment) if segment else Customer.objects.filter(
        pk__in=_ids_with_email_consent()).order_by("pk")
    tag = (segment.newsletter_tag or segment.name) if segment else ""
    last_pk = 0
    while True:  # keyset chunks: memory stays flat however big the segment
        chunk = list(customers.filter(pk__gt=last_pk).only("pk", "first_name", "last_name", "name")[:CHUNK])
        if not chunk:
            return
        last_pk = chunk[-1].pk
        ids = [customer.pk for customer in chunk]
        emails, consents = queries.primary_emails(ids), queries.latest_consents(ids)
        for customer in chunk:
            email = emails.get(customer.pk)
            consent = consents.get(customer.pk, {}).get(ConsentChannel.EMAIL)
            if not email:
                counts["no_email"] += 1
            elif consent is None:
                counts["no_consent"] += 1
            else:
                try:
                    outcome = _push_member(client, customer, email, consent, tag)
                except MailchimpError as error:
                    if _is_fatal(error):
                        raise
                    counts["refused"] += 1  # this member only: a bad address, a compliance state
                    if len(refusals) < 5:
                        refusals.append(f"{customer.pk}: {error.status} {error.title}")
                    continue
                for key in outcome:
                    counts[key] += 1


def _is_fatal(error: MailchimpError) -> bool:
    """Whether the whole run must stop (no answer, the key or list refused, the server failing
    after the retries), rather than just this member (a bad address, a compliance state)."""
    return error.status in (0, 401, 403, 429) or error.status >= 500


def _push_member(client: MailchimpClient, customer: Customer, email: str, consent, tag: str) -> list[str]:
    if not consent.granted:
        return ["withdrawn"]  # never subscribed; _push_withdrawals told Mailchimp
    member = client.upsert_member(email, {"status_if_new": "subscribed", "merge_fields": _merge_fields(customer),
                                          "timestamp_opt": consent.occurred_at.isoformat(timespec="seconds")})
    status = member.get("status")
    if status in TAKEN_BACK:
        if status == "cleaned" or consent.occurred_at <= _timestamp(member.get("last_changed")):
            return ["kept_unsubscribed"]
        member = client.upsert_member(email, {"status": "pending"})  # fresh consent: double opt-in
        status = member.get("status")
    outcome = ["pending" if status == "pending" else "subscribed"]
    if tag:
        client.add_tags(email, [tag])
        outcome.append("tagged")
    return outcome


def _merge_fields(customer: Customer) -> dict:
    if customer.first_name or customer.last_name:
        return {"FNAME": customer.first_name[:255], "LNAME": customer.last_name[:255]}
    return {"FNAME": customer.name[:255]}


def _push_withdrawals(client: MailchimpClient, since: datetime | None, counts: dict) -> None:
    """Withdrawals recorded in Patron (since the last run) unsubscribe the member on Mailchimp; an
    address not on the list is left off it."""
    withdrawals = ConsentEvent.objects.filter(channel=ConsentChannel.EMAIL, granted=False).exclude(
        source=ConsentSource.NEWSLETTER)
    if since is not None:
        withdrawals = withdrawals.filter(recorded_at__gte=since)
    ids = sorted(set(withdrawals.values_list("customer_id", flat=True)))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        emails, consents = queries.primary_emails(chunk), queries.latest_consents(chunk)
        for customer_id in chunk:
            consent = consents.get(customer_id, {}).get(ConsentChannel.EMAIL)
            if customer_id not in emails or consent is None or consent.granted:
                continue
            try:
                client.set_status(emails[customer_id], "unsubscribed")
            except MailchimpError as error:
                if _is_fatal(error):
                    raise
                continue  # 404: not on the list, nothing to withdraw there
            counts["unsubscribed"] += 1


def _ids_with_email_consent():
    return Customer.objects.annotate(email_granted=queries.latest_granted(ConsentChannel.EMAIL)).filter(
        email_granted=True).values("pk")
