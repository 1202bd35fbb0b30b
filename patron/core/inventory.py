"""How each stored field of this app is classified for privacy duties (see patron/privacy/inventory.py):
"personal" data about a person (exported on request, removed on erasure), "financial-record" (exported,
kept for the retention a shop's books need), "operational" (the shop's own bookkeeping)."""

FIELDS = {
    # The trail of a customer's record is theirs: who acted is the shop's, what changed is the customer's.
    "AuditEvent.id": "operational",
    "AuditEvent.occurred_at": "financial-record",
    "AuditEvent.actor_kind": "operational",
    "AuditEvent.actor_label": "operational",
    "AuditEvent.actor_user_id": "operational",
    "AuditEvent.actor_token_id": "operational",
    "AuditEvent.action": "financial-record",
    "AuditEvent.object_type": "financial-record",
    "AuditEvent.object_id": "financial-record",
    "AuditEvent.object_label": "personal",
    "AuditEvent.customer_uuid": "operational",
    "AuditEvent.changes": "personal",
    "AuditEvent.data": "personal",
    "AuditEvent.request_id": "operational",
    "AuditEvent.ip_address": "operational",
}
