"""Cross-cutting HTTP middleware: request ids for the audit trail, and the security headers."""

from __future__ import annotations

import re
import secrets

from patron.core.context import request_context
from patron.core.proxies import client_address

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Give every request an id (taken from X-Request-ID when sane, so a proxy's id follows the
    request into Patron's log and audit trail) and remember the client (see core.proxies)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
        request.client_address = client_address(request)
        with request_context(request.request_id, request.client_address, request):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class ContentSecurityPolicyMiddleware:
    """Scripts only from our own static files: no inline script can run, even if one slipped
    into a page. Styles may be inline (htmx and Swagger UI set them)."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
        "form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.POLICY)
        return response
