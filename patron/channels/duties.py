"""The channels' periodic duty: the delivery log kept no longer than its retention."""

from datetime import timedelta

from patron.channels.actions import purge_deliveries
from patron.jobs.registry import duty


@duty("channels.purge_deliveries", every=timedelta(days=1))
def purge_old_deliveries(job) -> None:
    purge_deliveries()
