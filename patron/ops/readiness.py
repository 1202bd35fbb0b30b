"""Is this server ready for traffic? A registry of named checks that ``/readyz`` runs.

Each check returns ``None`` when all is well, or a short reason (an exception counts as failing,
with its class name as the reason). Patron's own: the database answers and every migration this
code knows is applied. An app that runs background work registers its own (a job queue that is
not stalled) with ``register``, from its ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

Check = Callable[[], str | None]
CHECKS: dict[str, Check] = {}


def register(name: str, check: Check) -> None:
    CHECKS[name] = check


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    detail: str = ""


def run_checks() -> list[Outcome]:
    outcomes = []
    for name, check in CHECKS.items():
        try:
            reason = check()
        except Exception as error:  # noqa: BLE001  (a failing check is an answer, not a crash)
            reason = type(error).__name__
        outcomes.append(Outcome(name, reason is None, reason or ""))
    return outcomes


def database_connection():
    return connection


def database_reachable() -> str | None:
    with database_connection().cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


_known_migrations: set[tuple[str, str]] | None = None


def _migrations_on_disk() -> set[tuple[str, str]]:
    """Every migration of this code (read from disk once: it changes only with a new release)."""
    global _known_migrations
    if _known_migrations is None:
        _known_migrations = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    return _known_migrations


def migrations_applied() -> str | None:
    applied = MigrationRecorder(database_connection()).applied_migrations()
    missing = _migrations_on_disk() - set(applied)
    if missing:
        return f"{len(missing)} migration(s) not applied"
    return None


register("database", database_reachable)
register("migrations", migrations_applied)
