"""Reading request bodies: JSON for every JSON endpoint, raw bytes for uploads.

Before any endpoint reads a body, ``check_body`` refuses one over the limit of its media type by
its Content-Length (413, nothing read) and reads a chunked one whole, up to the same limit. The
JSON parser refuses what the standard library would let through: other media types (415),
bodies over the limit (413), NaN and Infinity, and nesting deeper than any real request needs.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja.parser import Parser

from patron.api.errors import ApiProblem
from patron.core.bodies import LengthRequired, is_chunked, read_chunked_body
from patron.customers.photos import photo_too_large

MAX_JSON_DEPTH = 20
# Room for a multipart body's boundaries and part headers around the photo it carries.
MULTIPART_ENVELOPE_BYTES = 64 * 1024


def max_json_bytes() -> int:
    return settings.PATRON_API_MAX_JSON_BYTES


def is_json(content_type: str) -> bool:
    content_type = content_type.lower()
    return content_type == "application/json" or (content_type.startswith("application/")
                                                    and content_type.endswith("+json"))


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _depth(value) -> int:
    """How deeply arrays and objects nest (a scalar is 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in children)
    return deepest


class JsonParser(Parser):
    def parse_body(self, request: HttpRequest):
        if not is_json(request.content_type or ""):
            received = request.content_type or "nothing"
            raise ApiProblem("unsupported-media-type", f"Send the body as application/json, not {received}.")
        charset = request.content_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise ApiProblem("unsupported-media-type", "JSON bodies must be UTF-8.")
        if len(request.body) > max_json_bytes():
            raise ApiProblem("request-too-large", f"JSON bodies may be at most {max_json_bytes()} bytes.")
        try:
            data = json.loads(request.body, parse_constant=_refuse_constant)
        except json.JSONDecodeError as error:
            raise ApiProblem("invalid-json", f"The body is not valid JSON: {error.msg} "
                                             f"(line {error.lineno}, column {error.colno}).") from None
        except (ValueError, RecursionError) as error:
            raise ApiProblem("invalid-json", f"The body is not valid JSON: {error}.") from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise ApiProblem("invalid-json", f"The body nests deeper than {MAX_JSON_DEPTH} levels.")
        return data


def max_upload_bytes() -> int:
    return settings.PATRON_PHOTO_MAX_BYTES  # photos are the only uploads


def is_upload(request: HttpRequest) -> bool:
    return (request.content_type or "").lower().startswith(("multipart/", "image/", "application/octet-stream"))


def max_body_bytes(request: HttpRequest) -> int:
    """The largest body of the request's media type: an upload's (photos are the only ones), as
    multipart with its envelope, else a JSON body's (what no endpoint reads is refused later)."""
    if not is_upload(request):
        return max_json_bytes()
    if (request.content_type or "").lower().startswith("multipart/"):
        return max_upload_bytes() + MULTIPART_ENVELOPE_BYTES
    return max_upload_bytes()


def _too_large(request: HttpRequest, limit: int) -> Exception:
    """An upload is a photo, refused as the photo endpoint itself refuses one (docs/api.md)."""
    if is_upload(request):
        return photo_too_large()
    return ApiProblem("request-too-large", f"The body may be at most {limit} bytes.")


def check_body(request: HttpRequest) -> None:
    """Refuse a body over the limit before reading it, and read a chunked one (up to the limit) so
    the endpoint sees it; without this Django would take a chunked body for an empty one."""
    limit = max_body_bytes(request)
    if is_chunked(request):
        try:
            read_chunked_body(request, limit)
        except LengthRequired:
            raise ApiProblem("length-required", "Send the body with a Content-Length header.") from None
        except RequestDataTooBig:
            raise _too_large(request, limit) from None
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ApiProblem("bad-request", "The Content-Length header is not a number.") from None
    if length > limit:
        raise _too_large(request, limit)


def read_raw_body(request: HttpRequest) -> bytes:
    """The body of an upload, read at most once and never beyond the upload limit (413 above).

    Uploads may be larger than Django's in-memory limit for ``request.body``, so they are read
    from the stream; the bytes are kept on the request for the idempotency fingerprint."""
    if not hasattr(request, "_patron_raw_body"):
        limit = max_upload_bytes()
        data = request.read(limit + 1)
        if len(data) > limit:
            raise photo_too_large()  # the body is the photo, and docs/api.md names the refusal so
        request._patron_raw_body = data
    return request._patron_raw_body
