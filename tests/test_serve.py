"""`patron serve` for real: gunicorn in a child process on a free port, a fresh SQLite database in
a tmp var dir, spoken to with raw HTTP (Django's test client goes around the server: it sends no
chunked bodies and has no master or workers to kill)."""

from __future__ import annotations

import http.client
import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from patron.core.workers import process_alive
from tests.cli_support import environment, free_port, patron_ok

START_TIMEOUT = 30


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[dict, str]:
    """A migrated SQLite database in a tmp var dir, shared by this module's servers, and a token."""
    folder = tmp_path_factory.mktemp("serve")
    env = environment(folder / "var", f"sqlite:///{folder / 'patron.sqlite3'}")
    patron_ok("migrate", env=env)
    return env, patron_ok("token", "create", "Till 1", "--role", "manager", env=env).strip()


def _start(env: dict, port: int, *options: str, workers: int = 1) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "patron.cli", "serve", "--port", str(port), "--workers",
                             str(workers), "--threads", "2", *options], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _answers(port: int) -> int | None:
    """The status of GET /login/, or None when nothing answers."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/login/")
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def _wait_until_it_answers(server: subprocess.Popen, port: int, timeout: float = START_TIMEOUT) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise AssertionError(f"patron serve exited with {server.returncode}:\n{server.stderr.read()}")
        if _answers(port) == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"patron serve did not answer within {timeout} s")


def _stop(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    server.wait(timeout=30)


@contextmanager
def _serving(site):
    (env, token), port = site, free_port()
    server = _start(env, port)
    try:
        _wait_until_it_answers(server, port)
        yield port, token
    finally:
        _stop(server)


def _post(port: int, path: str, body, headers: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers=headers, encode_chunked="Transfer-Encoding" in headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


# --- request bodies ---------------------------------------------------------------------------

def test_the_api_reads_chunked_bodies_and_stops_one_over_the_limit(site):
    with _serving(site) as (port, token):
        auth = {"Authorization": f"Bearer {token}", "Transfer-Encoding": "chunked"}
        # a JSON body in chunks is read whole (it was read as empty: "A JSON body is required.")
        chunks = [b'{"kind": "company", ', b'"name": "Chunked', b' & Co"}']
        status, body = _post(port, "/api/v1/customers", iter(chunks), {**auth, "Content-Type": "application/json"})
        assert (status, body.get("name")) == (201, "Chunked & Co"), body

        # a photo in chunks past the limit (5 MB) is refused at the limit; the rest is never read
        status, body, sent = _send_chunks_until_answered(port, f"/api/v1/customers/{body['id']}/photo",
                                                         {**auth, "Content-Type": "image/jpeg"})
        assert (status, body.get("code")) == (413, "photo-too-large"), body
        assert sent < 20 * 1024 * 1024  # answered once the limit was passed, not after the whole body


def _send_chunks_until_answered(port: int, path: str, headers: dict, chunk: int = 65536,
                                most: int = 500 * 1024 * 1024) -> tuple[int, dict, int]:
    """POST an endless chunked body, a chunk at a time, until the server answers (or stops
    reading); returns the answer and how many body bytes went out before it."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        raw.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode())
        sent, data = 0, b"%x\r\n%s\r\n" % (chunk, b"\xff" * chunk)
        while sent < most and not select.select([raw], [], [], 0)[0]:
            try:
                raw.sendall(data)
            except OSError:  # the server answered and closed: its answer waits in our buffer
                break
            sent += chunk
        response = http.client.HTTPResponse(raw)
        response.begin()
        return response.status, json.loads(response.read() or b"{}"), sent


# --- restart after the master died ---------------------------------------------------------------

def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if entry.name.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(int(entry.name))
    return children


def _gone(pids: list[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(process_alive(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


def _lines(process: subprocess.Popen) -> queue.Queue:
    """The process's standard error, line by line, read by a thread so the pipe never fills up."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    return lines


def _wait_for_line(process: subprocess.Popen, lines: queue.Queue, text: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if text in lines.get(timeout=0.1):
                return
        except queue.Empty:
            if process.poll() is not None:
                raise AssertionError(f"the new server exited with {process.returncode}") from None
    raise AssertionError(f"the new server did not print {text!r}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers die with their master on Linux")
def test_a_server_whose_master_was_killed_restarts_at_once_and_its_workers_stop(site):
    # given: a server with two workers, one of them in the middle of a request (its body still coming)
    env, _ = site
    port = free_port()
    first, second, workers = _start(env, port, workers=2), None, []
    try:
        cold_start = _wait_until_it_answers(first, port)
        workers = _children(first.pid)
        assert len(workers) == 2
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"POST /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
                     b"\r\nContent-Length: 100\r\n\r\nusername=")
        time.sleep(0.5)

        # when: the master is killed, and a new server is started on the same port at once
        first.kill()
        first.wait()
        started = time.monotonic()
        second = _start(env, port)
        lines = _lines(second)

        # then: the new server waits for the port, saying so, while the old worker finishes its
        # request (it gave up after gunicorn's 5 s of "Connection in use" and exited with 1) ...
        _wait_for_line(second, lines, f"Port {port} is in use; waiting up to")
        slow.close()
        # ... the old workers stop, and the new server answers as soon as a server starts
        assert _gone(workers, timeout=5), "the old workers outlived their master"
        assert _wait_until_it_answers(second, port, timeout=cold_start + 10) and second.poll() is None
        assert time.monotonic() - started < cold_start + 10
    finally:
        for server in (first, second):
            if server is not None:
                _stop(server)
        for pid in workers:
            if process_alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_port_another_program_keeps_is_a_clear_error(site):
    env, _ = site
    with socket.socket() as keeper:
        keeper.bind(("127.0.0.1", 0))
        keeper.listen()
        port = keeper.getsockname()[1]
        started = time.monotonic()
        server = _start(env, port, "--port-wait", "1")
        try:
            assert server.wait(timeout=60) == 1
        finally:
            _stop(server)
        err = server.stderr.read()
    assert f"Port {port} is in use; waiting up to 1 s for it to be free" in err
    assert err.rstrip().endswith(f"patron: error: Port {port} is in use by another program: stop it, or serve on "
                                 "another --port.")
    assert time.monotonic() - started >= 1
