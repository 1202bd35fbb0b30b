"""Per-request facts (request id, client address) that audit entries record without every
function having to pass the request along."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


_current = contextvars.ContextVar("patron_request_context", default=RequestContext())  # noqa: B039  (frozen)


def current_request() -> RequestContext:
    return _current.get()


@contextmanager
def request_context(request_id: str, ip_address: str | None):
    token = _current.set(RequestContext(request_id=request_id, ip_address=ip_address))
    try:
        yield
    finally:
        _current.reset(token)
