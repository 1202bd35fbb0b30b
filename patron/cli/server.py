"""``patron serve``: Patron behind gunicorn, static files served by the app (WhiteNoise)."""

from __future__ import annotations

import ctypes
import errno
import gc
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from http import HTTPStatus
from ssl import SSLError

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.http.errors import (
    ConfigurationProblem,
    ExpectationFailed,
    InvalidResponseHeader,
    InvalidResponseHeaderName,
    LimitRequestHeaders,
    LimitRequestLine,
    ParseException,
    UnsupportedTransferCoding,
)
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.gthread import ThreadWorker
from prometheus_client import multiprocess, values

from patron.api.errors import EDGE_PROBLEMS, PROBLEM_CONTENT_TYPE, problem_body
from patron.cli.common import CliError, positive_int

DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4
# The access log names the path without its query string and leaves out the Referer (the page it
# names may carry one): searches (?q=) hold names, phones and e-mail addresses, which are personal data.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
PR_SET_PDEATHSIG = 1  # linux/prctl.h
GRACEFUL_TIMEOUT = 20
# A server whose master died hands its port back once its workers have finished the requests they
# were answering, GRACEFUL_TIMEOUT at most: a new server waits that long for it, and a little more.
PORT_WAIT_SECONDS = GRACEFUL_TIMEOUT + 5


def register(commands) -> None:
    parser = commands.add_parser(
        "serve", help="run the web server (back office and API)",
        description="Serve Patron with gunicorn: the back office, the API and the static files. Collects the "
                    "static files into var/static first. Stop it with Ctrl+C.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: %(default)s; 0.0.0.0 for every interface)")
    parser.add_argument("--port", type=positive_int, default=8000,
                        help="port to listen on (default: %(default)s)")
    parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS,
                        help="worker processes (default: %(default)s)")
    parser.add_argument("--threads", type=positive_int, default=DEFAULT_THREADS,
                        help="threads per worker process (default: %(default)s)")
    parser.add_argument("--port-wait", type=float, default=PORT_WAIT_SECONDS, metavar="SECONDS",
                        help="how long to wait for the port when it is in use, e.g. by the workers of a server "
                             "that just stopped (default: %(default)s)")
    parser.add_argument("--with-worker", action="store_true",
                        help="also run a job worker (`patron worker`) beside the server, stopped with it: "
                             "one command for a single machine")
    parser.set_defaults(handler=serve)


def serve(args) -> None:
    _require_migrated()
    _wait_for_port(args.host, args.port, args.port_wait)
    _share_metrics(args.port)
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()  # the forked workers open their own connections
    # What is loaded by now lives as long as the server: out of the collector's sight, a full
    # collection in a worker no longer walks it (62 ms, against 4 ms, at a lookup every ~1,500).
    gc.freeze()
    job_worker = _start_job_worker() if args.with_worker else None
    try:
        PatronServer(_gunicorn_options(args)).run()
    finally:
        if job_worker:
            job_worker.terminate()  # SIGTERM: its running job ends first
            job_worker.wait()


def _start_job_worker() -> subprocess.Popen:
    """A ``patron worker`` that the kernel stops should this server die without stopping it."""
    # Not in the server's metrics: /metrics reads the queue's figures from the database.
    env = {name: value for name, value in os.environ.items() if name != "PROMETHEUS_MULTIPROC_DIR"}
    return subprocess.Popen([sys.executable, "-m", "patron.cli", "worker"], preexec_fn=_die_with_parent, env=env)


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _share_metrics(port: int) -> None:
    """The workers write their metrics to files under var/metrics/<port>/ that /metrics adds up
    (prometheus_client's multiprocess mode), emptied as the server starts: counters begin at 0."""
    directory = settings.VAR_DIR / "metrics" / str(port)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    values.ValueClass = values.get_value_class()  # for the metrics the workers make after the fork


def _forget_worker_metrics(server, worker) -> None:
    multiprocess.mark_process_dead(worker.pid)


def _require_migrated() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CliError("The database is not up to date: run `patron migrate` first.")


def _wait_for_port(host: str, port: int, seconds: float) -> None:
    """Wait (``seconds`` at most) until the port can be bound, saying so; a port another program
    keeps is one clear error, not gunicorn's five retries ending in "Connection in use"."""
    deadline, said = time.monotonic() + seconds, False
    while True:
        probe = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds it
        try:
            probe.bind((host, port))
            return
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise CliError(f"Cannot listen on {host}:{port}: {error.strerror}.") from None
            if time.monotonic() >= deadline:
                raise CliError(f"Port {port} is in use by another program: stop it, or serve on another "
                               "--port.") from None
            if not said:
                print(f"Port {port} is in use; waiting up to {seconds:g} s for it to be free (a server that "
                      "stopped may still be finishing its requests)...", file=sys.stderr, flush=True)
                said = True
            time.sleep(0.2)
        finally:
            probe.close()


def die_with_master(server, worker) -> None:
    """gunicorn's post_fork hook: a worker whose master dies (kill -9, a crash) is told at once by
    the kernel with SIGTERM (a graceful stop: it finishes the requests it is answering, then exits
    and hands the port back), rather than trusting each worker class to notice its new parent. A
    master that died before this was asked for has made the worker an orphan already."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            server.log.warning("Workers will not stop with the master: prctl failed (errno %s).",
                               ctypes.get_errno())
    if os.getppid() != worker.ppid:
        os.kill(os.getpid(), signal.SIGTERM)


def _gunicorn_options(args) -> dict:
    host = f"[{args.host}]" if ":" in args.host else args.host
    browse_host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(args.host, host)
    login_url = f"http://{browse_host}:{args.port}/login/"

    def announce(server):
        print(f"Patron is running: log in at {login_url} (press Ctrl+C to stop)", flush=True)

    return {
        "bind": f"{host}:{args.port}",
        "workers": args.workers,
        "worker_class": "patron.cli.server.ProblemWorker",
        "threads": args.threads,
        "timeout": 60,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "max_requests": 5000,  # recycle workers now and then, staggered by the jitter
        "max_requests_jitter": 500,
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "proc_name": "patron",
        "control_socket_disable": True,  # its default path under $HOME would clash between instances
        "when_ready": announce,
        "post_fork": die_with_master,
        "child_exit": _forget_worker_metrics,
    }


class PatronServer(BaseApplication):
    """gunicorn run from Python with our options, instead of its own command line."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self):
        from patron.wsgi import application  # in each worker, after the fork

        return application


# What gunicorn refuses before Django sees the request, as problem codes (patron.api.errors); the
# first class that matches decides. The response-header errors are the application's fault.
_SERVER_PROBLEMS: tuple[tuple[type | tuple[type, ...], str, str], ...] = (
    ((InvalidResponseHeader, InvalidResponseHeaderName, ConfigurationProblem), "internal-error",
     "Something went wrong on our side."),
    (LimitRequestLine, "uri-too-long",
     "The request line (method, address and query string) may be at most {line_limit} bytes."),
    (LimitRequestHeaders, "request-headers-too-large",
     "The request has more header fields, or longer ones, than this server accepts."),
    (ExpectationFailed, "expectation-failed",
     "This server cannot meet the Expect header; send the request without it (100-continue is understood)."),
    (UnsupportedTransferCoding, "unsupported-transfer-encoding",
     "Send the body with Content-Length, or chunked; no other Transfer-Encoding is understood."),
    ((ParseException, SSLError), "bad-request", "This is not a valid HTTP/1.1 request: {reason}"),
)


class ProblemWorker(ThreadWorker):
    """gunicorn's threaded worker, answering what it refuses itself (a request line over 4 KB,
    headers too large, a malformed request, Expect, Transfer-Encoding) and its own crashes as RFC
    9457 problem documents, like every other error of Patron, instead of gunicorn's HTML page."""

    def handle_error(self, req, client, addr, exc):
        started = datetime.now()
        addr = addr or ("", -1)  # a unix socket
        code, detail = next(((code, detail) for kind, code, detail in _SERVER_PROBLEMS if isinstance(exc, kind)),
                            ("internal-error", "Something went wrong on our side."))
        status, title = EDGE_PROBLEMS[code]
        if status < 500:
            self.log.warning("Invalid request from ip=%s: %s", addr[0], exc)
        else:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
        body = problem_body(status=status, code=code, title=title, detail=detail.format(
            line_limit=self.cfg.limit_request_line, reason=str(exc)[:200]))
        req = req or getattr(exc, "req", None)
        if req is not None:  # the access log names it, as gunicorn's own handler does
            environ = default_environ(req, client, self.cfg)
            environ.update(REMOTE_ADDR=addr[0], REMOTE_PORT=str(addr[1]))
            response = Response(req, client, self.cfg)
            response.status = f"{status} {HTTPStatus(status).phrase}"
            response.response_length = len(body)
            self.log.access(response, req, environ, datetime.now() - started)
        head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nConnection: close\r\n"
                f"Content-Type: {PROBLEM_CONTENT_TYPE}\r\nContent-Length: {len(body)}\r\n\r\n")
        try:
            util.write_nonblock(client, head.encode("latin-1") + body)
        except Exception:  # the client is gone
            self.log.debug("Failed to send the error.")
