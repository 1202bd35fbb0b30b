"""Privacy classification of this app's fields (see patron/privacy/inventory.py). Amounts, dates
and sequences are the books and survive an erasure; a ledger entry's free-text note may name the
person and is removed with their other personal data."""

FIELDS = {
    "CreditSettings.id": "operational",
    "CreditSettings.is_enabled": "operational",
    "CreditSettings.payment_terms_days": "operational",
    "CreditAccount.id": "operational",
    "CreditAccount.customer": "financial-record",
    "CreditAccount.credit_limit": "financial-record",
    "CreditAccount.balance": "financial-record",
    "CreditAccount.last_sequence": "financial-record",
    "CreditAccount.currency": "financial-record",
    "CreditAccount.opened_at": "financial-record",
    "CreditAccount.updated_at": "operational",
    "LedgerEntry.id": "operational",
    "LedgerEntry.uuid": "financial-record",
    "LedgerEntry.account": "financial-record",
    "LedgerEntry.sequence": "financial-record",
    "LedgerEntry.kind": "financial-record",
    "LedgerEntry.amount": "financial-record",
    "LedgerEntry.balance_after": "financial-record",
    "LedgerEntry.effective_date": "financial-record",
    "LedgerEntry.posted_at": "financial-record",
    "LedgerEntry.method": "financial-record",
    "LedgerEntry.reference": "financial-record",
    "LedgerEntry.note": "personal",
    "LedgerEntry.reverses": "financial-record",
    "LedgerEntry.exceeds_limit": "financial-record",
    "LedgerEntry.actor_label": "operational",
}
