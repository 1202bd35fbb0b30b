"""One load-generating client process, like one POS terminal keeping its connection open:

    python -m bench.client BASE_URL TOKEN PLAN.json RESULTS.json

PLAN.json is {"warmup": [request, ...], "measured": [request, ...]}; a request is
{"method": "GET", "path": ...} or {"method": "POST", "path": ..., "body": {...}, "key": "..."}; the answer's
body is kept for POSTs, 5xx answers and requests marked "keep_body": true.
The client runs the warm-up, prints "ready", and runs the measured requests when a line arrives
on stdin, so that every client starts together. RESULTS.json gets the outcome of each request in
the same shape.
Only the standard library is used: the clients must stay cheap next to the server.
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from urllib.parse import urlsplit

ATTEMPTS = 3  # a dropped keep-alive connection is retried; the Idempotency-Key makes that safe


class Client:
    def __init__(self, base_url: str, token: str):
        address = urlsplit(base_url)
        self.host, self.port, self.token = address.hostname, address.port, token
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def send(self, request: dict) -> dict:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        body = None
        if "body" in request:
            body = json.dumps(request["body"])
            headers.update({"Content-Type": "application/json", "Idempotency-Key": request["key"]})
        started, clock = time.time(), time.perf_counter()
        for attempt in range(ATTEMPTS):
            try:
                self.connection.request(request["method"], request["path"], body, headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()  # reopened by the next request
                if attempt == ATTEMPTS - 1:
                    raise
        latency = time.perf_counter() - clock
        keep = body is not None or response.status >= 500 or request.get("keep_body")
        return {"status": response.status, "started": started, "latency": latency, "retries": attempt,
                "content_type": response.getheader("Content-Type", ""),
                "read_from": response.getheader("X-Patron-Read-From"),  # patron.core.replicas
                "body": _json_or_text(content) if keep else None}


def _json_or_text(content: bytes):
    try:
        return json.loads(content)
    except ValueError:
        return content.decode(errors="replace")[:500]


def main(argv: list[str]) -> None:
    base_url, token, plan_file, results_file = argv
    with open(plan_file) as plan_stream:
        plan = json.load(plan_stream)
    client = Client(base_url, token)
    warmup = [client.send(request) for request in plan["warmup"]]
    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    measured = [client.send(request) for request in plan["measured"]]
    with open(results_file, "w") as results:
        json.dump({"warmup": warmup, "measured": measured}, results)


if __name__ == "__main__":
    main(sys.argv[1:])
