"""/metrics: Prometheus' text format, for allowed addresses or the token; request and lookup
latency by route, the imports' rows, and whatever collectors apps register."""

import pytest
from django.test import Client
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.parser import text_string_to_metric_families

from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.ops import metrics
from patron.staff.tests.factories import token_factory
from patron.transfer.models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db


def _scrape(client=None, **headers) -> dict[tuple[str, tuple], float]:
    response = (client or Client()).get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode()) for sample in family.samples}


def _value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_request_is_counted_under_its_route_name(system):
    customer_factory(first_name="Ines", last_name="Lookup")
    _, secret = token_factory(Role.MANAGER)
    before = _scrape()
    api = {"Authorization": f"Bearer {secret}"}
    assert Client().get("/api/v1/lookup", {"q": "Ines"}, headers=api).status_code == 200
    assert Client().get("/no-such-page/").status_code in (302, 404)
    after = _scrape()
    route = dict(method="GET", route="api-v1:lookup", status="2xx")
    count = "patron_http_request_duration_seconds_count"
    assert _value(after, count, **route) == _value(before, count, **route) + 1
    assert _value(after, "patron_lookup_duration_seconds_count", kind="till") == (
        _value(before, "patron_lookup_duration_seconds_count", kind="till") + 1)
    assert _value(after, "patron_lookup_duration_seconds_bucket", kind="till", le="+Inf") >= 1
    assert any(name == count and dict(labels)["route"] == "unmatched" for name, labels in after)
    assert not any(name == count and "no-such-page" in dict(labels)["route"] for name, labels in after)


def test_a_request_refused_by_the_rate_limit_is_counted_as_refused(settings):
    settings.PATRON_API_RATE_LIMITS = {"token": 0, "address": 0, "failures": 1}
    count = "patron_http_request_duration_seconds_count"
    refused = dict(method="GET", route="refused", status="4xx")
    before = _value(_scrape(), count, **refused)
    assert [Client().get("/api/v1/customers").status_code for _ in range(2)] == [401, 429]
    assert _value(_scrape(), count, **refused) == before + 1


def test_the_imports_rows_are_read_from_the_jobs():
    before = _value(_scrape(), "patron_import_rows_committed_total")
    ImportJob.objects.create(file_path="a.csv", file_name="a.csv", file_format="csv", match_key="none",
                             status=ImportStatus.DONE, committed_rows=1200, actor_label="test")
    assert _value(_scrape(), "patron_import_rows_committed_total") == before + 1200


def test_the_job_queue_and_the_webhooks_failures_are_read_from_the_database():
    from datetime import timedelta

    from django.utils import timezone

    from patron.events.models import Delivery, Event, Subscription
    from patron.jobs.models import Job

    now = timezone.now()
    Job.objects.create(duty="duplicates.incremental_scan", run_after=now - timedelta(seconds=120))
    Job.objects.create(duty="privacy.run_due", run_after=now + timedelta(hours=1))  # not due yet
    subscription = Subscription.objects.create(url="https://erp.example.com/hook", secret="whsec_x",
                                               failing_since=now - timedelta(hours=2))
    event = Event.objects.create(kind="customer.created", payload={})
    Delivery.objects.create(subscription=subscription, event=event, attempts=3, next_attempt_at=now)
    samples = _scrape()
    assert _value(samples, "patron_jobs_queued") == 1
    assert 120 <= _value(samples, "patron_jobs_oldest_wait_seconds") < 180
    assert _value(samples, "patron_jobs_running") == 0
    assert _value(samples, "patron_webhook_deliveries_pending") == 1
    assert _value(samples, "patron_webhook_deliveries_failing") == 1
    assert _value(samples, "patron_webhook_subscriptions_failing") == 1
    assert _value(samples, "patron_webhook_subscriptions_paused") == 0


def test_a_registered_collector_is_read_at_each_scrape(monkeypatch):
    monkeypatch.setattr(metrics, "COLLECTORS", list(metrics.COLLECTORS))
    depth = [3]

    def queue():
        yield GaugeMetricFamily("patron_jobs_queued", "Jobs waiting.", value=depth[0])

    def broken():
        raise RuntimeError("queue table gone")
        yield  # pragma: no cover

    metrics.register_collector(broken)
    metrics.register_collector(queue)
    assert _value(_scrape(), "patron_jobs_queued") == 3
    depth[0] = 5
    assert _value(_scrape(), "patron_jobs_queued") == 5


def test_only_allowed_addresses_or_the_token_may_read_them(settings):
    settings.PATRON_METRICS_ALLOWED = ["10.0.0.0/8"]
    settings.PATRON_METRICS_TOKEN = "scrape-secret-123"
    outside = Client(REMOTE_ADDR="203.0.113.5")
    assert outside.get("/metrics").status_code == 403
    assert outside.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert _scrape(outside, Authorization="Bearer scrape-secret-123")
    assert _scrape(Client(REMOTE_ADDR="10.2.3.4"))
