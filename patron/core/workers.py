"""Work spread over forked worker processes, its results taken back in order.

The bulk paths (an export's slices, an import's batches checked ahead) use it: each item is
done by a worker on a database connection of its own, while this process takes the results in
the items' order. At most two items per worker are under way, so memory stays flat however
slowly the results are taken. Workers see committed data only (never an open transaction).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import connections

# Processes a bulk path uses unless told: one per processor, up to four (more only contend here).
DEFAULT_WORKERS = min(4, os.cpu_count() or 1)
# Passes of the collector's middle generation between two full passes during a long bulk run
# (Python's default is 10).
FULL_PASS_AFTER = 1_000

Item = TypeVar("Item")
Result = TypeVar("Result")

_forked_work: Callable | None = None  # what the workers were forked with (a function need not pickle)


def in_order(work: Callable[[Item], Result], items: Iterable[Item], workers: int) -> Iterator[Result]:
    """``work(item)`` for each item, done by ``workers`` forked processes, in the items' order.
    One run at a time per process: the workers inherit ``work`` when they are forked."""
    global _forked_work
    _forked_work = work
    connections.close_all()  # a forked worker must open its own connection, never share this one's
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            under_way: deque = deque()
            for item in items:
                under_way.append(pool.apply_async(_do, (item,)))
                if len(under_way) == 2 * workers:
                    yield under_way.popleft().get()
            while under_way:
                yield under_way.popleft().get()
    finally:
        _forked_work = None


def _do(item):
    return _forked_work(item)


@contextmanager
def settled_for_a_long_run() -> Iterator[None]:
    """Around a long bulk run (an import in ``patron import`` or ``patron worker``, a full
    ``patron duplicates scan``): what is alive when it starts (Django, the apps, their modules:
    hundreds of thousands of objects that outlive the run) is left out of the garbage collector's
    passes, and full passes come seldom. A batch (or a block of the scan) makes and drops as many
    objects again, and each full pass walked all of the start-up's too, freeing none of them. The
    rows of the batches in flight outlive a few young passes, reach the oldest generation and would
    set off full passes that find them still in use. Workers forked during the run share the frozen
    objects unchanged. Undone at the end, so a worker's next job runs with the usual collector. A
    process that froze its objects itself (``patron serve``) keeps them frozen."""
    freezing = gc.get_freeze_count() == 0
    if freezing:
        gc.collect()  # nothing that is already garbage is frozen
        gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], FULL_PASS_AFTER)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freezing:
            gc.unfreeze()


def process_alive(pid: int | None) -> bool:
    """Whether process ``pid`` of this machine runs. A zombie (killed, not yet reaped by its parent)
    does not: it does no more work."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return True
