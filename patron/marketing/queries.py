"""Reading consent and segments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from patron.core.errors import NotFound
from patron.customers.models import Customer, CustomerEmail, CustomerKind
from patron.locations.models import Location
from patron.marketing.models import ConsentChannel, ConsentEvent, ConsentFilter, NewsletterSync, Segment

_CHUNK = 1000  # ids per query: stays under SQLite's limit of bound parameters


def latest_consents(customer_ids: Iterable[int]) -> dict[int, dict[str, ConsentEvent]]:
    """Each customer's current consent per channel: {customer id: {"email": event, "sms": event}}.
    A customer or channel without any event is left out (never asked is not consent)."""
    ids = sorted(set(customer_ids))
    latest: dict[int, dict[str, ConsentEvent]] = {}
    for start in range(0, len(ids), _CHUNK):
        events = ConsentEvent.objects.filter(customer_id__in=ids[start:start + _CHUNK]).order_by("occurred_at", "id")
        for event in events:  # in time order, so the last one seen per channel wins
            latest.setdefault(event.customer_id, {})[event.channel] = event
    return latest


def consent_history(customer: Customer) -> QuerySet[ConsentEvent]:
    """Every consent change of the customer, newest first."""
    return ConsentEvent.objects.filter(customer=customer).order_by("-occurred_at", "-id")


def latest_granted(channel: str):
    """A subquery expression: whether the customer's latest consent on ``channel`` is a grant
    (None when never asked)."""
    return Subquery(ConsentEvent.objects.filter(customer=OuterRef("pk"), channel=channel)
                    .order_by("-occurred_at", "-id").values("granted")[:1])


def segment_customers(segment: Segment) -> QuerySet[Customer]:
    """The customers the segment's criteria keep, in order of their id."""
    customers = Customer.objects.all()
    if segment.statuses:
        customers = customers.filter(status__in=segment.statuses)
    tag_ids = list(segment.tags.values_list("pk", flat=True)) if segment.pk else []
    if tag_ids:
        customers = customers.filter(pk__in=Customer.tags.through.objects.filter(tag_id__in=tag_ids)
                                     .values("customer_id"))
    if segment.home_location_id:
        customers = customers.filter(home_location_id__in=_location_and_beneath(segment.home_location_id))
    if segment.location_group_id:
        customers = customers.filter(pk__in=Customer.location_groups.through.objects.filter(
            locationgroup_id=segment.location_group_id).values("customer_id"))
    if segment.min_total_spend is not None:
        customers = customers.filter(total_purchases__gte=segment.min_total_spend)
    if segment.max_total_spend is not None:
        customers = customers.filter(total_purchases__lte=segment.max_total_spend)
    if segment.last_purchase_after:
        customers = customers.filter(last_purchase_at__date__gte=segment.last_purchase_after)
    if segment.last_purchase_before:
        customers = customers.filter(last_purchase_at__date__lte=segment.last_purchase_before)
    for channel, wanted in ((ConsentChannel.EMAIL, segment.email_consent), (ConsentChannel.SMS, segment.sms_consent)):
        if wanted:
            field = f"{channel}_consent_granted"
            customers = customers.annotate(**{field: latest_granted(channel)})
            granted = Q(**{field: True})
            customers = customers.filter(granted if wanted == ConsentFilter.GRANTED else ~granted | Q(
                **{f"{field}__isnull": True}))
    return customers.order_by("pk")


def _location_and_beneath(location_id: int) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Location.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = [], [location_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.append(current)
            todo.extend(children.get(current, []))
    return found


def primary_emails(customer_ids: Iterable[int]) -> dict[int, str]:
    """Each customer's first e-mail address (by position), for the newsletter."""
    ids = sorted(set(customer_ids))
    emails: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = (CustomerEmail.objects.filter(customer_id__in=ids[start:start + _CHUNK])
                .order_by("customer_id", "position", "id").values_list("customer_id", "address"))
        for customer_id, address in rows:
            emails.setdefault(customer_id, address)
    return emails


def customers_by_email(addresses: Iterable[str]) -> dict[str, list[int]]:
    """Customer ids per lower-cased address (one address may belong to several customers)."""
    keys = sorted({address.strip().lower() for address in addresses})
    found: dict[str, list[int]] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = CustomerEmail.objects.filter(address_key__in=keys[start:start + _CHUNK]).values_list(
            "address_key", "customer_id")
        for key, customer_id in rows:
            found.setdefault(key, []).append(customer_id)
    return found


def list_segments() -> QuerySet[Segment]:
    return Segment.objects.select_related("home_location", "location_group").prefetch_related("tags")


def get_segment(reference) -> Segment:
    """A segment by uuid or (case-insensitive) name."""
    segments = list_segments()
    try:
        return segments.get(uuid=reference)
    except (Segment.DoesNotExist, ValueError, TypeError, ValidationError):
        pass
    try:
        return segments.get(name__iexact=str(reference))
    except Segment.DoesNotExist:
        raise NotFound(_("No such segment."), code="segment-not-found") from None


def sync_runs(limit: int = 20) -> QuerySet[NewsletterSync]:
    return NewsletterSync.objects.select_related("segment")[:limit]


@dataclass(frozen=True)
class ConsentShare:
    """Of ``total`` customers (placeholders left out), how many gave consent on ``channel`` (their
    latest word is a grant), how many withdrew it, and how many were never asked."""

    channel: str
    label: str
    total: int
    given: int
    withdrawn: int

    @property
    def never_asked(self) -> int:
        return self.total - self.given - self.withdrawn


def consent_shares() -> list[ConsentShare]:
    customers = Customer.objects.exclude(kind=CustomerKind.PLACEHOLDER)
    total = customers.count()
    shares = []
    for channel in ConsentChannel:
        counts = customers.annotate(latest=latest_granted(channel)).aggregate(
            given=Count("pk", filter=Q(latest=True)), withdrawn=Count("pk", filter=Q(latest=False)))
        shares.append(ConsentShare(channel=channel.value, label=str(channel.label), total=total, **counts))
    return shares
