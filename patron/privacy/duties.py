"""Privacy's periodic duty: queued erasures are carried out once their hold has cleared."""

from datetime import timedelta

from patron.jobs.registry import duty
from patron.privacy.erasure import run_due


@duty("privacy.run_due", every=timedelta(hours=1))
def run_due_erasures(job) -> None:
    run_due()
