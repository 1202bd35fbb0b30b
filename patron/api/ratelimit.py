"""The API's rate limits, answered with 429 ``rate-limited`` and ``Retry-After``.

Three counts a window (``PATRON_API_RATE_WINDOW_SECONDS``), kept in the shared store of
``ops.ratelimit`` so that every server sees the same: the requests of each API token (by a hash
of the token sent, so counting needs no lookup), the requests of each client address (all of them,
whatever the token: ``core.proxies`` says whose address), and the failed authentications (401) of
each address, so guessing tokens is soon refused even with a new guess every time. A limit of 0
turns that count off. Only ``/api/`` is limited; the back office has django-axes.
"""

from __future__ import annotations

import hashlib

from django.conf import settings

from patron.api.errors import ApiProblem, render_problem
from patron.ops import ratelimit

API_PREFIX = "/api/"


class ApiRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        limits = settings.PATRON_API_RATE_LIMITS
        now = ratelimit.clock()
        window = ratelimit.current_window(settings.PATRON_API_RATE_WINDOW_SECONDS, now)
        address = request.client_address or "-"
        names = {"address": f"address:{address}", "failures": f"failures:{address}"}
        token = _bearer(request)
        if token:
            names["token"] = "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
        names = {scope: name for scope, name in names.items() if limits[scope]}
        if names:
            # One round trip: a request more for the address and the token, the failures only read.
            counted = ratelimit.hit({name: 0 if scope == "failures" else 1 for scope, name in names.items()}, window)
            if "failures" in names and counted[names["failures"]] >= limits["failures"]:
                return _refused(window, now, "Too many requests with an invalid token from this address")
            for scope in ("token", "address"):
                if scope in names and counted[names[scope]] > limits[scope]:
                    return _refused(window, now, f"Too many requests from this {scope}")
        response = self.get_response(request)
        if response.status_code == 401 and "failures" in names:
            ratelimit.hit({names["failures"]: 1}, window)
        return response


def _bearer(request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _refused(window: ratelimit.Window, now: float, reason: str):
    seconds = window.retry_after(now)
    return render_problem(ApiProblem(
        "rate-limited", f"{reason}: try again in {seconds} seconds.", headers={"Retry-After": str(seconds)}))
