"""Request latency by route, for ``/metrics``."""

from __future__ import annotations

import time

from patron.ops.metrics import REQUEST_SECONDS

UNMATCHED = "unmatched"  # no URL matched (404s of any address): one label, not one per address
REFUSED_EARLY = "refused"  # answered before a URL was matched: the API's rate limit (429)


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None:
            route = match.view_name or match.route
        else:
            route = REFUSED_EARLY if response.status_code == 429 else UNMATCHED
        method = request.method if request.method in _METHODS else "other"
        REQUEST_SECONDS.labels(route, method, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started)
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
