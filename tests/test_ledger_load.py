"""Reliability test L1 (/work/shared/notes/reliability.md, C-L): 1,000 concurrent charges from
8 client processes against a 500.00 credit limit, through the real server.

``patron serve --workers 4`` (gunicorn) runs on a free loopback port against a scratch database of
the engine of the test run (an SQLite file, or a PostgreSQL database created and dropped here),
never the test database. One server serves the three seeds, each against its own fresh account.
The harness lives in bench/ (``make bench-ledger`` runs it at a larger scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bench.common import L1_LIMIT, ledger_site, run_l1
from bench.invariants import Exchange, ledger_checks
from tests.cli_support import environment, scratch_database_url

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_setup):
    """A served scratch database with one 500.00 account per seed (``django_db_setup``: a scratch
    PostgreSQL database is created over a connection to the test database)."""
    work_dir = tmp_path_factory.mktemp("ledger")
    with scratch_database_url(work_dir) as url, \
            ledger_site(environment(work_dir / "var", url), work_dir, [L1_LIMIT] * len(SEEDS)) as site:
        yield site


@pytest.mark.parametrize("seed", SEEDS)
def test_concurrent_charges_never_overspend_lose_or_double_an_update(site, seed, tmp_path):
    # given: a fresh account, limit 500.00, balance 0
    customer = site.customers[SEEDS.index(seed)]
    # when
    outcome = run_l1(site, customer, seed, tmp_path)
    # then: (a)-(f) all hold, and the run really hit the limit
    assert outcome.failed == []
    assert [check.name for check in outcome.checks] == [
        "overspend = 0", "balance = sum of entries", "no sequence gaps", "201s = charge entries",
        "others are 422 limit", "no 5xx", 'no "database is locked"']
    assert outcome.accepted + outcome.refused == 1000
    assert outcome.accepted >= 20 and outcome.refused >= 500  # 1,000 charges of 1.00-20.00 against 500.00


# --- the checker catches each kind of fault (no server: a run as the harness would see it) -----

LIMIT_PROBLEM = {"type": "https://patron.example/problems/credit-limit-exceeded", "code": "credit-limit-exceeded"}


@dataclass
class Run:
    exchanges: list[Exchange]
    accounts: dict
    log: str

    def failing(self) -> set[str]:
        return {check.name for check in ledger_checks(self.exchanges, self.accounts, self.log) if not check.passed}


def _charge(amount: str, status: int, body: dict, content_type: str = "application/json") -> Exchange:
    request = {"method": "POST", "path": "/charges", "customer": "c1", "key": amount, "body": {"amount": amount}}
    return Exchange(request, {"status": status, "content_type": content_type, "body": body})


def _refusal(amount: str) -> Exchange:
    return _charge(amount, 422, LIMIT_PROBLEM, "application/problem+json")


def _clean_run() -> Run:
    """Two charges accepted and one refused on a 30.00 account, and a quiet server log."""
    entries = [{"id": "e1", "sequence": 1, "kind": "charge", "amount": "10.00", "balance_after": "10.00"},
               {"id": "e2", "sequence": 2, "kind": "charge", "amount": "15.00", "balance_after": "25.00"}]
    account = {"credit_limit": "30.00", "balance": "25.00", "derived_balance": "25.00", "problems": [],
               "entries": entries}
    answered = ("id", "sequence", "amount", "balance_after")
    accepted = [_charge(entry["amount"], 201, {key: entry[key] for key in answered}) for entry in entries]
    return Run([*accepted, _refusal("6.00")], {"c1": account}, '127.0.0.1 "POST /charges HTTP/1.1" 201 120\n')


def _overspent(run: Run):
    run.accounts["c1"]["credit_limit"] = "20.00"


def _balance_off_by_a_cent(run: Run):
    run.accounts["c1"]["balance"] = "25.01"


def _sequence_gap(run: Run):
    run.accounts["c1"]["entries"][1]["sequence"] = run.exchanges[1].body["sequence"] = 3


def _acknowledged_charge_lost(run: Run):
    run.exchanges[1].body["id"] = "e9"


def _refused_although_it_fitted(run: Run):
    run.exchanges.append(_refusal("3.00"))


def _server_error_logged(run: Run):
    run.log += '127.0.0.1 "POST /charges HTTP/1.1" 500 145\n'


def _database_locked(run: Run):
    run.log += "sqlite3.OperationalError: database is locked\n"


FAULTS = [
    (_overspent, "overspend = 0"),
    (_balance_off_by_a_cent, "balance = sum of entries"),
    (_sequence_gap, "no sequence gaps"),
    (_acknowledged_charge_lost, "201s = charge entries"),
    (_refused_although_it_fitted, "others are 422 limit"),
    (_server_error_logged, "no 5xx"),
    (_database_locked, 'no "database is locked"'),
]


def test_the_checker_passes_a_clean_run():
    assert _clean_run().failing() == set()


@pytest.mark.parametrize("fault, check", FAULTS, ids=[fault.__name__ for fault, _ in FAULTS])
def test_the_checker_fails_exactly_the_broken_invariant(fault, check):
    run = _clean_run()
    fault(run)
    assert run.failing() == {check}


def test_a_server_error_answer_fails_the_answers_and_the_5xx_checks():
    run = _clean_run()
    run.exchanges.append(_charge("1.00", 500, {"code": "internal-error"}))
    assert run.failing() == {"others are 422 limit", "no 5xx"}
