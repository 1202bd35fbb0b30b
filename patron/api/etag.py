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
from pydantic import WithJsonSchema

from patron.api.errors import ApiProblem

# One strong ETag as GET gives it ("3"), or "*"; spaces and tabs around it are allowed (RFC 9110 OWS).
IF_MATCH_PATTERN = r'^[ \t]*(\*|"[0-9]{1,10}")[ \t]*$'
_IF_MATCH = re.compile(IF_MATCH_PATTERN)

# The pattern is documented, not validated by ninja: a header that breaks it is 400 invalid-if-match
# (below), as docs/api.md says, not a 422 about a parameter. PATCH and DELETE mark it required in
# the document (openapi.py); without it they answer 428.
IfMatch = Annotated[str, WithJsonSchema({"type": "string", "pattern": IF_MATCH_PATTERN}), Header(
    None, alias="If-Match",
    description='The ETag last read, e.g. "3", or *. Required by PATCH and DELETE (428 without, 412 when stale).',
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
    match = _IF_MATCH.fullmatch(if_match)
    if match is None:
        raise ApiProblem("invalid-if-match", 'If-Match must be one ETag as received, e.g. "3", or *.')
    tag = match.group(1)
    return None if tag == "*" else int(tag.strip('"'))
