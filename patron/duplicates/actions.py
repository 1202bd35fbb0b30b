"""Decisions on duplicates: "not the same customer", closing pairs on a merge, and "create anyway"."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import NotFound, RuleViolation
from patron.core.permissions import require
from patron.customers.models import Customer
from patron.duplicates.models import DuplicatePair, PairStatus


def _locked_pair(pair_id: int) -> DuplicatePair:
    pair = DuplicatePair.objects.select_for_update().filter(pk=pair_id).select_related("first", "second").first()
    if pair is None:
        raise NotFound(_("No such pair of likely duplicates."), code="duplicate-pair-not-found")
    return pair


@transaction.atomic
def mark_not_same(*, actor: Actor, pair_id: int) -> DuplicatePair:
    """Record that the two customers of a pair are different people: the pair is never proposed
    again, by the queue or by the warnings between these two."""
    require(actor, "duplicates.review")
    pair = _locked_pair(pair_id)
    if pair.status == PairStatus.MERGED:
        raise RuleViolation(_("These customers were merged already."), code="duplicate-pair-merged")
    if pair.status == PairStatus.NOT_SAME:
        return pair
    pair.status, pair.decided_by, pair.decided_at = PairStatus.NOT_SAME, actor.label[:150], timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    data = {"pair": pair.pk, "other": str(pair.second.uuid), "score": pair.score, "reasons": pair.codes}
    record_event(actor=actor, action="duplicates.not_same", subject=pair.first, data=data)
    record_event(actor=actor, action="duplicates.not_same", subject=pair.second,
                 data={**data, "other": str(pair.first.uuid)})
    return pair


def close_pairs_for_merge(survivor_id: int, merged_ids) -> int:
    """Close the open pairs between the survivor and the records merged into it (the merge calls
    this in its transaction); pairs of the merged records with anyone else are dropped, as those
    records are no longer proposed. Returns the number of pairs marked merged."""
    ids = {survivor_id, *merged_ids}
    now = timezone.now()
    closed = DuplicatePair.objects.filter(first_id__in=ids, second_id__in=ids, status=PairStatus.OPEN).update(
        status=PairStatus.MERGED, decided_at=now, updated_at=now)
    DuplicatePair.objects.filter(Q(first_id__in=merged_ids) | Q(second_id__in=merged_ids),
                                 status=PairStatus.OPEN).delete()
    return closed


def note_created_anyway(*, actor: Actor, customer: Customer, candidates) -> None:
    """Audit that ``customer`` was created although these candidates were shown as likely the same
    (call in the creation's transaction)."""
    if candidates:
        record_event(actor=actor, action="customer.created_despite_duplicates", subject=customer, data={
            "candidates": [{"customer": str(candidate.customer.uuid), "score": candidate.match.score,
                            "reasons": list(candidate.match.codes)} for candidate in candidates]})


def note_saved_anyway(*, actor: Actor, customer: Customer, candidates) -> None:
    """Audit that a change to ``customer`` was saved although it made these candidates likely the
    same (call in the change's transaction)."""
    if candidates:
        record_event(actor=actor, action="customer.changed_despite_duplicates", subject=customer, data={
            "candidates": [{"customer": str(candidate.customer.uuid), "score": candidate.match.score,
                            "reasons": list(candidate.match.codes)} for candidate in candidates]})
