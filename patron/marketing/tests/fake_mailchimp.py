"""A local stand-in for the Mailchimp Marketing API v3, speaking the endpoints the sync uses.

It runs http.server in a thread on 127.0.0.1 and answers like Mailchimp does:
- HTTP Basic authentication, the API key as password; otherwise 401 "API Key Invalid";
- ``GET /3.0/lists/{id}``; an unknown list is 404 "Resource Not Found";
- ``PUT /3.0/lists/{id}/members/{hash}`` upserts (``status_if_new`` for new members, ``status`` for
  any), 400 "Invalid Resource" when the hash is not the MD5 of the lower-cased address or the
  address looks fake (here: test@...), and 400
  "Member In Compliance State" when asked to make an unsubscribed or cleaned member ``subscribed``;
- ``PATCH`` of a member's status, 404 for an unknown member;
- ``POST .../members/{hash}/tags`` (204);
- ``GET .../members?status=&since_last_changed=&count=&offset=`` pages;
- errors are problem documents (type, title, status, detail, instance);
- ``rate_limit(n, retry_after)`` answers the next n requests 429 with Retry-After;
  ``fail(n, status)`` answers the next n requests with a server error.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_KEY = "0123456789abcdef0123456789abcdef-us21"
LIST_ID = "a1b2c3d4e5"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FakeMailchimp:
    def __init__(self, api_key: str = API_KEY, list_id: str = LIST_ID):
        self.api_key, self.list_id = api_key, list_id
        self.members: dict[str, dict] = {}  # subscriber hash -> member
        self.requests: list[tuple[str, str, dict | None]] = []  # (method, path with query, body)
        self.authorizations: list[str] = []
        self._throttled, self._retry_after, self._failing, self._fail_status = 0, "0", 0, 503
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/3.0"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # --- set-up and inspection for tests ---

    def add_member(self, email: str, status: str, last_changed: str | None = None, **extra) -> dict:
        member = {"id": _hash(email), "email_address": email, "status": status,
                  "last_changed": last_changed or _now(), "tags": [], "merge_fields": {}, **extra}
        self.members[member["id"]] = member
        return member

    def member(self, email: str) -> dict | None:
        return self.members.get(_hash(email))

    def rate_limit(self, count: int, retry_after: str = "0") -> None:
        self._throttled, self._retry_after = count, retry_after

    def fail(self, count: int, status: int = 503) -> None:
        self._failing, self._fail_status = count, status

    def calls(self, method: str) -> list[tuple[str, str, dict | None]]:
        return [call for call in self.requests if call[0] == method]

    # --- the protocol ---

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._serve(self, "GET")

            def do_PUT(self):
                fake._serve(self, "PUT")

            def do_PATCH(self):
                fake._serve(self, "PATCH")

            def do_POST(self):
                fake._serve(self, "POST")

        return Handler

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with self._lock:
            self.requests.append((method, handler.path, body))
            self.authorizations.append(handler.headers.get("Authorization", ""))
            status, payload, headers = self._answer(handler, method, body)
        data = json.dumps(payload).encode() if payload is not None else b""
        handler.send_response(status)
        content_type = "application/problem+json" if status >= 400 else "application/json"
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, handler, method: str, body: dict | None) -> tuple[int, dict | None, dict]:
        if self._throttled:
            self._throttled -= 1
            return _problem(429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous "
                            "connections.", handler.path) + ({"Retry-After": self._retry_after},)
        if self._failing:
            self._failing -= 1
            return _problem(self._fail_status, "Service Unavailable", "Try again later.", handler.path) + ({},)
        if not self._authorized(handler.headers.get("Authorization", "")):
            return _problem(401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access "
                            "the wrong datacenter.", handler.path) + ({},)
        url = urlsplit(handler.path)
        parts = url.path.strip("/").split("/")  # 3.0 lists {id} members {hash} [tags]
        if parts[:2] != ["3.0", "lists"] or len(parts) < 3 or parts[2] != self.list_id:
            return _problem(404, "Resource Not Found", "The requested resource could not be found.",
                            handler.path) + ({},)
        if len(parts) == 3 and method == "GET":
            return 200, {"id": self.list_id, "name": "Shop newsletter",
                         "stats": {"member_count": len(self.members)}}, {}
        if len(parts) == 4 and parts[3] == "members" and method == "GET":
            return 200, self._page(parse_qs(url.query)), {}
        if len(parts) >= 5 and parts[3] == "members":
            return self._member(handler.path, method, parts[4], parts[5:], body or {}) + ({},)
        return _problem(405, "Method Not Allowed", "The requested method and resource are not compatible.",
                        handler.path) + ({},)

    def _authorized(self, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        try:
            _, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return password == self.api_key

    def _page(self, query: dict) -> dict:
        status = query.get("status", [None])[0]
        since = query.get("since_last_changed", [None])[0]
        count, offset = int(query.get("count", ["10"])[0]), int(query.get("offset", ["0"])[0])
        members = [member for member in self.members.values() if (status is None or member["status"] == status)
                   and (since is None or datetime.fromisoformat(member["last_changed"]) >= datetime.fromisoformat(
                       since))]
        return {"members": members[offset:offset + count], "total_items": len(members), "list_id": self.list_id}

    def _member(self, path: str, method: str, member_hash: str, rest: list[str], body: dict) -> tuple[int, dict]:
        member = self.members.get(member_hash)
        if rest == ["tags"] and method == "POST":
            if member is None:
                return _problem(404, "Resource Not Found", "The requested resource could not be found.", path)
            for tag in body.get("tags", []):
                names = [name for name in member["tags"] if name != tag["name"]]
                member["tags"] = names + ([tag["name"]] if tag.get("status") == "active" else [])
            return 204, None
        if rest or method not in ("PUT", "PATCH"):
            return _problem(405, "Method Not Allowed", "The requested method and resource are not compatible.", path)
        if method == "PATCH":
            if member is None:
                return _problem(404, "Resource Not Found", "The requested resource could not be found.", path)
            return self._set_status(member, body.get("status"), path)
        email = body.get("email_address", "")
        if _hash(email) != member_hash:
            return _problem(400, "Invalid Resource", "The resource submitted could not be validated.", path)
        if email.lower().startswith("test@"):
            return _problem(400, "Invalid Resource", f"{email} looks fake or invalid, please enter a real email "
                            "address.", path)
        if member is None:
            if body.get("status", body.get("status_if_new")) is None:
                return _problem(400, "Invalid Resource", "The resource submitted could not be validated. "
                                "status_if_new is required.", path)
            member = self.add_member(email, body.get("status", body["status_if_new"]))
        elif "status" in body:
            answer = self._set_status(member, body["status"], path)
            if answer[0] != 200:
                return answer
        member["merge_fields"].update(body.get("merge_fields") or {})
        return 200, member

    def _set_status(self, member: dict, status: str | None, path: str) -> tuple[int, dict]:
        if status == "subscribed" and member["status"] in ("unsubscribed", "cleaned"):
            return _problem(400, "Member In Compliance State",
                            f"{member['email_address']} is already a list member in compliance state due to "
                            "unsubscribe, bounce, or compliance review.", path)
        if status != member["status"]:
            member["status"], member["last_changed"] = status, _now()
        return 200, member


def _hash(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()


def _problem(status: int, title: str, detail: str, instance: str) -> tuple[int, dict]:
    return status, {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": title,
                    "status": status, "detail": detail, "instance": instance}
