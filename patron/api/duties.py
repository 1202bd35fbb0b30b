"""The API's periodic duty: stored Idempotency-Key answers kept no longer than their retention."""

from datetime import timedelta

from patron.api.idempotency import purge_expired_records
from patron.jobs.registry import duty


@duty("api.purge_idempotency_keys", every=timedelta(days=1))
def purge_idempotency_keys(job) -> None:
    purge_expired_records()
