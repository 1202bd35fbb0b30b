"""Optimistic concurrency over HTTP: ``ETag`` out, ``If-Match`` in.

A record's ETag is its ``version`` as a strong entity tag (``"7"``). Writes that change or delete
a versioned record need ``If-Match`` with the tag the client last saw; the action compares it with
the stored version under a row lock and raises ``StaleVersion`` (412) when someone else was first.
``If-Match: *`` means "whatever the current version is" and skips the comparison.
"""

from __future__ import annotations

import re
from typing import Annotated

from ninja import Header

from patron.api.errors import ApiProblem

_STRONG_TAG = re.compile(r'\s*"(\d{1,10})"\s*')

IfMatch = Annotated[str | None, Header(
    None, alias="If-Match", max_length=100,
    description='The ETag last read, e.g. "3". Required by PATCH and DELETE (428 without, 412 when stale).',
)]


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None, *, required: bool = True) -> int | None:
    """The version the client expects, from its If-Match header; None means "do not compare"."""
    if if_match is None:
        if required:
            raise ApiProblem("precondition-required",
                             "Send If-Match with the ETag you last read, so changes made since are not lost.")
        return None
    if if_match.strip() == "*":
        return None
    match = _STRONG_TAG.fullmatch(if_match)
    if match is None:
        raise ApiProblem("invalid-if-match", 'If-Match must be one ETag as received, e.g. "3".')
    return int(match.group(1))
