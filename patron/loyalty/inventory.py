"""Privacy classification of this app's fields (see patron/privacy/inventory.py)."""

FIELDS = {
    "LoyaltySettings.id": "operational",
    "LoyaltySettings.is_enabled": "operational",
    "LoyaltySettings.points_per_unit": "operational",
    "LoyaltySettings.point_value": "operational",
    "PointsAccount.id": "operational",
    "PointsAccount.customer": "financial-record",
    "PointsAccount.balance": "financial-record",
    "PointsAccount.last_sequence": "financial-record",
    "PointsEntry.id": "operational",
    "PointsEntry.uuid": "financial-record",
    "PointsEntry.account": "financial-record",
    "PointsEntry.sequence": "financial-record",
    "PointsEntry.kind": "financial-record",
    "PointsEntry.points": "financial-record",
    "PointsEntry.balance_after": "financial-record",
    "PointsEntry.reference": "financial-record",
    "PointsEntry.note": "personal",
    "PointsEntry.posted_at": "financial-record",
    "PointsEntry.actor_label": "operational",
}
