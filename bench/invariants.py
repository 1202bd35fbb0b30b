"""The ledger invariants of test L1 (docs: /work/shared/notes/reliability.md, C-L), checked on what
the clients were told and on what the database holds afterwards (``ledger_data dump``).

Each check gives a ``Check`` with a short name for the table and, when it fails, what failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

LIMIT_EXCEEDED = "credit-limit-exceeded"
PROBLEM_JSON = "application/problem+json"
DATABASE_LOCKED = "database is locked"
# gunicorn's access log ("... HTTP/1.1" 500 ...), our logged crashes, workers killed for hanging.
SERVER_ERROR_IN_LOG = re.compile(r'" 5\d\d |Unhandled error|WORKER TIMEOUT')
ZERO = Decimal("0.00")
EXAMPLES = 3  # offenders quoted in a failure's detail


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Exchange:
    """One request a client sent (as planned) and what came back."""

    request: dict
    result: dict

    @property
    def is_charge(self) -> bool:
        return "customer" in self.request

    @property
    def customer(self) -> str:
        return self.request["customer"]

    @property
    def amount(self) -> Decimal:
        return Decimal(self.request["body"]["amount"])

    @property
    def status(self) -> int:
        return self.result["status"]

    @property
    def body(self):
        return self.result["body"]

    @property
    def fields(self) -> dict:
        """The JSON object answered ({} for anything else)."""
        return self.body if isinstance(self.body, dict) else {}


def ledger_checks(exchanges: list[Exchange], accounts: dict[str, dict], server_log: str) -> list[Check]:
    """L1 (a)-(e) over every exchange of a run and the accounts it charged."""
    charges = [exchange for exchange in exchanges if exchange.is_charge]
    return [
        no_overspend(accounts),
        balance_is_sum_of_entries(accounts),
        sequences_without_gaps(accounts),
        acknowledged_charges_are_the_entries(charges, accounts),
        refusals_are_limit_refusals(charges, accounts),
        no_server_errors(exchanges, server_log),
        never_locked(exchanges, server_log),
    ]


def no_overspend(accounts: dict[str, dict]) -> Check:
    offenders = []
    for customer, account in accounts.items():
        limit = Decimal(account["credit_limit"])
        highest = max([Decimal(account["balance"])] + [Decimal(entry["balance_after"]) for entry in account["entries"]])
        if highest > limit:
            offenders.append(f"{customer}: reached {highest}, limit {limit}")
    return _check("overspend = 0", offenders)


def balance_is_sum_of_entries(accounts: dict[str, dict]) -> Check:
    offenders = []
    for customer, account in accounts.items():
        total = sum((Decimal(entry["amount"]) for entry in account["entries"]), ZERO)
        if Decimal(account["balance"]) != total or Decimal(account["derived_balance"]) != total:
            offenders.append(f"{customer}: balance {account['balance']}, derived {account['derived_balance']}, "
                             f"entries sum to {total}")
    return _check("balance = sum of entries", offenders)


def sequences_without_gaps(accounts: dict[str, dict]) -> Check:
    """Sequences 1..n, balance_after[k] = balance_after[k-1] + amount[k], and the domain's own
    ``ledger_problems`` agree."""
    offenders = []
    for customer, account in accounts.items():
        previous = ZERO
        for number, entry in enumerate(account["entries"], 1):
            if entry["sequence"] != number:
                offenders.append(f"{customer}: entry {number} has sequence {entry['sequence']}")
            if Decimal(entry["balance_after"]) != previous + Decimal(entry["amount"]):
                offenders.append(f"{customer}: #{entry['sequence']} balance_after {entry['balance_after']} != "
                                 f"{previous} + {entry['amount']}")
            previous = Decimal(entry["balance_after"])
        offenders += [f"{customer}: {problem}" for problem in account["problems"]]
    return _check("no sequence gaps", offenders)


def acknowledged_charges_are_the_entries(charges: list[Exchange], accounts: dict[str, dict]) -> Check:
    """As many 201s as charge entries on each account, and each 201 names its own entry
    (same account, amount, sequence and balance_after): no acknowledged charge lost or doubled."""
    offenders = []
    for customer, account in accounts.items():
        entries = {entry["id"]: entry for entry in account["entries"] if entry["kind"] == "charge"}
        accepted = [charge for charge in charges if charge.customer == customer and charge.status == 201]
        if len(accepted) != len(entries):
            offenders.append(f"{customer}: {len(accepted)} answered 201, {len(entries)} charge entries")
        acknowledged = [charge.fields.get("id") for charge in accepted]
        if len(set(acknowledged)) != len(acknowledged):
            offenders.append(f"{customer}: one entry acknowledged to two requests")
        offenders += [f"{customer}: 201 {charge.body} does not match its entry {entries.get(charge.fields.get('id'))}"
                      for charge in accepted if not _matches_entry(charge, entries.get(charge.fields.get("id")))]
    return _check("201s = charge entries", offenders)


def _matches_entry(charge: Exchange, entry: dict | None) -> bool:
    body = charge.fields
    if entry is None or not {"amount", "sequence", "balance_after"} <= body.keys():
        return False
    return (Decimal(str(body["amount"])) == charge.amount == Decimal(entry["amount"])
            and body["sequence"] == entry["sequence"]
            and Decimal(str(body["balance_after"])) == Decimal(entry["balance_after"]))


def refusals_are_limit_refusals(charges: list[Exchange], accounts: dict[str, dict]) -> Check:
    """Every answer but 201 is a 422 credit-limit-exceeded problem, and rightly so: balances only
    grow in this workload, so a refused amount must not fit in the final available credit either."""
    offenders = []
    for charge in charges:
        if charge.status == 201:
            continue
        account = accounts[charge.customer]
        available = Decimal(account["credit_limit"]) - Decimal(account["balance"])
        if not _is_limit_problem(charge):
            offenders.append(f"{charge.status} {charge.result['content_type']} {_summary(charge.body)}")
        elif charge.amount <= available:
            offenders.append(f"{charge.amount} refused although {available} is still available")
    return _check("others are 422 limit", offenders)


def _is_limit_problem(charge: Exchange) -> bool:
    body = charge.fields
    return (charge.status == 422 and charge.result["content_type"].startswith(PROBLEM_JSON)
            and str(body.get("type", "")).endswith("/" + LIMIT_EXCEEDED) and body.get("code") == LIMIT_EXCEEDED)


def _summary(body) -> str:
    """A problem document by its code, anything else by its start."""
    return body.get("code", str(body)) if isinstance(body, dict) else str(body)[:100]


def no_server_errors(exchanges: list[Exchange], server_log: str) -> Check:
    answered = [f"{exchange.status} {_summary(exchange.body)}" for exchange in exchanges if exchange.status >= 500]
    logged = [line for line in server_log.splitlines() if SERVER_ERROR_IN_LOG.search(line)]
    return _check("no 5xx", answered + logged, counted="5xx answers and server log lines")


def never_locked(exchanges: list[Exchange], server_log: str) -> Check:
    answered = [_summary(exchange.body) for exchange in exchanges if DATABASE_LOCKED in str(exchange.body).lower()]
    logged = [line for line in server_log.splitlines() if DATABASE_LOCKED in line.lower()]
    return _check('no "database is locked"', answered + logged, counted="answers and server log lines")


def _check(name: str, offenders: list, counted: str = "offences") -> Check:
    if not offenders:
        return Check(name, True)
    examples = "; ".join(str(offender)[:300] for offender in offenders[:EXAMPLES])
    return Check(name, False, f"{len(offenders)} {counted}, e.g. {examples}")
