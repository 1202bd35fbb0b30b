"""``make cluster``: a chain's topology on one machine, from the project's own files: several
``patron serve`` processes and several ``patron worker`` processes on one PostgreSQL database
(docs/operations.md, "Running a chain"). Ctrl+C stops them all.

    DATABASE_URL=postgres://... python -m scripts.cluster [--servers 2] [--workers 2] [--port 8001]
    python -m scripts.cluster --replica [--demo] ...

With ``--replica`` the database is a fresh PostgreSQL primary with a streaming replica on this
machine (scripts/replica.py, run as root), which the servers read lookups, lists and exports
from; it is removed when the cluster stops (``--demo`` loads the demo data and staff users into it).
The cluster test (tests/test_cluster.py) starts the same ``Cluster`` on the same ``ReplicaPair``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from scripts.replica import ReplicaPair

START_TIMEOUT = 120  # a loaded CI machine runs the test suites beside it


@dataclass
class Cluster:
    env: dict
    servers: int = 2
    workers: int = 2
    first_port: int = 8001
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def ports(self) -> list[int]:
        return [self.first_port + index for index in range(self.servers)]

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def start(self) -> Cluster:
        url = self.env.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("A cluster shares one PostgreSQL database: set DATABASE_URL=postgres://...")
        subprocess.run([sys.executable, "-m", "patron.cli", "migrate"], env=self.env, check=True)
        # One server after the other: each collects the static files into the same folder first.
        for index, port in enumerate(self.ports):
            name = f"server-{index + 1}"
            self.processes[name] = self._spawn(name, "serve", "--port", str(port), "--workers", "1", "--threads", "4")
            self._wait_for(name, port)
        for index in range(self.workers):
            self.start_worker(f"worker-{index + 1}")
        return self

    def start_worker(self, name: str) -> subprocess.Popen:
        self.processes[name] = self._spawn(name, "worker", "--name", name, "--poll", "0.2")
        return self.processes[name]

    def log_of(self, name: str) -> Path:
        return Path(self.env.get("PATRON_VAR_DIR", "var")) / "cluster" / f"{name}.log"

    def _spawn(self, name: str, *args: str) -> subprocess.Popen:
        log = self.log_of(name)
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as output:  # the child keeps its own copy of the descriptor
            return subprocess.Popen([sys.executable, "-m", "patron.cli", *args], env=self.env, stdout=output,
                                    stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_for(self, name: str, port: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.processes[name].poll() is None:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/login/")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        said = self.log_of(name).read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{name} did not answer on port {port} within {START_TIMEOUT} s:\n{said}")

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash or a pulled plug would: no clean-up of any kind."""
        os.kill(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()  # what did start goes with it
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8001, help="the first server's port; the next ones follow")
    parser.add_argument("--replica", action="store_true",
                        help="a fresh primary and streaming replica on this machine instead of DATABASE_URL")
    parser.add_argument("--demo", action="store_true", help="load the demo data and staff users first")
    args = parser.parse_args()
    with ExitStack() as stack:
        env = dict(os.environ)
        if args.replica:
            pair = stack.enter_context(ReplicaPair())
            env.update(DATABASE_URL=pair.primary_url, DATABASE_REPLICA_URL=pair.replica_url)
            print(f"primary: {pair.primary_url}\nreplica: {pair.replica_url} (removed when the cluster stops)")
        if args.demo:
            subprocess.run([sys.executable, "-m", "patron.cli", "migrate"], env=env, check=True)
            subprocess.run([sys.executable, "-m", "patron.cli", "demo"], env=env, check=True)
        cluster = stack.enter_context(Cluster(env, servers=args.servers, workers=args.workers, first_port=args.port))
        for index in range(args.servers):
            print(f"server {index + 1}: {cluster.url(index)}/login/")
        print(f"{args.workers} workers on the same database. Press Ctrl+C to stop them all.", flush=True)
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


def _interrupt(*_signal) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
