"""Privacy classification of this app's fields (see patron/privacy/inventory.py). A stored API
answer may hold a customer's data; it is kept only PATRON_API_IDEMPOTENCY_DAYS and an erasure
removes the answers that name the customer."""

FIELDS = {
    "IdempotencyRecord.id": "operational",
    "IdempotencyRecord.token": "operational",
    "IdempotencyRecord.key": "operational",
    "IdempotencyRecord.fingerprint": "operational",
    "IdempotencyRecord.status_code": "operational",
    "IdempotencyRecord.headers": "operational",
    "IdempotencyRecord.body": "personal",
    "IdempotencyRecord.created_at": "operational",
}
