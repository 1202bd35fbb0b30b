"""How each stored field of the events app is classified (see patron/privacy). Events carry ids,
amounts and statuses, never a customer's personal values (``kinds.DATA_KEYS``)."""

FIELDS = {
    **{f"Subscription.{name}": "operational" for name in (
        "id", "uuid", "url", "description", "event_types", "secret", "is_active", "paused_at", "paused_reason",
        "failing_since", "version", "created_at", "updated_at")},
    **{f"Event.{name}": "operational" for name in ("id", "uuid", "kind", "customer_uuid", "payload", "created_at")},
    **{f"Delivery.{name}": "operational" for name in (
        "id", "subscription", "event", "customer_uuid", "status", "attempts", "next_attempt_at", "delivered_at",
        "last_error", "created_at")},
    **{f"DeliveryAttempt.{name}": "operational" for name in (
        "id", "delivery", "attempted_at", "status_code", "error", "duration_ms")},
}
