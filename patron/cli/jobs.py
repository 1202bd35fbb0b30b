"""``patron worker`` (runs queued and periodic jobs) and ``patron jobs`` (what the queue holds)."""

from __future__ import annotations

import argparse

from patron.cli.common import counted, print_listing, print_table
from patron.jobs import queries
from patron.jobs.models import JobStatus
from patron.jobs.registry import discover
from patron.jobs.worker import Worker


def register(commands) -> None:
    worker = commands.add_parser(
        "worker", help="run background jobs: imports, the newsletter sync, erasures, duplicate checks, purges",
        description="Take jobs from the queue in the database and run them, one at a time, and queue the "
                    "periodic duties when they are due. Run one or more on each server; a job whose worker "
                    "dies is taken over by another. Stop it with Ctrl+C or SIGTERM (the running job ends first).")
    worker.add_argument("--burst", action="store_true", help="stop when no job is due (for scripts and tests)")
    worker.add_argument("--poll", type=float, default=1.0, metavar="SECONDS",
                        help="how often an idle worker looks for work (default: %(default)s)")
    worker.add_argument("--name", default=None, help="the worker's name in the queue (default: host:pid)")
    worker.set_defaults(handler=run_worker)

    jobs = commands.add_parser("jobs", help="the background job queue",
                               description="What the job queue holds and the duties a worker runs.")
    actions = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the latest jobs, newest first")
    listing.add_argument("--status", choices=JobStatus.values, default="")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=list_jobs)
    duties = actions.add_parser("duties", help="the duties a worker can run, and how often the periodic ones")
    duties.set_defaults(handler=list_duties)


def run_worker(args: argparse.Namespace) -> None:
    worker = Worker(name=args.name, poll_seconds=args.poll, burst=args.burst)
    worker.handle_signals()
    print(f"Worker {worker.name} started.", flush=True)
    ran = worker.run()
    print(f"Worker {worker.name} stopped after {counted(ran, 'job')}.")


def list_jobs(args: argparse.Namespace) -> None:
    rows = [{"id": str(job.uuid), "duty": job.duty, "status": job.status, "attempts": job.attempts,
             "worker": job.worker, "created": job.created_at.isoformat(timespec="seconds"),
             "finished": job.finished_at.isoformat(timespec="seconds") if job.finished_at else "",
             "error": job.error} for job in queries.latest_jobs(status=args.status, limit=args.limit)]
    print_listing(rows, as_json=args.json, empty="No jobs.", max_width=50)
    waiting = queries.oldest_waiting()
    if not args.json:
        print(f"Due and waiting: {queries.queue_depth()}; the longest for {waiting.total_seconds():.0f} s.")


def list_duties(args: argparse.Namespace) -> None:
    print_table([{"duty": item.name, "every": str(item.every) if item.every else "when queued",
                  "attempts": item.max_attempts} for item in sorted(discover().values(), key=lambda d: d.name)])
