"""Merges are customer history: a survivor (which merged records point at) or a merged record is
never deleted (patron/customers/history.py)."""

from patron.customers.history import register_history_check
from patron.customers.models import Customer
from patron.merging.models import Merge


@register_history_check
def merges(customer) -> str | None:
    count = Merge.objects.filter(survivor=customer).count()
    if count:
        return f"{count} merge{'s' if count != 1 else ''}"
    if customer.merged_into_id is not None or Customer.with_tombstones.filter(merged_into=customer).exists():
        return "merged records"
    return None
