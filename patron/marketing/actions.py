"""Recording marketing consent, and defining segments.

Consent is a history: each change is a new ``ConsentEvent`` and nothing is ever rewritten. A
record that would not change the current state (the latest event of that customer and channel)
writes nothing, so tills and webshops may send the same answer again and again. An answer older
than the current state's (an offline till's late upload, an import run twice) does not change it
either and is not written: the newer answer stands.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import audit_event, record_event, record_events
from patron.core.errors import Conflict, RuleViolation, StaleVersion, ValidationFailed
from patron.core.money import parse_amount
from patron.core.normalize import clean_text
from patron.core.permissions import require
from patron.customers.actions.bulk import BulkOutcome, tag_customers
from patron.customers.models import Customer, CustomerStatus, Tag
from patron.locations.models import Location, LocationGroup
from patron.marketing.models import ConsentChannel, ConsentEvent, ConsentFilter, ConsentSource, Segment
from patron.marketing.queries import latest_consents, segment_customers

# A till's clock may run a little ahead of the server's; anything later is a mistake.
CLOCK_SKEW = timedelta(minutes=5)


# --- consent ----------------------------------------------------------------------------------

@transaction.atomic
def record_consent(*, actor: Actor, customer: Customer, channel: str, granted: bool, source: str,
                   proof: str = "", occurred_at: datetime | None = None) -> ConsentEvent:
    """Record that the customer gave (``granted``) or withdrew consent on ``channel``. When that is
    already the customer's state, nothing is written and the latest event is returned."""
    require(actor, "consent.record")
    entry = _clean_entry({"channel": channel, "granted": granted, "source": source, "proof": proof,
                          "occurred_at": occurred_at})
    # The customer's row lock serialises two tills recording at once, so the "unchanged" check holds.
    Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk").first()
    latest = latest_consents([customer.pk]).get(customer.pk, {}).get(entry["channel"])
    if latest is not None and _overridden(entry, latest.granted, latest.occurred_at):
        return latest
    event = ConsentEvent.objects.create(customer=customer, actor_label=actor.label[:150], **entry)
    record_event(actor=actor, action=_action(event), subject=event, customer=customer, data=_audit_data(event))
    return event


@transaction.atomic
def record_consents_in_bulk(*, actor: Actor, entries: list[dict]) -> int:
    """Record many consents at once (imports): each entry has customer_id (the customer's database
    id), channel, granted, source, proof and occurred_at. Every entry is checked before anything is
    written; entries that do not change a customer's state are skipped. Returns how many were
    written."""
    require(actor, "consent.record")
    errors: dict[str, list[str]] = {}
    cleaned = []
    for index, raw in enumerate(entries):
        try:
            entry = _clean_entry(raw)
            entry["customer_id"] = _customer_id(raw.get("customer_id"))
        except ValidationFailed as error:
            for field, messages in error.errors.items():
                errors.setdefault(f"{index}.{field}" if field else str(index), []).extend(messages)
            continue
        cleaned.append(entry)
    customer_ids = {entry["customer_id"] for entry in cleaned}
    found = set(Customer.objects.filter(pk__in=customer_ids).values_list("pk", flat=True))
    for index, raw in enumerate(entries):
        if raw.get("customer_id") in customer_ids - found:
            errors.setdefault(f"{index}.customer_id", []).append("No such customer.")
    if errors:
        raise ValidationFailed.from_errors(errors)
    state = {(customer_id, channel): (event.granted, event.occurred_at)
             for customer_id, channels in latest_consents(customer_ids).items()
             for channel, event in channels.items()}
    events = []
    for entry in sorted(cleaned, key=lambda entry: entry["occurred_at"]):
        key = (entry["customer_id"], entry["channel"])
        if key in state and _overridden(entry, *state[key]):
            continue
        state[key] = (entry["granted"], entry["occurred_at"])
        events.append(ConsentEvent(actor_label=actor.label[:150], **entry))
    ConsentEvent.objects.bulk_create(events, batch_size=2000)
    customers = Customer.objects.in_bulk({event.customer_id for event in events})
    record_events([audit_event(actor=actor, action=_action(event), subject=event,
                               customer=customers[event.customer_id], data=_audit_data(event))
                   for event in events])
    return len(events)


def _overridden(entry: dict, granted: bool, occurred_at: datetime) -> bool:
    """Whether the current state (``granted`` since ``occurred_at``) makes the entry moot: it says
    the same, or it is older (a late answer from an offline till, an import run twice), so the
    newer answer stands."""
    return granted == entry["granted"] or entry["occurred_at"] < occurred_at


def _clean_entry(raw: dict) -> dict:
    errors: dict[str, list[str]] = {}
    channel, source, granted = raw.get("channel"), raw.get("source"), raw.get("granted")
    if channel not in ConsentChannel.values:
        errors["channel"] = [f"Choose one of {', '.join(ConsentChannel.values)}."]
    if source not in ConsentSource.values:
        errors["source"] = [f"Choose one of {', '.join(ConsentSource.values)}."]
    if not isinstance(granted, bool):
        errors["granted"] = ["Say yes (true) or no (false)."]
    try:
        proof = clean_text(raw.get("proof") or "", max_length=500)
    except ValueError as error:
        errors["proof"] = [str(error)]
    occurred_at = raw.get("occurred_at") or timezone.now()
    if not isinstance(occurred_at, datetime) or timezone.is_naive(occurred_at):
        errors["occurred_at"] = ["Give a date and time with its time zone."]
    elif occurred_at > timezone.now() + CLOCK_SKEW:
        errors["occurred_at"] = ["Consent cannot be recorded for the future."]
    if errors:
        raise ValidationFailed.from_errors(errors)
    return {"channel": channel, "granted": granted, "source": source, "proof": proof, "occurred_at": occurred_at}


def _customer_id(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(_("Give the customer's id."), field="customer_id")
    return value


def _action(event: ConsentEvent) -> str:
    return "consent.granted" if event.granted else "consent.withdrawn"


def _audit_data(event: ConsentEvent) -> dict:
    return {"channel": event.channel, "source": event.source, "occurred_at": event.occurred_at}


# --- segments ---------------------------------------------------------------------------------

SEGMENT_FIELDS = ("name", "description", "statuses", "tags", "home_location", "location_group", "min_total_spend",
                  "max_total_spend", "last_purchase_after", "last_purchase_before", "email_consent", "sms_consent",
                  "newsletter_tag")


@transaction.atomic
def create_segment(*, actor: Actor, values: dict) -> Segment:
    """A new segment. ``values`` holds any of SEGMENT_FIELDS; tags are tag names, home_location a
    ``Location`` and location_group a ``LocationGroup`` (or None)."""
    require(actor, "segments.manage")
    segment = Segment()
    tags = _apply(segment, {"name": "", **values})
    _save_unique(segment)
    segment.tags.set(tags or [])
    record_event(actor=actor, action="segment.created", subject=segment, data=describe_segment(segment))
    return segment


@transaction.atomic
def update_segment(*, actor: Actor, segment: Segment, values: dict, expected_version: int | None = None) -> Segment:
    """Change the fields given in ``values``; ``expected_version`` guards against lost updates."""
    require(actor, "segments.manage")
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    if expected_version is not None and segment.version != expected_version:
        raise StaleVersion(_("The segment was changed by someone else; reload it."))
    before = describe_segment(segment)
    tags = _apply(segment, values)
    segment.version += 1
    _save_unique(segment)
    if tags is not None:
        segment.tags.set(tags)
    after = describe_segment(segment)
    record_event(actor=actor, action="segment.updated", subject=segment,
                 changes={key: [before[key], after[key]] for key in after if before[key] != after[key]})
    return segment


@transaction.atomic
def delete_segment(*, actor: Actor, segment: Segment, expected_version: int | None = None) -> None:
    require(actor, "segments.manage")
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    if expected_version is not None and segment.version != expected_version:
        raise StaleVersion(_("The segment was changed by someone else; reload it."))
    record_event(actor=actor, action="segment.deleted", subject=segment, data=describe_segment(segment))
    segment.delete()


def segment_tag(segment: Segment) -> str:
    """The tag that puts a customer in the segment by hand: the first of the tags its rules keep.
    A segment whose rules name no tag takes no one by hand."""
    tag = segment.tags.order_by("name").values_list("name", flat=True).first()
    if not tag:
        raise RuleViolation(_("The segment “%(name)s” keeps customers by its rules, not by a tag: add a tag to its "
                              "rules to add customers to it by hand.") % {"name": segment.name},
                            code="segment-without-tag")
    return tag


def add_to_segment(*, actor: Actor, segment: Segment, customers: list[Customer]) -> BulkOutcome:
    """Put customers in a segment: a segment is its rules, so each customer gets the segment's tag
    (``segment_tag``, through the customers' own tag action). Customers its other rules (status,
    spend, ...) still leave out are listed in ``left_out``."""
    require(actor, "segments.manage")
    outcome = tag_customers(actor=actor, customers=customers, tag=segment_tag(segment))
    kept = set(segment_customers(segment).filter(pk__in=[customer.pk for customer in customers])
               .values_list("pk", flat=True))
    outcome.left_out = [customer for customer in customers if customer.pk not in kept]
    return outcome


def describe_segment(segment: Segment) -> dict:
    """The segment's criteria as plain values (audit trail, API, CLI)."""
    return {
        "name": segment.name, "description": segment.description, "statuses": list(segment.statuses),
        "tags": sorted(segment.tags.values_list("name", flat=True)) if segment.pk else [],
        "home_location": segment.home_location.code if segment.home_location else None,
        "location_group": segment.location_group.name if segment.location_group else None,
        "min_total_spend": segment.min_total_spend, "max_total_spend": segment.max_total_spend,
        "last_purchase_after": segment.last_purchase_after, "last_purchase_before": segment.last_purchase_before,
        "email_consent": segment.email_consent, "sms_consent": segment.sms_consent,
        "newsletter_tag": segment.newsletter_tag,
    }


def _apply(segment: Segment, values: dict) -> list[Tag] | None:
    """Check ``values`` and set them on the (unsaved) segment; returns the tags to link, or None
    when they are not among the values. Every field's problem is reported at once."""
    unknown = set(values) - set(SEGMENT_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(fields)s.") % {
            "fields": ', '.join(sorted(unknown))}, field=sorted(unknown)[0])
    errors: dict[str, list[str]] = {}

    def check(field, clean):
        if field in values:
            try:
                setattr(segment, field, clean(values[field]))
            except (ValueError, TypeError) as error:
                errors[field] = [str(error) or "Enter a valid value."]

    check("name", lambda value: _required(clean_text(value, max_length=80)))
    check("description", lambda value: clean_text(value, max_length=500))
    check("newsletter_tag", lambda value: clean_text(value, max_length=100))
    check("statuses", _statuses)
    check("home_location", lambda value: _instance(value, Location))
    check("location_group", lambda value: _instance(value, LocationGroup))
    check("min_total_spend", _optional_amount)
    check("max_total_spend", _optional_amount)
    check("last_purchase_after", _optional_date)
    check("last_purchase_before", _optional_date)
    check("email_consent", _consent_filter)
    check("sms_consent", _consent_filter)
    tags = None
    if "tags" in values:
        try:
            tags = _tags(values["tags"])
        except ValueError as error:
            errors["tags"] = [str(error)]
    if not errors and None not in (segment.min_total_spend, segment.max_total_spend) \
            and segment.min_total_spend > segment.max_total_spend:
        errors["max_total_spend"] = ["The highest spend must not be below the lowest."]
    if not errors and None not in (segment.last_purchase_after, segment.last_purchase_before) \
            and segment.last_purchase_after > segment.last_purchase_before:
        errors["last_purchase_before"] = ["This date must not be before the other one."]
    if errors:
        raise ValidationFailed.from_errors(errors)
    return tags


def _save_unique(segment: Segment) -> None:
    if Segment.objects.filter(name__iexact=segment.name).exclude(pk=segment.pk).exists():
        raise Conflict(_("A segment named %(name)s exists already.") % {
            "name": repr(segment.name)}, field="name", code="segment-name-taken")
    segment.save()


def _required(text: str) -> str:
    if not text:
        raise ValueError("Give the segment a name.")
    return text


def _statuses(value) -> list[str]:
    if not isinstance(value, (list, tuple)) or any(status not in CustomerStatus.values for status in value):
        raise ValueError(f"Give a list of statuses among {', '.join(CustomerStatus.values)}.")
    return sorted(set(value))


def _instance(value, model):
    if value is not None and not isinstance(value, model):
        raise ValueError(f"Choose a {model._meta.verbose_name}.")
    return value


def _optional_amount(value):
    return None if value in (None, "") else parse_amount(value, allow_zero=True)


def _optional_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime) or not isinstance(value, (date, str)):
        raise ValueError("Enter a date such as 2026-01-31.")
    return value if isinstance(value, date) else date.fromisoformat(value)


def _consent_filter(value) -> str:
    value = value or ""
    if value not in ConsentFilter.values:
        raise ValueError("Choose granted, not_granted or nothing.")
    return value


def _tags(names) -> list[Tag]:
    if not isinstance(names, (list, tuple)) or not all(isinstance(name, str) for name in names):
        raise ValueError("Give a list of tag names.")
    tags = {tag.name.lower(): tag for tag in Tag.objects.all()}
    missing = [name for name in names if name.strip().lower() not in tags]
    if missing:
        raise ValueError(f"No such tag: {', '.join(missing)}.")
    return [tags[name.strip().lower()] for name in names]
