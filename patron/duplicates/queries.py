"""Reading duplicates: candidates for values about to be saved, and the review queue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from patron.customers.models import Customer
from patron.duplicates.keys import customers_sharing_keys, keys_of
from patron.duplicates.matching import Match, compare
from patron.duplicates.models import DuplicatePair, PairStatus
from patron.duplicates.profiles import Profile, customers_by_id, profile_from_values, profiles_of
from patron.duplicates.rules import EVIDENCE

MAX_CANDIDATES = 5


@dataclass
class Candidate:
    customer: Customer
    match: Match


def candidates_for(profile: Profile, *, limit: int = MAX_CANDIDATES) -> list[Candidate]:
    """Existing customers likely the same as ``profile`` (POSSIBLE or above), strongest first.
    A customer's own record, and records decided "not the same" as it, are left out."""
    exclude = {profile.customer_id} if profile.customer_id else set()
    if profile.customer_id:
        exclude |= not_same_as(profile.customer_id)
    ids = customers_sharing_keys(keys_of(profile), exclude=exclude)
    scored = [(pk, compare(profile, other)) for pk, other in profiles_of(ids).items()]
    scored = sorted(((pk, match) for pk, match in scored if match.is_possible),
                    key=lambda item: (-item[1].score, item[0]))[:limit]
    customers = customers_by_id(pk for pk, _ in scored)
    return [Candidate(customers[pk], match) for pk, match in scored if pk in customers]


def candidates_for_values(*, kind: str, values: dict, addresses: list[dict] | None = None,
                          customer: Customer | None = None, store_country: str = "",
                          limit: int = MAX_CANDIDATES) -> list[Candidate]:
    profile = profile_from_values(kind=kind, values=values, addresses=addresses,
                                  customer_id=customer.pk if customer else None, store_country=store_country)
    return candidates_for(profile, limit=limit)


def not_same_as(customer_id: int) -> set[int]:
    pairs = DuplicatePair.objects.filter(Q(first_id=customer_id) | Q(second_id=customer_id),
                                         status=PairStatus.NOT_SAME).values_list("first_id", "second_id")
    return {other for pair in pairs for other in pair} - {customer_id}


@dataclass
class QueueFilter:
    status: str = PairStatus.OPEN
    location: object = None  # a Location: either customer's home location
    reason: str = ""  # an evidence code


def pairs(query: QueueFilter | None = None) -> QuerySet[DuplicatePair]:
    """The review queue, strongest first."""
    query = query or QueueFilter()
    rows = DuplicatePair.objects.select_related("first", "second", "first__home_location",
                                                "second__home_location")
    if query.status:
        rows = rows.filter(status=query.status)
    if query.location is not None:
        rows = rows.filter(Q(first__home_location=query.location) | Q(second__home_location=query.location))
    if query.reason:
        rows = rows.filter(reasons__contains=f",{query.reason},")
    return rows.order_by("-score", "id")


REASON_CHOICES = [(code, evidence.label) for code, evidence in EVIDENCE.items() if evidence.label is not None]


# The back office's merge screen (patron/merging builds it); the one place the queue links to it.
# The back office's merge screen (web.urls_merging "customer_merge"): the first customer is the
# proposed survivor, ``others`` the ones merged into it.
MERGE_PATH = "/customers/{survivor}/merge/?others={others}"


def merge_url(first: Customer, second: Customer) -> str:
    """Where the queue's "merge" button goes: the merge screen with both customers' ids."""
    return MERGE_PATH.format(survivor=first.uuid, others=second.uuid)


# The fields the queue shows side by side, and marks where the two records differ.
COMPARED_FIELDS = {"name": _("Name"), "account_number": _("Account number"), "birth_date": _("Birth date"),
                   "tax_id": _("Tax ID"), "phones": _("Phones"), "emails": _("E-mails"), "address": _("Addresses"),
                   "home_location": _("Home location"), "status": _("Status"), "created_at": _("Created")}


def side_by_side(pair: DuplicatePair) -> list[dict]:
    """Rows of (field, its label, first value, second value, differs) for the review queue."""
    records = customers_by_id([pair.first_id, pair.second_id])
    first, second = records[pair.first_id], records[pair.second_id]
    rows = []
    for field, label in COMPARED_FIELDS.items():
        a, b = _shown(first, field), _shown(second, field)
        rows.append({"field": field, "label": str(label), "first": a, "second": b, "differs": a != b})
    return rows


def _shown(customer: Customer, field: str) -> str:
    if field == "phones":
        return ", ".join(phone.number for phone in customer.phones.all())
    if field == "emails":
        return ", ".join(email.address for email in customer.emails.all())
    if field == "address":
        return "; ".join(str(address) for address in customer.addresses.all())
    if field == "home_location":
        return str(customer.home_location)
    if field == "created_at":
        return customer.created_at.date().isoformat()
    value = getattr(customer, field)
    return "" if value is None else str(value)
