"""The application log as JSON lines: every line carries its time, level, logger, the request's id
and who made it (a staff user's username, or ``token:<prefix>`` for an API token), so one request
can be followed through the log and matched with the audit trail and the ``X-Request-ID`` header.
"""

from __future__ import annotations

import logging

from django.utils.functional import empty
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from patron.core.context import current_request

FORMATS = ("json", "text")


class RequestFilter(logging.Filter):
    """Adds ``request_id`` and ``user`` to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_request()
        # Django logs a request's 4xx and 5xx after the middleware is done, naming the request.
        request = context.http_request or getattr(record, "request", None)
        record.request_id = context.request_id or getattr(request, "request_id", "")
        record.user = _user_of(request)
        return True


def _user_of(request) -> str:
    if request is None:
        return ""
    token = getattr(request, "auth", None)  # django-ninja puts the bearer token's ApiToken here
    if token is not None and hasattr(token, "prefix"):
        return f"token:{token.prefix}"
    user = request.__dict__.get("user")
    # A user not read yet is left alone: reading it queries the session, and a log line written by
    # the database layer itself must not query again.
    if user is None or getattr(user, "_wrapped", None) is empty:
        return ""
    return user.get_username() if user.is_authenticated else ""


def json_formatter() -> JsonFormatter:
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s %(request_id)s %(user)s",
        # Django names the request in its lines about 4xx and 5xx answers; written out, it would
        # carry the query string, where searches put names, phones and e-mail addresses.
        reserved_attrs=[*RESERVED_ATTRS, "request"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
        json_ensure_ascii=False,
    )


def logging_config(level: str, fmt: str) -> dict:
    """The ``LOGGING`` setting: one handler to standard error, JSON lines unless ``fmt`` is text."""
    formatters = {
        "json": {"()": "patron.core.logs.json_formatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user)s] %(message)s"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": "patron.core.logs.RequestFilter"}},
        "formatters": {fmt: formatters[fmt]},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request"], "formatter": fmt}},
        "root": {"handlers": ["console"], "level": level},
    }
