"""``/healthz``, ``/readyz`` and ``/metrics``: for load balancers, orchestrators and Prometheus.

The first two tell nothing about the data and need no login, as probes have none; ``/metrics``
is for the addresses in ``PATRON_METRICS_ALLOWED`` or a bearer of ``PATRON_METRICS_TOKEN``.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from patron.ops import readiness
from patron.ops.metrics import exposition


@never_cache
@require_GET
def healthz(request):
    """Alive: the process answers. Nothing else is checked, so a slow database does not get a
    healthy server restarted."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Ready for traffic: every readiness check passes (503, naming the failing ones, if not)."""
    outcomes = readiness.run_checks()
    ready = all(outcome.ok for outcome in outcomes)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {outcome.name: "ok" if outcome.ok else outcome.detail for outcome in outcomes},
    }
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_GET
def metrics(request):
    if not _may_scrape(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


def _may_scrape(request) -> bool:
    token = settings.PATRON_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(request.client_address or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(item, strict=False) for item in settings.PATRON_METRICS_ALLOWED)
