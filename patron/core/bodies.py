"""Request bodies sent without a length: ``Transfer-Encoding: chunked``.

Django reads ``CONTENT_LENGTH`` bytes of a WSGI request's input, so a chunked body (no length)
reads as empty. gunicorn takes the chunks apart and ends the input at the body's end
(``wsgi.input_terminated``), so the body can be read whole, up to a limit, and handed to Django as
a body of known length. A server that does not end the input cannot give the body: the caller
refuses the request with 411 Length Required.
"""

from __future__ import annotations

from tempfile import SpooledTemporaryFile

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest

READ_SIZE = 64 * 1024


class LengthRequired(Exception):
    """A chunked body the server cannot tell the end of."""


def is_chunked(request: HttpRequest) -> bool:
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not request.META.get(
        "CONTENT_LENGTH")


def read_chunked_body(request: HttpRequest, limit: int) -> None:
    """Read a chunked body whole, never more than ``limit`` bytes of it (``RequestDataTooBig`` as
    soon as the limit is passed), and give it to Django as a body of that length. Large bodies wait
    in a temporary file, as Django's own uploads do."""
    if not request.META.get("wsgi.input_terminated"):
        raise LengthRequired("Send the body with a Content-Length.")
    source, size = request.META["wsgi.input"], 0
    # Not closed here: the request reads it after this returns.
    body = SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
    while chunk := source.read(READ_SIZE):
        size += len(chunk)
        if size > limit:
            body.close()
            raise RequestDataTooBig(f"The request body is larger than {limit} bytes.")
        body.write(chunk)
    body.seek(0)
    request.META["CONTENT_LENGTH"] = str(size)
    request._stream = LimitedStream(body, size)  # what Django's WSGIRequest reads the body from
