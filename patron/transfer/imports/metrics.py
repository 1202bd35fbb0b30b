"""The imports' figures for ``/metrics``, read from the jobs' counters in the database, so they
count the rows of every import wherever it runs (a ``patron import run`` process, another host).

``patron_import_rows_committed_total``: rows in committed batches over all imports kept; its rate
is the rows imported a second. ``patron_import_rows_per_second``: each running import's rows since
it started, divided by the time it has run.
"""

from __future__ import annotations

from django.db.models import Sum
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from patron.transfer.models import ImportJob, ImportStatus


def collect():
    committed = ImportJob.objects.aggregate(rows=Sum("committed_rows"))["rows"] or 0
    yield CounterMetricFamily("patron_import_rows_committed", "Rows in committed import batches.", value=committed)
    running = GaugeMetricFamily("patron_import_rows_per_second", "Rows a second of each running import.",
                                labels=["job"])
    now = timezone.now()
    jobs = ImportJob.objects.filter(status=ImportStatus.RUNNING, started_at__isnull=False)
    for uuid, rows, started_at in jobs.values_list("uuid", "committed_rows", "started_at"):
        seconds = (now - started_at).total_seconds()
        running.add_metric([str(uuid)], rows / seconds if seconds > 0 else 0.0)
    yield running
