"""The import's background duty: the dry run or the real run of one import, for ``patron worker``."""

from contextlib import nullcontext

from patron.core.workers import DEFAULT_WORKERS, settled_for_a_long_run
from patron.jobs import timing
from patron.jobs.models import Job
from patron.jobs.registry import duty
from patron.transfer.imports import jobs
from patron.transfer.models import ImportJob


@duty(jobs.IMPORT_DUTY, max_attempts=5)
def run_import(job: Job, *, import_job: int, check: bool = False) -> None:
    """A takeover (a later attempt) resumes after the last committed batch: no row twice."""
    record = ImportJob.objects.get(pk=import_job)
    # A thread of a server neither forks checking processes beside the server's own threads nor
    # changes the collector, which is the whole process's.
    in_thread = timing.runs_in_thread()
    run = jobs.check_job if check else jobs.run_job
    with nullcontext() if in_thread else settled_for_a_long_run():
        run(record, actor=jobs.actor_of(record), workers=1 if in_thread else DEFAULT_WORKERS,
            takeover=job.attempts > 1)
