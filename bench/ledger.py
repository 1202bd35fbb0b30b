"""``make bench-ledger``: test L1's harness at a larger scale, on SQLite and on PostgreSQL.

Per engine: a scratch database, ``patron serve --workers 4``, a baseline of trivial authenticated
GETs, then CLIENTS processes x CHARGES charges over a hot account (HOT_SHARE of the charges, as
LD6) and ACCOUNTS others, with limits that accept about nine charges in ten. Warm-ups (GETs, and
charges to a separate account) are not timed but their charges are checked with the rest.

    python -m bench.ledger [--clients 8] [--charges 1000] [--accounts 20] [--hot-share 0.3]
                           [--reads 500] [--seed 1] [--engines sqlite postgresql] [--pg-url URL]
    python -m bench.ledger --mutation   # test L1 (3 seeds) against bench.naive: must fail

Exit status 1 when an invariant fails (with --mutation: when the naive build is not caught).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import django

from bench.common import (
    ENGINE_NAMES,
    ENGINES,
    L1_LIMIT,
    Timing,
    charge_plans,
    charge_request,
    ledger_data,
    ledger_site,
    pg_reachable,
    print_rows,
    read_plans,
    run_clients,
    run_l1,
    scratch_database_url,
    timing_of,
)
from bench.invariants import Check, ledger_checks
from tests.cli_support import environment

MEAN_AMOUNT = Decimal("10.50")  # of 1.00-20.00
LIMIT_SHARE = Decimal("0.9")  # of an account's expected charges: the last tenth or so are refused
WARMUP_READS, WARMUP_CHARGES, WARMUP_LIMIT = 20, 20, "10000.00"
GOAL_CHARGES_PER_SECOND = 150
MUTATION_SEEDS = (1, 2, 3)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    engines = [engine for engine in args.engines if engine == "sqlite" or pg_reachable(args.pg_url)]
    # This process only creates and drops the scratch PostgreSQL databases (tests.cli_support).
    os.environ["DATABASE_URL"] = args.pg_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    django.setup()
    return mutation_check(engines) if args.mutation else benchmark(args, engines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="client processes (default: %(default)s)")
    parser.add_argument("--charges", type=int, default=1000, help="timed charges per client (default: %(default)s)")
    parser.add_argument("--accounts", type=int, default=20, help="accounts besides the hot one (default: %(default)s)")
    parser.add_argument("--hot-share", type=float, default=0.3, help="share of charges to the hot account")
    parser.add_argument("--reads", type=int, default=500, help="baseline GETs per client (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL database to connect to while creating the scratch one")
    parser.add_argument("--mutation", action="store_true", help="run test L1 against the naive build instead")
    parser.add_argument("--profile", metavar="PREFIX",
                        help="sample the server's workers with py-spy (on PATH) during the charges, writing "
                             "collapsed stacks to PREFIX-ENGINE.txt")
    return parser


@contextmanager
def scratch_site(engine: str, limits: list[str], *, naive: bool = False):
    """A served scratch database of the engine (see bench.common.ledger_site) and its work folder."""
    with tempfile.TemporaryDirectory(prefix=f"bench-ledger-{engine}-") as folder:
        work_dir = Path(folder)
        with scratch_database_url(engine, work_dir) as url, \
                ledger_site(environment(work_dir / "var", url), work_dir, limits, naive=naive) as site:
            yield site, work_dir


# --- the benchmark ------------------------------------------------------------------------------

@dataclass(frozen=True)
class EngineReport:
    engine: str
    baseline: Timing
    charges: Timing
    accepted: int
    refused: int
    hot_per_second: float
    checks: list[Check]


def benchmark(args, engines: list[str]) -> int:
    print(f"Charges: {args.clients} clients x {args.charges}, 1.00-20.00, {args.hot_share:.0%} to one hot account, "
          f"the rest over {args.accounts}; baseline: {args.clients} clients x {args.reads} GETs. "
          f"Server: patron serve --workers 4 (4 threads each). Load average before: {_load()}.\n", flush=True)
    reports = [bench_engine(engine, args) for engine in engines]
    print_table(reports)
    return 0 if all(check.passed for report in reports for check in report.checks) else 1


def account_limits(args) -> list[str]:
    """The warm-up account's, the hot account's, then the others': nine tenths of what the
    workload is expected to charge to each."""
    total = args.clients * args.charges * MEAN_AMOUNT
    hot = total * Decimal(str(args.hot_share))
    other = (total - hot) / args.accounts
    return [WARMUP_LIMIT, *(f"{LIMIT_SHARE * share:.2f}" for share in [hot] + [other] * args.accounts)]


def bench_engine(engine: str, args) -> EngineReport:
    print(f"{ENGINE_NAMES[engine]}: running ...", flush=True)
    with scratch_site(engine, account_limits(args)) as (site, work_dir):
        warmup_account, hot, *others = site.customers
        log_start = site.server.log_size()
        reads = run_clients(site.server, site.token, read_plans(clients=args.clients, per_client=args.reads,
                                                                warmup=WARMUP_READS), work_dir / "reads")
        plans = charge_plans(args.seed, clients=args.clients, per_client=args.charges,
                             pick_customer=lambda rng: hot if rng.random() < args.hot_share else rng.choice(others),
                             warmup=lambda client: [charge_request(warmup_account, "5.00")
                                                    for _ in range(WARMUP_CHARGES)])
        with _profiled(site.server, args.profile and f"{args.profile}-{engine}.txt"):
            charges = run_clients(site.server, site.token, plans, work_dir / "charges")
        accounts = ledger_data(site.env, "dump", *site.customers)
        checks = ledger_checks(reads.exchanges + charges.exchanges, accounts, site.server.log(log_start))
    timing = timing_of(charges.measured)
    statuses = [exchange.status for exchange in charges.measured]
    hot_count = sum(exchange.customer == hot for exchange in charges.measured)
    return EngineReport(engine, timing_of(reads.measured), timing, statuses.count(201), statuses.count(422),
                        hot_count * timing.per_second / timing.count, checks)


@contextmanager
def _profiled(server, output: str | None):
    """py-spy sampling the server's processes while the block runs (nothing when no output)."""
    if not output:
        yield
        return
    command = ["py-spy", "record", "--pid", str(server.pid), "--subprocesses", "--format", "raw", "--rate", "200",
               "--output", output]
    sampler = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        sampler.send_signal(signal.SIGINT)  # py-spy writes its output when interrupted
        sampler.wait(timeout=60)


def print_table(reports: list[EngineReport]) -> None:
    rows = [
        ("baseline GET /price-levels, req/s", lambda r: f"{r.baseline.per_second:.0f}"),
        ("baseline p50 / p95 / p99, ms", lambda r: _percentiles(r.baseline)),
        ("charges accepted / refused", lambda r: f"{r.accepted} / {r.refused}"),
        ("charges/s (accepted + refused)", lambda r: f"{r.charges.per_second:.0f}"),
        ("charges/s relative to baseline", lambda r: f"{r.charges.per_second / r.baseline.per_second:.2f}"),
        ("charge p50 / p95 / p99, ms", lambda r: _percentiles(r.charges)),
        ("hot account charges/s", lambda r: f"{r.hot_per_second:.0f}"),
    ] + [(check.name, _verdict(index)) for index, check in enumerate(reports[0].checks)] if reports else []
    print_rows(["", *(ENGINE_NAMES[report.engine] for report in reports)],
                [[label, *(cell(report) for report in reports)] for label, cell in rows])
    for report in reports:
        for check in report.checks:
            if not check.passed:
                print(f"{ENGINE_NAMES[report.engine]}, {check.name}: {check.detail}")
    postgresql = [report for report in reports if report.engine == "postgresql"]
    if postgresql:
        report = postgresql[0]
        met = report.charges.per_second >= GOAL_CHARGES_PER_SECOND and all(check.passed for check in report.checks)
        print(f"\nGoal (>= {GOAL_CHARGES_PER_SECOND} charges/s on PostgreSQL, every invariant intact): "
              f"{'met' if met else 'NOT met'}.")


def _verdict(index: int):
    return lambda report: "PASS" if report.checks[index].passed else "FAIL"


def _percentiles(timing: Timing) -> str:
    return " / ".join(f"{seconds * 1000:.0f}" for seconds in (timing.p50, timing.p95, timing.p99))


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


# --- the mutation check ---------------------------------------------------------------------------

def mutation_check(engines: list[str]) -> int:
    """Test L1, three seeds, against bench.naive (no account lock): the harness must catch it."""
    print("Test L1 against the naive build (locked_account without a lock, 5 ms between read and write):")
    caught = {}
    for engine in engines:
        with scratch_site(engine, [L1_LIMIT] * len(MUTATION_SEEDS), naive=True) as (site, work_dir):
            outcomes = [run_l1(site, customer, seed, work_dir / f"seed-{seed}")
                        for seed, customer in zip(MUTATION_SEEDS, site.customers, strict=True)]
        for outcome in outcomes:
            failed = ", ".join(check.name for check in outcome.failed) or "nothing (not caught)"
            print(f"  {ENGINE_NAMES[engine]}, seed {outcome.seed}: {outcome.accepted} accepted, "
                  f"{outcome.refused} refused; failed: {failed}")
            for check in outcome.failed:
                print(f"      {check.name}: {check.detail}")
        caught[engine] = sum(bool(outcome.failed) for outcome in outcomes)
    print("Caught in " + ", ".join(f"{count}/{len(MUTATION_SEEDS)} runs on {ENGINE_NAMES[engine]}"
                                   for engine, count in caught.items()) + ".")
    return 0 if any(count == len(MUTATION_SEEDS) for count in caught.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
