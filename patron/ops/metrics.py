"""Prometheus metrics (prometheus_client), served at ``/metrics``.

Measured in the process: request latency by route (``middleware.RequestMetricsMiddleware``) and
lookup latency (``lookup.queries``). Read from the database when scraped, so they are the same
whichever server or process did the work: whatever apps register with ``register_collector`` (the
imports' rows; a job queue's depth and age and webhook failures when such apps exist). Under
``patron serve`` the gunicorn workers write their figures to files that ``/metrics`` adds up
(prometheus_client's multiprocess mode, ``PROMETHEUS_MULTIPROC_DIR``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.metrics_core import Metric

logger = logging.getLogger(__name__)

# Seconds: a till's lookup should take milliseconds, an export may take a minute.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

REQUEST_SECONDS = Histogram(
    "patron_http_request_duration_seconds", "Time to answer an HTTP request, by route (the URL's name).",
    ["route", "method", "status"], buckets=LATENCY_BUCKETS)
LOOKUP_SECONDS = Histogram(
    "patron_lookup_duration_seconds", "Time the customer lookup took to rank its hits: a till's page (till) or a "
    "list's search (search).", ["kind"], buckets=LATENCY_BUCKETS)

Collector = Callable[[], Iterable[Metric]]
COLLECTORS: list[Collector] = []


def register_collector(collect: Collector) -> None:
    """``collect()`` yields prometheus_client metric families (e.g. ``GaugeMetricFamily``), read at
    every scrape: figures kept in the database, such as a job queue's depth."""
    COLLECTORS.append(collect)


class _Registered:
    def describe(self):
        return []  # nothing to check up front: the families are known only once read

    def collect(self):
        for collect in COLLECTORS:
            try:
                yield from collect()
            except Exception:  # one broken collector must not hide the other figures
                logger.exception("metrics collector %s failed", getattr(collect, "__name__", collect))


def exposition() -> bytes:
    """The metrics in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
        registry.register(LOOKUP_SECONDS)
    registry.register(_Registered())
    return generate_latest(registry)
