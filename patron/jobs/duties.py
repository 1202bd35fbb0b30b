"""The queue's own periodic duty: finished jobs are kept a week for the record, then deleted (the
periodic duties alone finish thousands a day)."""

from datetime import timedelta

from patron.jobs.actions import purge_finished
from patron.jobs.registry import duty


@duty("jobs.purge_finished", every=timedelta(hours=6))
def purge_finished_jobs(job) -> None:
    purge_finished()
