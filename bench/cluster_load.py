"""``make bench-cluster``: lookups and customer creations per second through a chain's two servers,
without and with a streaming replica (issue 19).

A fresh PostgreSQL primary and replica on this machine (scripts/replica.py); N customers of the
generated data loaded through ``create_customers_in_bulk`` (bench.lookup_data); then twice the
cluster of scripts/cluster.py (two ``patron serve``, two ``patron worker``), once on the primary
alone and once with ``DATABASE_REPLICA_URL``, each driven for a fixed time by threads of
``bench.client.Client`` (one keep-alive connection each, like a till), half of them on each server:
lookups with a cashier's token that writes nothing, creations (POST /customers) with another.

    python -m bench.cluster_load [--size 20000] [--seconds 30] [--lookup-threads 6] [--create-threads 2]

Prints one table: per run lookups/s, creations/s, their p50/p95, the share of lookups the replica
answered (X-Patron-Read-From), and the ratio with/without the replica. Exit status 1 when a
request failed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bench.client import Client
from bench.common import Timing, django_child, latency_timing, print_rows
from bench.lookup import LOAD_SECONDS, LOOKUP_PATH, customer_data
from scripts.cluster import Cluster
from scripts.replica import ReplicaPair
from tests.cli_support import environment, patron_ok, two_free_ports

CREATE_PATH = "/api/v1/customers"
WARMUP_REQUESTS = 10
CREATION_NAMES = 2000  # people whose names new customers take, in turn


@dataclass
class RunFigures:
    name: str
    lookups: Timing
    creations: Timing
    from_replica: int
    failures: list[str]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    data = customer_data(args.size)
    work_dir = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    print(f"Cluster load: {args.size:,} customers from {data}; 2 servers, 2 workers; {args.lookup_threads} lookup "
          f"and {args.create_threads} creation threads for {args.seconds} s per run. Load average before: "
          f"{_load()}.", flush=True)
    try:
        with ReplicaPair() as pair:
            env = environment(work_dir / "var", pair.primary_url)
            patron_ok("migrate", env=env)
            print(f"  loading {args.size:,} customers ...", flush=True)
            django_child("bench.lookup_data", env, "load", str(data), str(args.size), "1000", timeout=LOAD_SECONDS,
                         show_progress=True)
            django_child("bench.lookup_data", env, "rebuild", timeout=LOAD_SECONDS)  # and ANALYZE
            tokens = [django_child("bench.lookup_data", env, "token")["token"] for _ in ("lookups", "creations")]
            queries_file = work_dir / "queries.json"
            django_child("bench.lookup_data", env, "queries", str(args.seed), str(args.per_type),
                         str(CREATION_NAMES), str(queries_file), timeout=3600)
            drawn = json.loads(queries_file.read_text())
            pair.wait_for_replay()
            bodies = itertools.cycle(drawn["creations"])
            runs = []
            for name, replica in (("without replica", False), ("with replica", True)):
                run_env = {**env, "DATABASE_REPLICA_URL": pair.replica_url} if replica else env
                with Cluster(run_env, servers=2, workers=2, first_port=two_free_ports()) as cluster:
                    print(f"  {name}: {args.seconds} s ...", flush=True)
                    runs.append(_drive(name, [cluster.url(0), cluster.url(1)], tokens, drawn["queries"], bodies,
                                       args))
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    _print(runs, args)
    failures = [failure for run in runs for failure in run.failures]
    for failure in failures[:10]:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


def _drive(name: str, servers: list[str], tokens: list[str], queries: list[dict], bodies, args) -> RunFigures:
    """Lookup and creation threads, alternately on each server; each warms up, then all run together
    until the time is up."""
    lookup_token, create_token = tokens
    rng = random.Random(args.seed)
    lock = threading.Lock()
    window: dict[str, float] = {}

    def open_window() -> None:  # run once, before any thread passes the barrier
        window["start"] = time.perf_counter()
        window["stop"] = window["start"] + args.seconds

    start = threading.Barrier(args.lookup_threads + args.create_threads + 1, action=open_window)
    results = {"lookup": [], "create": []}
    failures: list[str] = []

    def next_body() -> dict:
        with lock:
            body = next(bodies)
        key = str(uuid.uuid4())  # a new e-mail address each time: the names come round again
        return {"method": "POST", "path": CREATE_PATH, "key": key,
                "body": {**body, "emails": [{"address": f"bench.{key}@example.org"}]}}

    def lookup_request(pick: random.Random) -> dict:
        return {"method": "GET", "path": LOOKUP_PATH + quote(pick.choice(queries)["q"])}

    def work(kind: str, number: int) -> None:
        client = Client(servers[number % len(servers)], lookup_token if kind == "lookup" else create_token)
        pick = random.Random(rng.random() + number)
        make = (lambda: lookup_request(pick)) if kind == "lookup" else next_body
        for _ in range(WARMUP_REQUESTS):
            client.send(make())
        start.wait()
        mine = []
        while time.perf_counter() < window["stop"]:
            request = make()
            answer = client.send(request)
            mine.append(answer)
            if answer["status"] >= 300:
                with lock:
                    failures.append(f"{answer['status']} for {request['method']} {request['path']}: {answer['body']}")
        with lock:
            results[kind].extend(mine)

    threads = [threading.Thread(target=work, args=(kind, number))
               for kind, count in (("lookup", args.lookup_threads), ("create", args.create_threads))
               for number in range(count)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - window["start"]
    if not results["lookup"] or not results["create"]:
        failures.append(f"no lookups or no creations answered within {seconds:.0f} s")
    from_replica = sum(1 for answer in results["lookup"] if answer.get("read_from") == "replica")
    return RunFigures(name, *(latency_timing([answer["latency"] for answer in results[kind]] or [0.0], seconds)
                              for kind in ("lookup", "create")), from_replica, failures)


def _print(runs: list[RunFigures], args) -> None:
    print()
    header = ["run", "lookups/s", "lookup p50", "lookup p95", "creations/s", "create p50", "create p95",
              "from replica"]
    rows = [[run.name, f"{run.lookups.per_second:,.0f}", _ms(run.lookups.p50), _ms(run.lookups.p95),
             f"{run.creations.per_second:,.1f}", _ms(run.creations.p50), _ms(run.creations.p95),
             f"{run.from_replica / max(run.lookups.count, 1):.0%}"] for run in runs]
    without, with_replica = runs
    rows.append(["with / without", *(_ratio(a, b) for a, b in (
        (with_replica.lookups.per_second, without.lookups.per_second), (with_replica.lookups.p50, without.lookups.p50),
        (with_replica.lookups.p95, without.lookups.p95),
        (with_replica.creations.per_second, without.creations.per_second),
        (with_replica.creations.p50, without.creations.p50), (with_replica.creations.p95, without.creations.p95))),
        ""])
    print_rows(header, rows)
    print(f"\n{args.size:,} customers; the primary, the replica, both servers, both workers and the clients share "
          f"this machine's {os.cpu_count()} cores. Load average after: {_load()}.")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "-"


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20_000, help="customers loaded (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=30, help="each run's length (default: %(default)s)")
    parser.add_argument("--lookup-threads", type=int, default=6)
    parser.add_argument("--create-threads", type=int, default=2)
    parser.add_argument("--per-type", type=int, default=100, help="lookup queries drawn per type")
    parser.add_argument("--seed", type=int, default=19)
    return parser



if __name__ == "__main__":
    sys.exit(main())
