"""``make bench-dedup``: the duplicate detection's quality and cost, on SQLite and PostgreSQL (issue 17).

Per engine: a scratch database; SIZE labelled customers (bench/dedup_gen.py: clusters of one
person entered again with realistic variations, hard negatives, single customers) loaded through
``create_customers_in_bulk``, which keeps the blocking keys; then, each in its own process: the
keys rebuilt and the full scan (time and peak memory), the queue's pairs against the labels
(pairwise precision, recall and F1, per variation and per hard negative), the warning at entry for
re-entries of loaded customers and for new people, and the incremental check of one changed
customer.

    python -m bench.dedup [--size 20000] [--engines sqlite postgresql] [--seed 1]

Exit status 0; the goals are reported, not enforced.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

from bench.common import ENGINE_NAMES, ENGINES, REPO, django_child, pg_reachable, scratch_database_url
from tests.cli_support import environment, patron_ok

GOALS = {"precision": 0.99, "recall": 0.95, "entry": 0.90, "scan_1m_seconds": 600, "memory_mb": 1024,
         "incremental_p95_ms": 50}
LONG = 6 * 3600  # a child's time limit: loading a million customers takes a while


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    engines = [engine for engine in args.engines if engine == "sqlite" or pg_reachable(args.pg_url)]
    os.environ["DATABASE_URL"] = args.pg_url  # this process only creates and drops scratch databases
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    django.setup()
    print(f"Duplicate detection benchmark: {args.size:,} customers, seed {args.seed}, engines: "
          f"{', '.join(ENGINE_NAMES[engine] for engine in engines)}.", flush=True)
    reports = [bench_engine(engine, args) for engine in engines]
    for engine, report in zip(engines, reports, strict=True):
        print_report(engine, report, args)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.dedup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20_000, help="customers to load (default: %(default)s)")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL database to connect to while creating the scratch one")
    parser.add_argument("--batch", type=int, default=1000, help="rows per create_customers_in_bulk call")
    parser.add_argument("--incremental", type=int, default=300, help="changed customers checked one by one")
    parser.add_argument("--seed", type=int, default=1)
    return parser


def bench_engine(engine: str, args) -> dict:
    print(f"\n{ENGINE_NAMES[engine]}:", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as work, \
            scratch_database_url(engine, Path(work)) as url:
        env = {**environment(Path(work) / "var", url), "PATRON_PHONE_REGION": "DE"}
        patron_ok("migrate", env=env)
        print("  loading ...", flush=True)
        report = {"load": django_child("bench.dedup_data", env, "load", str(args.size), str(args.seed),
                                       str(args.batch), work, timeout=LONG, show_progress=True)}
        print(f"  loaded {report['load']['created']:,} customers in {report['load']['seconds']} s; scanning ...",
              flush=True)
        report["scan"], report["scan_memory_mb"] = _measured_child(env, "scan")
        print("  evaluating ...", flush=True)
        report["quality"] = django_child("bench.dedup_data", env, "evaluate", work, timeout=LONG)
        report["entry"] = django_child("bench.dedup_data", env, "entry", work, timeout=LONG)
        report["incremental"] = django_child("bench.dedup_data", env, "incremental", str(args.incremental),
                                             str(args.seed), timeout=LONG)
    return report


def _measured_child(env: dict, command: str) -> tuple[dict, float]:
    """Run a child command and return its JSON and its peak resident memory in MB."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "bench.dedup_data", command], env=env, cwd=REPO,
                               stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, f"bench.dedup_data {command} failed"
    result = json.loads(output)
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    return result, usage.ru_maxrss / 1024


def print_report(engine: str, report: dict, args) -> None:
    quality, entry, scan, incremental = report["quality"], report["entry"], report["scan"], report["incremental"]
    print(f"\n== {ENGINE_NAMES[engine]}, {report['load']['created']:,} customers "
          f"(loaded at {report['load']['rows_per_second']:,}/s, keys kept by the creation) ==")
    if report["load"]["rejected"]:
        print(f"  rows refused at loading: {report['load']['rejected']}")
    print(f"  queue: {quality['proposed']:,} pairs proposed ({quality['strong']:,} strong), "
          f"{quality['true_pairs']:,} true pairs")
    print(f"  {'':24} {'found':>7} {'of':>7} {'recall':>7}")
    for variation, (found, total) in quality["by_variation"].items():
        print(f"  {variation:24} {found:7,} {total:7,} {found / total if total else 1:7.3f}")
    print(f"  {'hard negative':24} {'wrong':>7} {'pairs':>7}")
    for kind, (wrong, total) in quality["negatives"].items():
        print(f"  {kind:24} {wrong:7,} {total:7,}")
    print(f"  {'other pairs (no label)':24} {quality['wrong_other']:7,}")
    print(f"  precision {quality['precision']:.4f}  recall {quality['recall']:.4f}  F1 {quality['f1']:.4f}  "
          f"(wrong strong pairs: {quality['strong_wrong']}; recall with the pairs joined into groups "
          f"{quality['recall_joined']:.4f})")
    share = entry["caught"] / entry["cases"] if entry["cases"] else 1
    print(f"  entry warning: caught {entry['caught']:,} of {entry['cases']:,} re-entries ({share:.1%}); "
          f"new people warned about: {entry['fresh_warned']} of {entry['fresh']}; "
          f"check p50 {entry['p50_ms']} ms, p95 {entry['p95_ms']} ms")
    print("    by variation: " + ", ".join(f"{v} {c}/{t}" for v, (c, t) in entry["by_variation"].items()))
    print(f"  scan: {scan['pairs_seconds']} s ({scan['compared']:,} pairs compared); peak memory "
          f"{report['scan_memory_mb']:.0f} MB. Keys rebuilt beforehand in {scan['keys_seconds']} s (needed only "
          f"after a change of rules.py: every change to a customer keeps its keys)")
    print(f"  incremental check of one changed customer: p50 {incremental['p50_ms']} ms, "
          f"p95 {incremental['p95_ms']} ms ({incremental['checks']} customers)")
    scan_seconds = scan["pairs_seconds"]  # as `patron duplicates scan` runs it
    per_million = scan_seconds * 1_000_000 / max(report["load"]["created"], 1)
    print(f"  goals: precision {_met(quality['precision'] >= GOALS['precision'])}, "
          f"recall {_met(quality['recall'] >= GOALS['recall'])}, entry {_met(share >= GOALS['entry'])}, "
          f"incremental p95 {_met(incremental['p95_ms'] <= GOALS['incremental_p95_ms'])}, "
          f"memory {_met(report['scan_memory_mb'] <= GOALS['memory_mb'])}, "
          f"scan {scan_seconds:.0f} s (linear estimate for 1M: {per_million:.0f} s, goal 600 s"
          f"{'' if args.size >= 1_000_000 else '; run SIZE=1000000 to measure'})")


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    sys.exit(main())
