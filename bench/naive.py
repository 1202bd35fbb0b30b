"""A deliberately naive build of Patron for the mutation check of test L1:

    python -m bench.naive serve --port ... --workers 4

It is ``patron`` with one change made in the server process before gunicorn forks its workers:
``locked_account`` reads the account without locking it and pauses before the charge is written,
the read-then-write race a harness must catch. The product code is not touched.
"""

from __future__ import annotations

import os
import sys
import time

import django

RACE_WINDOW_SECONDS = 0.005


def naive_locked_account(customer):
    from patron.core.errors import NotFound
    from patron.credit.models import CreditAccount

    account = CreditAccount.objects.select_related("customer").filter(customer=customer).first()
    if account is None:
        raise NotFound(f"{customer.name} has no credit account.", code="no-credit-account")
    time.sleep(RACE_WINDOW_SECONDS)  # another request reads the same balance meanwhile
    return account


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    django.setup()
    from patron.cli import main as patron
    from patron.credit import actions

    actions.locked_account = naive_locked_account
    return patron(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
