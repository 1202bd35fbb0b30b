"""What the server refuses before Django sees the request is a problem document too (RFC 9457), not
gunicorn's HTML page: a real `patron serve` on a scratch database, spoken to over a raw socket."""

from __future__ import annotations

import json
import logging
import socket
from urllib.parse import urlsplit

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from bench.common import running_server
from patron.api.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE
from patron.cli.server import ProblemWorker
from tests.cli_support import environment, patron_ok, scratch_database_url


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup):
    work_dir = tmp_path_factory.mktemp("server")
    with scratch_database_url(work_dir) as url:
        env = environment(work_dir / "var", url)
        patron_ok("migrate", env=env)
        with running_server(env, work_dir / "server.log", workers=1) as running:
            yield running


def exchange(server, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``raw`` as it is and read the answer until the server closes the connection."""
    address = urlsplit(server.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {name.lower(): value for name, value in headers.items()}, body


def assert_problem(answer, status: int, code: str) -> dict:
    received_status, headers, body = answer
    assert received_status == status, body
    assert headers["content-type"] == PROBLEM_CONTENT_TYPE
    assert int(headers["content-length"]) == len(body)
    problem = json.loads(body)
    assert problem["type"] == PROBLEM_BASE + code
    assert (problem["status"], problem["code"]) == (status, code)
    assert problem["title"] and problem["detail"]
    return problem


def test_a_request_line_over_4_kb_is_414_problem_json(server):
    line = b"GET /api/v1/lookup?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    problem = assert_problem(exchange(server, line), 414, "uri-too-long")
    assert "4094 bytes" in problem["detail"]


@pytest.mark.parametrize("raw, status, code", [
    (b"GET /api/v1/lookup HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431,
     "request-headers-too-large"),
    (b"GET /api/v1/lookup HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(120)) + b"\r\n",
     431, "request-headers-too-large"),
    (b"G=T /api/v1/lookup HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400, "bad-request"),
    (b"GET /api/v1/lookup extra HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400, "bad-request"),
    (b"GET /api/v1/lookup HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", 400, "bad-request"),
    (b"POST /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: a-miracle\r\nContent-Length: 0\r\n\r\n", 417,
     "expectation-failed"),
    (b"POST /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: bogus\r\n\r\n", 501,
     "unsupported-transfer-encoding"),
], ids=["a header over 8 KB", "120 headers", "a bad method", "a bad request line", "HTTP/9.9", "Expect",
        "Transfer-Encoding"])
def test_what_the_server_refuses_itself_is_problem_json(server, raw, status, code):
    assert_problem(exchange(server, raw), status, code)


def test_requests_the_server_reads_still_reach_the_application(server):
    status, headers, body = exchange(server, b"GET /api/v1/lookup?q=ann HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             b"Connection: close\r\n\r\n")
    assert (status, headers["content-type"], json.loads(body)["code"]) == (401, PROBLEM_CONTENT_TYPE,
                                                                            "unauthenticated")
    assert '"GET /api/v1/lookup HTTP/1.1" 401' in server.log()


def test_a_crash_of_the_worker_is_a_500_problem_that_tells_nothing(caplog):
    worker = ProblemWorker.__new__(ProblemWorker)  # only what handle_error uses: no process, no sockets
    worker.cfg = Config()
    worker.log = Logger(worker.cfg)
    ours, theirs = socket.socketpair()
    with ours, theirs, caplog.at_level(logging.ERROR):
        worker.handle_error(None, ours, ("127.0.0.1", 5000), RuntimeError("secret /srv/patron/var detail"))
        ours.close()
        answer = theirs.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    assert b"Content-Type: application/problem+json\r\n" in head
    problem = json.loads(body)
    assert (problem["status"], problem["code"], problem["type"]) == (500, "internal-error",
                                                                      PROBLEM_BASE + "internal-error")
    assert "secret" not in body.decode()
