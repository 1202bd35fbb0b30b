"""The application log: one JSON object a line, with time, level, request id and user."""

import io
import json
import logging
from datetime import datetime

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from patron.core.context import request_context
from patron.core.logs import RequestFilter, json_formatter, logging_config
from patron.core.middleware import RequestContextMiddleware
from patron.core.permissions import Role
from patron.staff.tests.factories import token_factory, user_factory


@pytest.fixture
def log_lines():
    """What the configured console handler (settings.LOGGING) writes, as parsed lines."""
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, RequestFilter) for f in h.filters))
    stream = io.StringIO()
    # Swapped without setStream, which flushes the old stream: pytest may have closed it already.
    previous, handler.stream = handler.stream, stream
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        handler.stream = previous


def test_a_line_is_json_with_time_level_request_id_and_user(log_lines):
    with request_context("req-42", "198.51.100.1"):
        logging.getLogger("patron.test").warning("stock for %s low", "ünïcode")
    (line,) = log_lines()
    assert line["level"] == "WARNING"
    assert line["logger"] == "patron.test"
    assert line["message"] == "stock for ünïcode low"
    assert line["request_id"] == "req-42"
    assert line["user"] == ""
    assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 0


def test_an_exception_keeps_its_traceback_in_the_line(log_lines):
    try:
        raise ValueError("disk on fire")
    except ValueError:
        logging.getLogger("patron.test").exception("failed")
    (line,) = log_lines()
    assert line["level"] == "ERROR" and "disk on fire" in line["exc_info"]


@pytest.mark.django_db
def test_lines_written_in_a_request_name_the_staff_user_and_the_request_id(log_lines):
    user = user_factory(Role.MANAGER)

    def view(request):
        assert request.user.is_authenticated  # the view reads its user, as every back-office view does
        logging.getLogger("patron.web").warning("in the view")
        return HttpResponse("ok")

    request = RequestFactory().get("/", headers={"X-Request-ID": "from-the-proxy-1"})
    request.user = SimpleLazyObject(lambda: user)
    response = RequestContextMiddleware(view)(request)
    assert response["X-Request-ID"] == "from-the-proxy-1"
    (line,) = log_lines()
    assert (line["message"], line["request_id"], line["user"]) == ("in the view", "from-the-proxy-1", user.username)


@pytest.mark.django_db
def test_lines_written_in_an_api_request_name_the_token_and_the_request_id(client, log_lines, monkeypatch):
    token, secret = token_factory(Role.MANAGER)
    from patron.api import customers as endpoints  # noqa: PLC0415

    def failing(*args, **kwargs):
        logging.getLogger("patron.api").warning("about to look")
        raise RuntimeError("lookup broke")

    monkeypatch.setattr(endpoints.queries, "filter_customers", failing)
    response = client.get("/api/v1/customers?search=Anna+Schmidt", headers={"Authorization": f"Bearer {secret}",
                                                                            "X-Request-ID": "till-7-0001"})
    assert response.status_code == 500
    lines = [line for line in log_lines() if line["request_id"] == "till-7-0001"]
    # The endpoint's own line, and Django's about the 500, written after the middleware is done.
    assert {line["message"] for line in lines} >= {"about to look", "Internal Server Error: /api/v1/customers"}
    assert all(line["user"] == f"token:{token.prefix}" for line in lines)
    assert not [line for line in lines if "Schmidt" in json.dumps(line)]  # a search is personal data


def test_the_text_format_is_available_for_a_console():
    config = logging_config("INFO", "text")
    assert "json" not in config["formatters"]
    record = logging.LogRecord("patron", logging.INFO, __file__, 1, "hello", (), None)
    RequestFilter().filter(record)
    assert json.loads(json_formatter().format(record))["message"] == "hello"
