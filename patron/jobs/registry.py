"""The duties a worker can run, each registered by its own app in a ``duties`` module.

    from patron.jobs.registry import duty

    @duty("privacy.run_due", every=timedelta(hours=1))
    def run_due_erasures(job): ...

A duty is called with the ``Job`` and the job's arguments as keywords. It must be safe to run again
after a takeover (``job.attempts`` > 1): work it committed before the crash is not done twice.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Duty:
    name: str
    function: Callable[..., object]
    every: timedelta | None = None  # periodic: queued by the workers this often
    max_attempts: int = 3

    @property
    def periodic_key(self) -> str:
        return f"periodic:{self.name}"


DUTIES: dict[str, Duty] = {}


def duty(name: str, *, every: timedelta | None = None, max_attempts: int = 3):
    def register(function):
        DUTIES[name] = Duty(name, function, every, max_attempts)
        return function
    return register


def discover() -> dict[str, Duty]:
    """Every app's ``duties`` module imported, so each duty is registered (once per process: this
    runs with every queued job)."""
    _import_duties()
    return DUTIES


@functools.cache
def _import_duties() -> None:
    autodiscover_modules("duties")


def periodic_duties() -> list[Duty]:
    return [item for item in discover().values() if item.every]
