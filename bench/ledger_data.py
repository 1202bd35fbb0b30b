"""The Django side of the ledger harness, run in a child process against the scratch database
(DATABASE_URL): it sets the data up and reads the ledger back, through the domain code only, so
the harness depends on nothing of the API but the charge endpoint.

    python -m bench.ledger_data setup LIMIT...   -> {"customers": [uuid...], "token": secret}
    python -m bench.ledger_data dump UUID...     -> {uuid: {credit_limit, balance, entries, ...}}
"""

from __future__ import annotations

import json
import os
import sys

import django


def setup(limits: list[str]) -> dict:
    """Credit switched on, one customer with a credit account per limit, and a cashier's API token."""
    from patron.core.actors import system_actor
    from patron.credit.actions import set_credit_enabled, set_credit_limit
    from patron.customers.actions import create_customer
    from patron.staff.actions import create_api_token

    actor = system_actor("bench")
    set_credit_enabled(actor=actor, is_enabled=True)
    customers = []
    for number, limit in enumerate(limits, 1):
        customer = create_customer(actor=actor, kind="person",
                                   values={"first_name": "Bench", "last_name": f"Account {number}"})
        set_credit_limit(actor=actor, customer=customer, credit_limit=limit)
        customers.append(str(customer.uuid))
    _token, secret = create_api_token(actor=actor, name="Bench till", role="cashier")
    return {"customers": customers, "token": secret}


def dump(customer_ids: list[str]) -> dict:
    """Each account as stored: limit, cached balance, the derived balance, the domain's own
    ledger check and every entry in sequence order. Amounts are decimal strings."""
    from patron.credit.models import CreditAccount
    from patron.credit.queries import derived_balance, ledger_problems

    accounts = {}
    for customer_id in customer_ids:
        account = CreditAccount.objects.get(customer__uuid=customer_id)
        accounts[customer_id] = {
            "credit_limit": str(account.credit_limit),
            "balance": str(account.balance),
            "derived_balance": str(derived_balance(account)),
            "problems": ledger_problems(account),
            "entries": [{"id": str(entry.uuid), "sequence": entry.sequence, "kind": entry.kind,
                         "amount": str(entry.amount), "balance_after": str(entry.balance_after)}
                        for entry in account.entries.order_by("sequence")],
        }
    return accounts


COMMANDS = {"setup": setup, "dump": dump}


def main(argv: list[str]) -> None:
    command, arguments = argv[0], argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    django.setup()
    json.dump(COMMANDS[command](arguments), sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
