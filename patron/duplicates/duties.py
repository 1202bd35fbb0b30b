"""The duplicate check's periodic duty: new and changed customers checked as they come."""

from datetime import timedelta

from patron.duplicates.scan import incremental_scan
from patron.jobs.registry import duty


@duty("duplicates.incremental_scan", every=timedelta(minutes=1))
def check_new_and_changed(job) -> None:
    incremental_scan()
