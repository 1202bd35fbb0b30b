"""A customer with consent records has history: the proof of consent is kept, so the record can be
deactivated but never deleted."""

from patron.customers.history import register_history_check
from patron.marketing.models import ConsentEvent


@register_history_check
def consent_records(customer) -> str | None:
    count = ConsentEvent.objects.filter(customer=customer).count()
    return f"{count} consent record{'s' if count != 1 else ''}" if count else None
