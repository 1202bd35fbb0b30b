"""The events Patron sends out, and which audited actions each one stands for.

Every change is audited in its own transaction (core.audit), so the events are taken from the audit
entries as they are written: the outbox holds an event exactly when its change committed.
"""

from __future__ import annotations

# event type -> the audit actions it reports
EVENT_ACTIONS: dict[str, tuple[str, ...]] = {
    "customer.created": ("customer.created",),
    "customer.updated": ("customer.updated", "address.added", "address.updated", "address.removed",
                         "contact.added", "contact.updated", "contact.removed", "customer.photo_changed",
                         "customer.photo_removed"),
    "customer.status_changed": ("customer.status_changed",),
    "customer.merged": ("customer.merged",),
    "customer.unmerged": ("customer.unmerged",),
    "customer.deleted": ("customer.deleted",),
    "customer.erased": ("privacy.customer_erased",),
    "sale.recorded": ("sales.sale_recorded", "sales.return_recorded"),
    "credit.entry_posted": ("credit.charge_posted", "credit.payment_posted", "credit.refund_posted",
                            "credit.adjustment_posted", "credit.reversal_posted"),
    "consent.changed": ("consent.granted", "consent.withdrawn"),
    "import.finished": ("import.done",),
}
EVENT_TYPES = tuple(EVENT_ACTIONS)
EVENT_OF_ACTION = {action: kind for kind, actions in EVENT_ACTIONS.items() for action in actions}

# What of an audit entry's data an event carries: amounts, numbers and statuses, never a person's
# values (an integrator reads the customer through the API, with its token's rights).
DATA_KEYS = {
    "sale.recorded": ("number", "source", "total"),
    "credit.entry_posted": ("amount", "balance_after", "sequence"),
    "consent.changed": ("channel", "source", "occurred_at"),
    "import.finished": ("created", "updated", "rejected", "likely_duplicates"),
    "customer.merged": ("merge", "survivor", "merged"),
    "customer.unmerged": ("merge", "survivor"),
}
