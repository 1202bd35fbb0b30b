"""Building successful responses.

Operations return complete ``HttpResponse`` objects made here rather than letting ninja render
them, so that headers (ETag, Location) travel with the body and the idempotency layer can store
exactly the bytes the client received.
"""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Schema

from patron.api.etag import etag

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def respond(body: Schema, *, status: int = 200, version: int | None = None,
            location: str | None = None) -> HttpResponse:
    response = HttpResponse(body.model_dump_json(), status=status, content_type=JSON_CONTENT_TYPE)
    if version is not None:
        response["ETag"] = etag(version)
    if location is not None:
        response["Location"] = location
    return response


def no_content() -> HttpResponse:
    return HttpResponse(status=204)
