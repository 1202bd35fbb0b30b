"""L6's last clause: a merge killed with SIGKILL in the middle (rows, balances and consent already
moved inside its transaction) leaves the state before the merge; run again, it completes.

The real `patron` runs in a child process against a scratch database of the test run's engine;
the child pauses inside the merge's transaction and is killed there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from decimal import Decimal

import pytest

from tests.cli_support import patron_ok
from tests.test_import_crash import _query, _site

pytestmark = pytest.mark.django_db

SETUP = """
from patron.core.actors import system_actor
from patron.credit import actions as credit
from patron.customers.tests.factories import customer_factory
from patron.loyalty.actions import adjust_points
from patron.sales.tests.factories import sale_factory
system = system_actor()
survivor = customer_factory(last_name="Survivor", phones=[{"kind": "mobile", "number": "+31611111111"}])
other = customer_factory(last_name="Other", phones=[{"kind": "mobile", "number": "+31611111111"},
                                                      {"kind": "home", "number": "+31202222222"}])
for customer, amount in ((survivor, "30.00"), (other, "45.50")):
    credit.set_credit_limit(actor=system, customer=customer, credit_limit="500.00")
    credit.post_charge(actor=system, customer=customer, amount=amount)
    sale_factory(customer)
adjust_points(actor=system, customer=other, points=80, note="start")
"""

MERGE = """
import sys, time
from patron.core.actors import system_actor
from patron.customers.models import Customer
from patron.merging import actions
pause = {pause}
taking_values = actions._add_purchase_figures
def paused(*args, **kwargs):
    taking_values(*args, **kwargs)
    if pause:
        print("PAUSED", flush=True)
        time.sleep(120)
actions._add_purchase_figures = paused
actions.merge_customers(actor=system_actor(), survivor=Customer.objects.get(last_name="Survivor"),
                        others=[Customer.objects.get(last_name="Other")])
"""


def _state(url: str) -> dict:
    return {
        "customers": _query(url, "SELECT last_name, merged_into_id, version, sale_count FROM customers_customer "
                                 "ORDER BY id"),
        "phones": _query(url, "SELECT customer_id, e164 FROM customers_customerphone ORDER BY customer_id, e164"),
        "balances": _query(url, "SELECT customer_id, balance FROM credit_creditaccount ORDER BY customer_id"),
        "entries": _query(url, "SELECT count(*) FROM credit_ledgerentry"),
        "points": _query(url, "SELECT customer_id, balance FROM loyalty_pointsaccount ORDER BY customer_id"),
        "sales": _query(url, "SELECT customer_id, count(*) FROM sales_sale GROUP BY customer_id ORDER BY 1"),
        "merges": _query(url, "SELECT count(*) FROM merging_merge"),
        "events": _query(url, "SELECT count(*) FROM core_auditevent WHERE action = 'customer.merged'"),
    }


def test_a_merge_killed_mid_transaction_leaves_the_state_before_it(tmp_path):
    with _site(tmp_path, "site") as (url, env):
        patron_ok("manage", "shell", "-c", SETUP, env=env)
        before = _state(url)
        child = subprocess.Popen([sys.executable, "-m", "patron.cli", "manage", "shell", "-c",
                                  MERGE.format(pause=True)], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        try:
            lines = iter(child.stdout.readline, "")  # the shell first says what it imported
            assert any(line.strip() == "PAUSED" for line in lines), child.stderr.read()
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.wait(timeout=60)
        assert child.returncode == -signal.SIGKILL
        assert _state(url) == before

        patron_ok("manage", "shell", "-c", MERGE.format(pause=False), env=env)
        after = _state(url)
        assert [row[1] is not None for row in after["customers"]] == [False, True]
        assert after["merges"] == after["events"] == [(1,)]
        assert sorted(Decimal(str(balance)) for _customer, balance in after["balances"]) == [0, Decimal("75.50")]
