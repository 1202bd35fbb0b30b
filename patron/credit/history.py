"""A customer with credit entries has history: it can be deactivated, never deleted."""

from patron.credit.models import LedgerEntry
from patron.customers.history import register_history_check


@register_history_check
def credit_entries(customer) -> str | None:
    count = LedgerEntry.objects.filter(account__customer=customer).count()
    return f"{count} credit entr{'ies' if count != 1 else 'y'}" if count else None
