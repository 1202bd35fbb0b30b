"""The harness shared by test L1 (tests/test_ledger_load.py) and ``make bench-ledger``.

A run goes through the real thing: ``patron migrate`` into a scratch database, data set up by the
domain actions in a child process (``ledger_data``), ``patron serve`` (gunicorn) on a free loopback
port, client *processes* (``bench.client``) that start together after a warm-up, and afterwards the
ledger read back from the database and checked (``invariants``).
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.invariants import Check, Exchange, ledger_checks
from tests.cli_support import free_port, patron_ok, postgresql_url, scratch_postgresql_database

REPO = Path(__file__).resolve().parents[1]
CHARGES = "/api/v1/customers/{customer}/credit/charges"
BASELINE_READ = "/api/v1/price-levels?limit=10"  # a trivial authenticated GET of the same server
SERVER_START_SECONDS = 90
CLIENTS_SECONDS = 600

L1_CLIENTS, L1_CHARGES_PER_CLIENT, L1_LIMIT = 8, 125, "500.00"


# --- the scratch database's data, through the domain (child processes) --------------------------

def ledger_data(env: dict, command: str, *arguments: str) -> dict:
    return django_child("bench.ledger_data", env, command, *arguments)


def django_child(module: str, env: dict, command: str, *arguments: str, timeout: float = 120,
                 show_progress: bool = False) -> dict:
    """Run ``python -m MODULE COMMAND ARGUMENTS`` against the environment's database and return the
    JSON it prints. With ``show_progress`` its stderr goes to ours as it comes (long loads)."""
    result = subprocess.run([sys.executable, "-m", module, command, *arguments], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=None if show_progress else subprocess.PIPE,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"{module} {command} failed:\n{result.stderr or '(see above)'}"
    return json.loads(result.stdout)


# --- scratch databases ----------------------------------------------------------------------------

ENGINES = ("sqlite", "postgresql")
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def pg_reachable(pg_url: str) -> bool:
    ready = subprocess.run([sys.executable, "scripts/pg_ready.py", pg_url], cwd=REPO, check=False)
    if ready.returncode != 0:
        print(f"PostgreSQL not reachable at {pg_url}: skipped.")
    return ready.returncode == 0


@contextmanager
def scratch_database_url(engine: str, work_dir: Path, *, keep: bool = False) -> Iterator[str]:
    """An empty database of the engine: a file in ``work_dir``, or a PostgreSQL database created
    over a connection to Django's configured one (dropped afterwards unless ``keep``)."""
    if engine == "sqlite":
        yield f"sqlite:///{work_dir / 'bench.sqlite3'}"
        return
    with scratch_postgresql_database(keep=keep) as settings_dict:
        yield postgresql_url(settings_dict)


# --- the server -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Server:
    base_url: str
    log_path: Path
    pid: int  # gunicorn's master

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log(self, since: int = 0) -> str:
        with open(self.log_path, "rb") as log:
            log.seek(since)
            return log.read().decode(errors="replace")


@contextmanager
def running_server(env: dict, log_path: Path, *, workers: int = 4, naive: bool = False) -> Iterator[Server]:
    """``patron serve`` (or the naive build of ``bench.naive``), its output going to ``log_path``."""
    port = free_port()
    program = "bench.naive" if naive else "patron.cli"
    command = [sys.executable, "-m", program, "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own process group, so no worker outlives it
    server = Server(f"http://127.0.0.1:{port}", log_path, process.pid)
    try:
        _wait_until_listening(process, server, port)
        yield server
    finally:
        _stop(process)


def _wait_until_listening(process: subprocess.Popen, server: Server, port: int) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}:\n{server.log()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not listen within {SERVER_START_SECONDS} s:\n{server.log()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- a site: migrated scratch database, data and server -------------------------------------------

@dataclass(frozen=True)
class Site:
    env: dict
    server: Server
    token: str
    customers: list[str]


@contextmanager
def ledger_site(env: dict, work_dir: Path, limits: list[str], *, naive: bool = False) -> Iterator[Site]:
    """A served scratch database with credit on and one account per limit (customers in that order)."""
    patron_ok("migrate", env=env)
    data = ledger_data(env, "setup", *limits)
    with running_server(env, work_dir / "server.log", naive=naive) as server:
        yield Site(env, server, data["token"], data["customers"])


# --- workloads --------------------------------------------------------------------------------------

def read_request() -> dict:
    return {"method": "GET", "path": BASELINE_READ}


def charge_request(customer: str, amount: str) -> dict:
    return {"method": "POST", "path": CHARGES.format(customer=customer), "customer": customer,
            "key": str(uuid.uuid4()), "body": {"amount": amount, "reference": "bench"}}


def random_amount(rng: random.Random) -> str:
    """Uniform 1.00-20.00 in whole cents, as a decimal string."""
    cents = rng.randint(100, 2000)
    return f"{cents // 100}.{cents % 100:02d}"


def charge_plans(seed: int, *, clients: int, per_client: int, pick_customer: Callable[[random.Random], str],
                 warmup: Callable[[int], list[dict]]) -> list[dict]:
    """Each client's plan: its warm-up requests, then ``per_client`` charges of random amounts."""
    rng = random.Random(seed)
    return [{"warmup": warmup(client),
             "measured": [charge_request(pick_customer(rng), random_amount(rng)) for _ in range(per_client)]}
            for client in range(clients)]


def read_plans(*, clients: int, per_client: int, warmup: int) -> list[dict]:
    return [{"warmup": [read_request()] * warmup, "measured": [read_request()] * per_client}
            for _ in range(clients)]


# --- clients -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClientsRun:
    exchanges: list[Exchange]  # warm-up included
    measured: list[Exchange]


def run_clients(server: Server, token: str, plans: list[dict], work_dir: Path) -> ClientsRun:
    """One ``bench.client`` process per plan. They warm up, say "ready", and all start the
    measured part when told to go."""
    work_dir.mkdir(parents=True, exist_ok=True)
    files = [(work_dir / f"plan-{number}.json", work_dir / f"results-{number}.json") for number in range(len(plans))]
    processes = []
    try:
        for plan, (plan_file, results_file) in zip(plans, files, strict=True):
            plan_file.write_text(json.dumps(plan))
            command = [sys.executable, "-m", "bench.client", server.base_url, token, str(plan_file), str(results_file)]
            processes.append(subprocess.Popen(command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                              text=True))
        for process in processes:
            assert process.stdout.readline().strip() == "ready", "a client failed during its warm-up"
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.close()
        for process in processes:
            assert process.wait(timeout=CLIENTS_SECONDS) == 0, "a client failed"
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return _exchanges(plans, [json.loads(results_file.read_text()) for _, results_file in files])


def _exchanges(plans: list[dict], results: list[dict]) -> ClientsRun:
    """Each planned request paired with its outcome."""
    exchanges, measured = [], []
    for plan, outcome in zip(plans, results, strict=True):
        for phase in ("warmup", "measured"):
            pairs = [Exchange(request, result) for request, result in zip(plan[phase], outcome[phase], strict=True)]
            exchanges += pairs
            measured += pairs if phase == "measured" else []
    return ClientsRun(exchanges, measured)


# --- figures -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    count: int
    per_second: float
    p50: float
    p95: float
    p99: float


def timing_of(exchanges: list[Exchange]) -> Timing:
    """Throughput over the wall-clock window the exchanges span, and latency percentiles (seconds)."""
    first = min(exchange.result["started"] for exchange in exchanges)
    last = max(exchange.result["started"] + exchange.result["latency"] for exchange in exchanges)
    return latency_timing([exchange.result["latency"] for exchange in exchanges], last - first)


def latency_timing(latencies: list[float], window_seconds: float) -> Timing:
    """Percentiles of latencies (seconds) and their count per second over the window they span."""
    ordered = sorted(latencies)
    return Timing(len(ordered), len(ordered) / window_seconds,
                  *(_percentile(ordered, share) for share in (0.50, 0.95, 0.99)))


def _percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def print_rows(header: list[str], rows: list[list[str]]) -> None:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                        for column, (cell, width) in enumerate(zip(row, widths, strict=True))))


# --- test L1 -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class L1Outcome:
    seed: int
    checks: list[Check]
    timing: Timing
    accepted: int
    refused: int

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]


def run_l1(site: Site, customer: str, seed: int, work_dir: Path) -> L1Outcome:
    """L1: 8 client processes send 125 charges each of 1.00-20.00 to one account (limit 500.00,
    balance 0); then the checks (a)-(f). Its latency is reported, not checked: on a shared machine
    it measures the neighbours as much as Patron (``make bench-ledger`` holds the latency goals)."""
    log_start = site.server.log_size()
    plans = charge_plans(seed, clients=L1_CLIENTS, per_client=L1_CHARGES_PER_CLIENT,
                         pick_customer=lambda rng: customer, warmup=lambda client: [read_request()] * 2)
    run = run_clients(site.server, site.token, plans, work_dir)
    accounts = ledger_data(site.env, "dump", customer)
    timing = timing_of(run.measured)
    checks = ledger_checks(run.exchanges, accounts, site.server.log(log_start))
    statuses = [exchange.status for exchange in run.measured]
    return L1Outcome(seed, checks, timing, accepted=statuses.count(201), refused=statuses.count(422))
