"""Every error the API returns is a problem document (RFC 9457, ``application/problem+json``).

Domain errors (``patron.core.errors``) bring their own status, code and field names; refusals at
the HTTP edge (headers, media types, cursors, idempotency keys) are ``ApiProblem``. Both are
rendered here, once, and so are ninja's validation errors, failed authentication, unknown routes
and unexpected exceptions (a generic 500 that never shows a traceback, SQL or a path).

A problem's ``type`` is ``PROBLEM_BASE`` + its ``code``; docs/api.md lists the codes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import contextmanager

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from patron.core.errors import DomainError

PROBLEM_BASE = "https://patron.example/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
NUL_PATTERN = r"^[^\x00]*$"
# The details of a request the schema refuses (ninja's validation), which no business rule uses.
REQUEST_INVALID = "Some values are invalid; see errors."
REQUEST_WITHOUT_BODY = "A JSON body is required."

logger = logging.getLogger("patron.api")

# Problems raised at the HTTP edge: code -> (status, title).
EDGE_PROBLEMS: dict[str, tuple[int, str]] = {
    "bad-request": (400, "Bad request"),
    "invalid-json": (400, "Malformed JSON body"),
    "invalid-cursor": (400, "Invalid cursor"),
    "invalid-if-match": (400, "Invalid If-Match header"),
    "invalid-idempotency-key": (400, "Invalid Idempotency-Key header"),
    "idempotency-key-required": (400, "Idempotency-Key header required"),
    "unauthenticated": (401, "Authentication required"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "idempotency-request-in-flight": (409, "A request with this Idempotency-Key is still running"),
    "length-required": (411, "Length required"),
    "request-too-large": (413, "Request body too large"),
    "uri-too-long": (414, "Request line too long"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "validation-failed": (422, "Invalid input"),
    "idempotency-key-reused": (422, "Idempotency-Key reused for another request"),
    "expectation-failed": (417, "Expectation failed"),
    "precondition-required": (428, "If-Match header required"),
    "rate-limited": (429, "Too many requests"),
    "request-headers-too-large": (431, "Request header fields too large"),
    "internal-error": (500, "Internal server error"),
    "unsupported-transfer-encoding": (501, "Transfer-Encoding not supported"),
    "mail-unavailable": (503, "The mail server is unavailable"),
    "busy": (503, "Too busy to answer now"),
}


class ApiProblem(Exception):
    """A refusal at the HTTP edge, named by one of the ``EDGE_PROBLEMS`` codes."""

    def __init__(self, code: str, detail: str, *, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.title = EDGE_PROBLEMS[code]
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem_body(*, status: int, code: str, title: str, detail: str, errors: list[dict] | None = None,
                 extra: dict | None = None) -> bytes:
    """The problem document's bytes: the one shape of every error, Django's answers and the server's own.
    ``extra`` adds members of the problem type (RFC 9457 extensions, e.g. a duplicate's candidates)."""
    body = {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    body.update({name: value for name, value in (extra or {}).items() if name not in body})
    return json.dumps(body, ensure_ascii=False).encode()


def problem_response(*, status: int, code: str, title: str, detail: str, errors: list[dict] | None = None,
                     headers: dict[str, str] | None = None, extra: dict | None = None) -> HttpResponse:
    response = HttpResponse(problem_body(status=status, code=code, title=title, detail=detail, errors=errors,
                                         extra=extra),
                            status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def render_problem(problem: ApiProblem) -> HttpResponse:
    return problem_response(status=problem.status, code=problem.code, title=problem.title,
                            detail=problem.detail, errors=problem.errors, headers=problem.headers)


def render_domain_error(error: DomainError) -> HttpResponse:
    return problem_response(status=error.status, code=error.code, title=error.title, detail=error.message,
                            errors=field_errors(error.errors), extra=error.extra)


def json_pointer(parts) -> str:
    """RFC 6901 pointer to a place in the request body: ("phones", 0, "number") -> /phones/0/number."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def field_errors(errors: dict[str, list[str]]) -> list[dict]:
    """Domain field errors ({"phones.0.number": [...]}) as problem entries with JSON pointers.
    Errors about the whole request (key "") are already the problem's ``detail``."""
    if not any(errors):
        return []
    return [{"pointer": json_pointer(field.split(".")) if field else "", "detail": message}
            for field, messages in errors.items() for message in messages]


@contextmanager
def fields_renamed(rename: Callable[[str], str]):
    """Point domain field errors at where the fields sit in this request's body (e.g. the new
    person of a representative is under ``person``)."""
    try:
        yield
    except DomainError as error:
        error.errors = {rename(field) if field else "": messages for field, messages in error.errors.items()}
        raise


def _validation_entry(error: dict) -> dict:
    source, *location = error["loc"]
    detail = _validation_message(error)
    if source == "body":
        return {"pointer": json_pointer(location[1:]), "detail": detail}  # location[0] is the argument name
    return {"parameter": str(location[0]) if location else source, "detail": detail}


def _validation_message(error: dict) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "Unknown field: it does not exist or cannot be set here."
    if kind == "missing":
        return "This field is required."
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == NUL_PATTERN:
        return "Contains a NUL character, which cannot be stored."
    return error["msg"]


def render_validation_error(error: NinjaValidationError) -> HttpResponse:
    entries = [_validation_entry(item) for item in error.errors]
    missing_body = any(item["type"] == "missing" and item["loc"][0] == "body" and len(item["loc"]) == 2
                       for item in error.errors)
    detail = REQUEST_WITHOUT_BODY if missing_body else REQUEST_INVALID
    status, title = EDGE_PROBLEMS["validation-failed"]
    return problem_response(status=status, code="validation-failed", title=title, detail=detail,
                            errors=entries)


def unauthenticated(request: HttpRequest) -> HttpResponse:
    challenge = 'Bearer realm="patron"'
    if "Authorization" in request.headers:
        challenge += ', error="invalid_token"'
    return render_problem(ApiProblem(
        "unauthenticated", "Send a valid, unrevoked API token as “Authorization: Bearer <token>”.",
        headers={"WWW-Authenticate": challenge},
    ))


def not_found(detail: str = "There is nothing at this address.") -> HttpResponse:
    return render_problem(ApiProblem("not-found", detail))


def method_not_allowed(allowed: str) -> HttpResponse:
    return render_problem(ApiProblem("method-not-allowed", f"Use one of: {allowed}.",
                                     headers={"Allow": allowed}))


def unexpected_error(request: HttpRequest, error: Exception) -> HttpResponse:
    request_id = getattr(request, "request_id", "")
    logger.error("Unhandled error in %s %s (request %s)", request.method, request.path, request_id,
                 exc_info=error)
    return render_problem(ApiProblem(
        "internal-error", f"Something went wrong on our side. It was logged under request id {request_id}."))


def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    # ninja wraps whatever the body parser raises in HttpError(400); keep our own problem.
    if isinstance(error.__cause__, ApiProblem):
        return render_problem(error.__cause__)
    code = {400: "bad-request", 404: "not-found", 405: "method-not-allowed"}.get(error.status_code)
    if code is None:
        return unexpected_error(request, error)
    return render_problem(ApiProblem(code, str(error)))


def _malformed_body(request: HttpRequest, error: Exception) -> HttpResponse:
    if isinstance(error, TooManyFieldsSent):
        detail = "The body has more fields than this server accepts."
    elif isinstance(error, TooManyFilesSent):
        detail = "The body has more files than this server accepts."
    else:
        detail = f"The multipart body cannot be read: {error}."
    return render_problem(ApiProblem("bad-request", detail))


def install_error_handlers(api) -> None:
    api.add_exception_handler(DomainError, lambda request, error: render_domain_error(error))
    api.add_exception_handler(ApiProblem, lambda request, error: render_problem(error))
    api.add_exception_handler(NinjaValidationError, lambda request, error: render_validation_error(error))
    api.add_exception_handler(AuthenticationError, lambda request, error: unauthenticated(request))
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, lambda request, error: not_found())
    api.add_exception_handler(RequestDataTooBig, lambda request, error: render_problem(
        ApiProblem("request-too-large", "The request body is larger than this server accepts.")))
    # A form body Django cannot take apart: no boundary, a broken part, too many fields or files.
    for error_class in (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent):
        api.add_exception_handler(error_class, _malformed_body)
    api.add_exception_handler(Exception, unexpected_error)
