"""Privacy classification of this app's fields (see patron/privacy/inventory.py). A merge's
snapshot copies the merged records' personal data (to restore them on unmerge) and goes with
them on erasure. The merge itself stays: balances moved through it, so it belongs to the books."""

FIELDS = {
    "Merge.id": "operational",
    "Merge.uuid": "operational",
    "Merge.survivor": "operational",
    "Merge.merged_uuids": "operational",
    "Merge.field_choices": "operational",
    "Merge.snapshot": "personal",
    "Merge.idempotency_key": "operational",
    "Merge.actor_label": "operational",
    "Merge.merged_at": "financial-record",
    "Merge.undone_at": "operational",
    "Merge.undone_by": "operational",
    "Merge.report": "personal",
}
