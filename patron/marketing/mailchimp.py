"""A thin client for the six Mailchimp Marketing API v3 endpoints the newsletter sync uses.

- Base URL ``https://<dc>.api.mailchimp.com/3.0``, ``<dc>`` being the API key's suffix after the
  last ``-`` (e.g. ``us21``); ``PATRON_MAILCHIMP_BASE_URL`` overrides it (tests, proxies).
- HTTP Basic authentication with any user name and the API key as the password. The key is held
  by the client alone: it is never part of a URL, a message, a log line or the audit trail.
- Errors come back as problem documents (``title``, ``status``, ``detail``); they become
  ``MailchimpError``. 429 (rate limited) waits ``Retry-After`` seconds and tries again, 5xx and
  network failures back off exponentially; both give up after ``max_attempts``.

Standard library only (urllib): the sync needs no more, and nothing else is installed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext

from patron.core.errors import Refused

PAGE_SIZE = 500  # members per page when reading lists (Mailchimp allows up to 1000)


class MailchimpError(Exception):
    """An answer other than success, or no answer at all. ``status`` is 0 without an answer."""

    def __init__(self, status: int, title: str, detail: str = ""):
        super().__init__(f"Mailchimp answered {status} {title}: {detail}".strip().rstrip(":") if status
                         else f"Mailchimp could not be reached: {detail}")
        self.status, self.title, self.detail = status, title, detail

    @property
    def is_compliance_state(self) -> bool:
        """Mailchimp refuses to subscribe an address that unsubscribed (or bounced) by itself."""
        return self.status == 400 and "compliance" in self.title.lower()


@dataclass(frozen=True)
class MailchimpConfig:
    api_key: str = field(repr=False)
    list_id: str
    base_url: str


def subscriber_hash(email: str) -> str:
    """Mailchimp's id of a list member: the MD5 of the lower-cased address."""
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()


def base_url_for(api_key: str) -> str:
    _, dash, data_centre = api_key.rpartition("-")
    if not dash or not data_centre.isalnum():
        raise Refused(gettext("The Mailchimp API key ends in its data centre, e.g. ...-us21."),
            code="mailchimp-key-invalid")
    return f"https://{data_centre}.api.mailchimp.com/3.0"


def _setting(name: str) -> str:
    return (getattr(settings, name, None) or os.environ.get(name, "")).strip()


def mailchimp_config() -> MailchimpConfig:
    """The connection from the settings or environment: PATRON_MAILCHIMP_API_KEY,
    PATRON_MAILCHIMP_LIST_ID and, optionally, PATRON_MAILCHIMP_BASE_URL."""
    api_key, list_id = _setting("PATRON_MAILCHIMP_API_KEY"), _setting("PATRON_MAILCHIMP_LIST_ID")
    if not api_key or not list_id:
        raise Refused(gettext("The newsletter is not connected: set PATRON_MAILCHIMP_API_KEY and "
                              "PATRON_MAILCHIMP_LIST_ID."),
                      code="newsletter-not-configured")
    base_url = _setting("PATRON_MAILCHIMP_BASE_URL") or base_url_for(api_key)
    return MailchimpConfig(api_key=api_key, list_id=list_id, base_url=base_url.rstrip("/"))


class MailchimpClient:
    def __init__(self, config: MailchimpConfig, *, max_attempts: int = 5, max_wait: float = 60.0,
                 backoff: float = 1.0, timeout: float = 30.0):
        self.config = config
        self.max_attempts, self.max_wait, self.backoff, self.timeout = max_attempts, max_wait, backoff, timeout
        self._authorization = "Basic " + base64.b64encode(f"patron:{config.api_key}".encode()).decode()
        self.waited = 0.0  # seconds spent waiting on rate limits and back-off (reported by the sync)

    def __repr__(self):
        return f"MailchimpClient({self.config.base_url}, list {self.config.list_id})"

    # --- the endpoints ---

    def member_path(self, email: str) -> str:
        return f"/lists/{self.config.list_id}/members/{subscriber_hash(email)}"

    def audience(self) -> dict:
        """GET the list itself: its name and member count (404 when the list id is wrong)."""
        return self.request("GET", f"/lists/{self.config.list_id}", query={"fields": "id,name,stats.member_count"})

    def upsert_member(self, email: str, body: dict) -> dict:
        """PUT: create the member or change the fields given (status only when ``status`` is)."""
        return self.request("PUT", self.member_path(email), {"email_address": email, **body},
                            query={"skip_merge_validation": "true"})

    def set_status(self, email: str, status: str) -> dict:
        """PATCH an existing member's status (404 when the address is not on the list)."""
        return self.request("PATCH", self.member_path(email), {"status": status})

    def add_tags(self, email: str, names: list[str]) -> None:
        self.request("POST", self.member_path(email) + "/tags",
                     {"tags": [{"name": name, "status": "active"} for name in names]})

    def members(self, status: str, since_last_changed: str | None = None) -> Iterator[dict]:
        """Every member with ``status`` changed since the time given, page by page (count/offset)."""
        offset = 0
        while True:
            query = {"status": status, "count": str(PAGE_SIZE), "offset": str(offset),
                     "fields": "members.email_address,members.status,members.last_changed,"
                               "members.unsubscribe_reason,total_items"}
            if since_last_changed:
                query["since_last_changed"] = since_last_changed
            page = self.request("GET", f"/lists/{self.config.list_id}/members", query=query)
            members = page.get("members") or []
            yield from members
            offset += len(members)
            if not members or offset >= int(page.get("total_items") or 0):
                return

    # --- one request, with retries ---

    def request(self, method: str, path: str, body: dict | None = None, *, query: dict | None = None) -> dict:
        url = self.config.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._send(method, url, data)
            except MailchimpError as error:
                wait = self._wait_before_retry(error, attempt)
                if wait is None:
                    raise
                self.waited += wait
                time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, data: bytes | None) -> dict:
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": self._authorization, "Accept": "application/json",
            **({"Content-Type": "application/json"} if data is not None else {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                return json.loads(raw) if raw else {}
        except urllib.error.HTTPError as answer:
            error = _error_of(answer)
            error.retry_after = answer.headers.get("Retry-After")
            raise error from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as failure:
            reason = getattr(failure, "reason", failure)
            raise MailchimpError(0, "", str(reason)) from None

    def _wait_before_retry(self, error: MailchimpError, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None to give up."""
        if attempt >= self.max_attempts:
            return None
        if error.status == 429:
            try:
                wait = float(getattr(error, "retry_after", None) or self.backoff * 2 ** (attempt - 1))
            except ValueError:
                wait = self.backoff * 2 ** (attempt - 1)
            return min(max(wait, 0.0), self.max_wait)
        if error.status == 0 or error.status >= 500:
            return min(self.backoff * 2 ** (attempt - 1), self.max_wait)
        return None


def _error_of(answer: urllib.error.HTTPError) -> MailchimpError:
    try:
        problem = json.loads(answer.read() or b"{}")
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    return MailchimpError(answer.code, str(problem.get("title") or answer.reason or ""),
                          str(problem.get("detail") or "")[:300])
