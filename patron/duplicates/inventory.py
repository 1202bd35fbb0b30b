"""How each field of the duplicates app is classified (see the privacy app's data inventory)."""

FIELDS = {
    "DuplicateKey.id": "operational",
    "DuplicateKey.customer": "personal",
    # a normalised e-mail, phone, tax ID, or name sound with postcode or birth date
    "DuplicateKey.key": "personal",
    "DuplicatePair.id": "operational",
    "DuplicatePair.first": "personal",
    "DuplicatePair.second": "personal",
    "DuplicatePair.score": "operational",
    "DuplicatePair.reasons": "operational",
    "DuplicatePair.status": "operational",
    "DuplicatePair.decided_by": "operational",
    "DuplicatePair.decided_at": "operational",
    "DuplicatePair.created_at": "operational",
    "DuplicatePair.updated_at": "operational",
    "PendingCheck.id": "operational",
    "PendingCheck.customer_id": "operational",
    "PendingCheck.created_at": "operational",
}
