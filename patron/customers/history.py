"""Does a customer have history? Deleting is allowed only when it has none.

Apps that record history about customers (messages here; sales, credit entries and orders in
their own apps) register a check in their AppConfig.ready(). A check returns a short phrase
("3 sales") when the customer has such history, else None.
"""

from __future__ import annotations

from collections.abc import Callable

from patron.customers.models import Customer

HistoryCheck = Callable[[Customer], "str | None"]
HISTORY_CHECKS: list[HistoryCheck] = []


def register_history_check(check: HistoryCheck) -> HistoryCheck:
    if check not in HISTORY_CHECKS:
        HISTORY_CHECKS.append(check)
    return check


def history_of(customer: Customer) -> list[str]:
    """Phrases describing the customer's history; empty when there is none."""
    return [phrase for phrase in (check(customer) for check in HISTORY_CHECKS) if phrase]


@register_history_check
def _messages(customer: Customer) -> str | None:
    count = customer.messages.count()
    return f"{count} logged message{'s' if count != 1 else ''}" if count else None

