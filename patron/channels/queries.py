"""Reading channels and their references (the importer and the back office use these)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from patron.channels.models import Channel, ExternalReference
from patron.core.errors import NotFound


def channel_by_code(code: str) -> Channel:
    """The channel with this code (active or not), ignoring case and surrounding space."""
    channel = Channel.objects.filter(code=(code or "").strip().lower()).first()
    if channel is None:
        raise NotFound(_("No webshop channel has the code “%(code)s”.") % {"code": code}, code="channel-not-found")
    return channel


def active_channel(code: str) -> Channel | None:
    """The channel a delivery names, if it exists and is active (deliveries learn nothing else)."""
    return Channel.objects.filter(code=(code or "").strip().lower(), is_active=True).first()


def customer_ids_for_references(channel: Channel, external_ids: list[str]) -> dict[str, int]:
    """external id -> customer pk, for the ids of ``channel`` that are linked already."""
    found: dict[str, int] = {}
    ids = list(dict.fromkeys(str(external_id) for external_id in external_ids))
    for start in range(0, len(ids), 1000):  # stays below SQLite's bound-parameter limit
        found.update(ExternalReference.objects.filter(channel=channel, external_id__in=ids[start:start + 1000])
                     .values_list("external_id", "customer_id"))
    return found


def channels_with_counts():
    """Every channel with how many customers it references, for the settings page and the CLI."""
    return Channel.objects.annotate(reference_count=Count("references")).order_by("code")


def references_of(customer) -> list[ExternalReference]:
    """The webshop references of one customer (the customer page shows where it came from)."""
    return list(ExternalReference.objects.filter(customer=customer).select_related("channel")
                .order_by("channel__code", "external_id"))
