"""Per-request facts (request id, client address, the request itself) that audit entries and log
lines record without every function having to pass the request along."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    http_request: object = None  # the HttpRequest, for the log's user (see core.logs)


_current = contextvars.ContextVar("patron_request_context", default=RequestContext())  # noqa: B039  (frozen)


def current_request() -> RequestContext:
    return _current.get()


@contextmanager
def request_context(request_id: str, ip_address: str | None, http_request=None):
    token = _current.set(RequestContext(request_id=request_id, ip_address=ip_address, http_request=http_request))
    try:
        yield
    finally:
        _current.reset(token)
