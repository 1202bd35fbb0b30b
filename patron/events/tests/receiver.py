"""A webhook receiver on loopback for tests: answers each POST as told (ok, fail, slow, or not at
all once stopped) and keeps what it received, in order."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self):
        self.received: list[dict] = []  # {"id", "headers", "body", "payload"} of every request, answered or not
        self.script: deque[tuple[int, float]] = deque()  # (status, seconds to wait) for the next requests
        self.default = (204, 0.0)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def answer(self, *answers: tuple[int, float]) -> None:
        self.script.extend(answers)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def delivered_ids(self, *, ok_only: bool = True) -> list[str]:
        return [item["id"] for item in self.received if item["status"] < 300 or not ok_only]

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status, wait = receiver.script.popleft() if receiver.script else receiver.default
                receiver.received.append({"id": self.headers["webhook-id"], "headers": dict(self.headers),
                                          "body": body, "payload": json.loads(body), "status": status})
                time.sleep(wait)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender gave up waiting
                    pass

            def log_message(self, *args):
                pass

        return Handler
