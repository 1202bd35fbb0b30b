"""Reading merges, and the records a merge names (tombstones included: not followed)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from patron.core.errors import NotFound
from patron.customers.models import Customer
from patron.merging.models import Merge


def undo_window() -> datetime.timedelta:
    """How long a merge can be undone (PATRON_MERGE_UNDO_DAYS)."""
    return datetime.timedelta(days=settings.PATRON_MERGE_UNDO_DAYS)


def record_by_reference(reference: str) -> Customer:
    """The record with this account number (ignoring case) or uuid, as it is: a merged record is
    returned itself, not its survivor (merging it again is refused with a clear error)."""
    reference = (reference or "").strip()
    found = Customer.with_tombstones.annotate(key=Lower("account_number")).filter(key=reference.lower()).first()
    if found is None:
        try:
            found = Customer.with_tombstones.filter(uuid=reference).first()
        except (ValueError, ValidationError):
            found = None
    if found is None:
        raise NotFound(_("No customer has the account number or id “%(reference)s”.") % {"reference": reference},
                       code="customer-not-found")
    return found


def merges_of(customer: Customer):
    """The merges that made ``customer`` a survivor, newest first."""
    return Merge.objects.filter(survivor=customer).select_related("survivor")


def merge_into(customer: Customer) -> Merge | None:
    """The merge that made ``customer`` a tombstone (None when it is not merged)."""
    if customer.merged_into_id is None:
        return None
    # JSON containment differs by engine; a survivor has few merges, so they are read and checked here.
    candidates = Merge.objects.filter(survivor_id=customer.merged_into_id, undone_at__isnull=True)
    return next((merge for merge in candidates if str(customer.uuid) in merge.merged_uuids), None)


def merge_summary(merge: Merge) -> dict:
    """A merge as the CLI prints it with --json (and the API shows it)."""
    return {
        "id": str(merge.uuid),
        "survivor": {"id": str(merge.survivor.uuid), "account_number": merge.survivor.account_number,
                     "name": merge.survivor.name},
        "merged": [{"id": values["uuid"], "account_number": values["account_number"], "name": values["name"]}
                   for values in merge.snapshot.get("others", {}).values()],
        "field_choices": merge.field_choices,
        "merged_at": merge.merged_at.isoformat(),
        "merged_by": merge.actor_label,
        "undo_until": (merge.merged_at + undo_window()).isoformat(),
        "undone_at": merge.undone_at.isoformat() if merge.undone_at else None,
        "undone_by": merge.undone_by,
        "report": merge.report,
    }
