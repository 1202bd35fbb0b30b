"""``patron worker``: takes queued jobs one at a time and runs them, beating a heartbeat meanwhile.

Between jobs it queues the periodic duties that are due and takes over jobs whose worker stopped
beating. SIGTERM or SIGINT lets the running job finish, then the worker stops.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import traceback

from django.db import close_old_connections, connection, connections

from patron.jobs import actions, timing
from patron.jobs.models import Job
from patron.jobs.registry import discover

log = logging.getLogger("patron.jobs")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(self, *, name: str | None = None, poll_seconds: float = 1.0, burst: bool = False,
                 periodic: bool = True):
        self.name = name or worker_name()
        self.poll_seconds = poll_seconds
        self.burst = burst  # stop when the queue is empty
        self.periodic = periodic  # queue the periodic duties that are due
        self.stopping = threading.Event()

    def stop(self, *_signal) -> None:
        self.stopping.set()

    def handle_signals(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def run(self) -> int:
        """Run jobs until stopped (or, in burst mode, until none is due); returns how many ran."""
        discover()
        ran = 0
        while not self.stopping.is_set():
            if not connection.in_atomic_block:  # (a caller's transaction is the caller's to end)
                close_old_connections()  # a connection broken or too old is not used for the next job
            if self.periodic:
                actions.enqueue_due()
            actions.take_over_stalled()
            job = actions.claim(self.name)
            if job is None:
                if self.burst:
                    break
                self.stopping.wait(self.poll_seconds)
                continue
            self.run_one(job)
            ran += 1
        return ran

    def run_one(self, job: Job) -> None:
        log.info("job started", extra={"job": str(job.uuid), "duty": job.duty, "attempt": job.attempts})
        beating = _Heartbeat(job, self.name)
        beating.start()
        try:
            actions.run_job(job)
        except Exception as error:  # noqa: BLE001 - any failure of a duty is the job's, not the worker's
            beating.stop()
            detail = "".join(traceback.format_exception_only(error)).strip()
            actions.fail(job, self.name, detail)
            log.warning("job failed", extra={"job": str(job.uuid), "duty": job.duty, "error": detail})
        else:
            beating.stop()
            actions.finish(job, self.name)
            log.info("job done", extra={"job": str(job.uuid), "duty": job.duty})


class _Heartbeat(threading.Thread):
    """Beats for ``job`` every heartbeat interval, on a connection of its own, until stopped."""

    def __init__(self, job: Job, worker: str):
        super().__init__(daemon=True, name=f"heartbeat {job.uuid}")
        self.job, self.worker, self.stopped = job, worker, threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(timing.heartbeat_interval()):
                actions.beat(self.job, self.worker)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join()
