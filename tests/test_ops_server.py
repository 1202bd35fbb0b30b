"""`patron serve` with two workers: /metrics adds up what every worker measured, the probes
answer, and a 429 from the shared rate limit reaches clients of either worker."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

from prometheus_client.parser import text_string_to_metric_families

from tests.cli_support import environment, free_port, patron_ok


@contextmanager
def _serving(tmp_path, **variables):
    env = {**environment(tmp_path / "var", f"sqlite:///{tmp_path / 'patron.sqlite3'}"), **variables}
    patron_ok("migrate", env=env)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "patron.cli", "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while _get(f"{base}/healthz")[0] != 200:
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _get(url: str, headers: dict | None = None) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)
    except OSError:
        return 0, "", {}


def _healthz_count(base: str) -> float:
    status, text, _ = _get(f"{base}/metrics")
    assert status == 200
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "patron_http_request_duration_seconds_count"
               and sample.labels["route"] == "ops:healthz")


def test_metrics_add_up_every_workers_requests_and_the_rate_limit_is_shared(tmp_path):
    with _serving(tmp_path, PATRON_API_RATE_LIMIT_FAILURES="5") as base:
        status, body, _ = _get(f"{base}/readyz")
        assert status == 200 and json.loads(body)["status"] == "ready"
        already = _healthz_count(base)
        for _ in range(30):
            assert _get(f"{base}/healthz")[0] == 200
        # Each scrape is answered by one worker or the other; each sees all 30.
        assert {_healthz_count(base) - already for _ in range(6)} == {30}
        statuses = [_get(f"{base}/api/v1/customers", {"Authorization": f"Bearer guess-{n}"}) for n in range(8)]
        assert [status for status, _, _ in statuses] == [401] * 5 + [429] * 3
        assert all(int(headers["Retry-After"]) >= 1 for _, _, headers in statuses[5:])
