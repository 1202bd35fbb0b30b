"""A PostgreSQL primary and its streaming replica on this machine, for ``make cluster``, the replica
tests and ``make bench-cluster``: a fresh pair of servers on free loopback ports, in a temporary
folder, torn down at the end.

    with ReplicaPair() as pair:
        pair.primary_url, pair.replica_url    # postgres://postgres@127.0.0.1:PORT/patron

The servers run as the ``postgres`` user (``runuser``, so the caller is root, as on CI) from the
binaries of the newest PostgreSQL under /usr/lib/postgresql (or PATRON_PG_BIN). The primary
allows replication from 127.0.0.1 without a password; the replica is made with
``pg_basebackup -R`` and is ready once the primary lists it as streaming. fsync is off: the pair
lives for one run and a crash loses nothing anyone keeps.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

PG_USER = "postgres"
DATABASE = "patron"
START_TIMEOUT = 60


def pg_bin() -> Path:
    if os.environ.get("PATRON_PG_BIN"):
        return Path(os.environ["PATRON_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3]))
    if not found:
        raise RuntimeError("No PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)")
    return found[-1].parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ReplicaPair:
    database: str = DATABASE
    folder: Path | None = None
    primary_port: int = 0
    replica_port: int = 0
    _started: list[Path] = field(default_factory=list)

    @property
    def primary_url(self) -> str:
        return f"postgres://{PG_USER}@127.0.0.1:{self.primary_port}/{self.database}"

    @property
    def replica_url(self) -> str:
        return f"postgres://{PG_USER}@127.0.0.1:{self.replica_port}/{self.database}"

    def start(self) -> ReplicaPair:
        if os.geteuid() != 0:
            raise RuntimeError("The replica harness runs PostgreSQL as the postgres user: run it as root")
        self.folder = Path(tempfile.mkdtemp(prefix="patron-replica-"))
        shutil.chown(self.folder, PG_USER, PG_USER)
        primary, replica = self.folder / "primary", self.folder / "replica"
        self.primary_port = free_port()
        self._run("initdb", "-D", str(primary), "-U", PG_USER, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
                  "--no-sync")
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(self._settings(self.primary_port) + "wal_level = replica\nmax_wal_senders = 5\n")
        with open(primary / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n")
        self._start(primary)
        with self.connect(self.primary_port, "postgres") as db:
            db.execute(f'CREATE DATABASE "{self.database}"')
        self.replica_port = free_port()
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", PG_USER, "-D", str(replica),
                  "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
        with open(replica / "postgresql.auto.conf", "a") as conf:
            # hot_standby_feedback: a long export on the replica is not cancelled by the primary's vacuum
            conf.write(self._settings(self.replica_port) + "hot_standby = on\nhot_standby_feedback = on\n")
        self._start(replica)
        self._wait_until_streaming()
        return self

    def connect(self, port: int, database: str | None = None) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=port, user=PG_USER, dbname=database or self.database,
                               autocommit=True)

    def pause_replay(self) -> None:
        """The replica stops applying what the primary sends (it keeps receiving it)."""
        with self.connect(self.replica_port) as db:
            db.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with self.connect(self.replica_port) as db:
            db.execute("SELECT pg_wal_replay_resume()")

    def wait_for_replay(self, timeout: float = START_TIMEOUT) -> None:
        """Until the replica has applied everything the primary had written when this was called."""
        with self.connect(self.primary_port) as db:
            position = db.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with self.connect(self.replica_port) as db:
            while not db.execute("SELECT pg_last_wal_replay_lsn() >= %s", [position]).fetchone()[0]:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"The replica did not replay up to {position} within {timeout} s")
                time.sleep(0.02)

    def stop_replica(self) -> None:
        self._stop(self.folder / "replica")

    def stop(self) -> None:
        for data in reversed(self._started):
            self._stop(data)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _settings(self, port: int) -> str:
        return (f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.folder}'\n"
                "fsync = off\nmax_connections = 100\nshared_buffers = 64MB\n")

    def _start(self, data: Path) -> None:
        self._started.append(data)
        self._run("pg_ctl", "-D", str(data), "-l", str(data.parent / f"{data.name}.log"), "-w",
                  "-t", str(START_TIMEOUT), "start")

    def _stop(self, data: Path) -> None:
        if data in self._started:
            self._started.remove(data)
            subprocess.run(["runuser", "-u", PG_USER, "--", str(pg_bin() / "pg_ctl"), "-D", str(data), "-m",
                            "immediate", "-w", "stop"], capture_output=True, check=False)

    def _wait_until_streaming(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        with self.connect(self.primary_port, "postgres") as db:
            while not db.execute("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").fetchone()[0]:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"The replica is not streaming after {START_TIMEOUT} s:\n{self._log('replica')}")
                time.sleep(0.05)

    def _log(self, name: str) -> str:
        log = self.folder / f"{name}.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(["runuser", "-u", PG_USER, "--", str(pg_bin() / program), *args], cwd=self.folder,
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed:\n{result.stdout}{result.stderr}")

    def __enter__(self) -> ReplicaPair:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
