"""Completing the OpenAPI document: the problem responses every operation can give.

ninja documents only the success responses an operation declares; clients (and schema-driven
tests) also need the errors, as application/problem+json. Which statuses each method can answer
follows from the rules in docs/api.md, so they are added here in one place.
"""

from __future__ import annotations

from patron.api.errors import EDGE_PROBLEMS
from patron.api.schemas.common import Problem

# 414 and 431 are the server's own (a query string or headers too long), before any operation runs;
# 429 the rate limit's (patron/api/ratelimit.py), also before.
_EVERY_OPERATION = {400, 401, 403, 404, 414, 422, 429, 431, 500}
_BY_METHOD = {
    "get": set(),
    "post": {409, 411, 412, 413, 415},
    "put": {409, 411, 413, 415},
    "patch": {409, 411, 412, 413, 415, 428},
    "delete": {409, 412, 428},
}
# PATCH and DELETE answer 428 without If-Match (docs/api.md), so for them the header is required.
_NEED_IF_MATCH = {method for method, statuses in _BY_METHOD.items() if 428 in statuses}
_TITLES = {400: "Bad request", 401: "Authentication required", 403: "Permission denied", 404: "Not found",
           409: "Conflict with the current state", 411: "Length required", 412: "Stale ETag (the record changed)",
           413: "Request body too large", 414: "Request line too long", 415: "Unsupported media type",
           422: "Invalid input", 428: "If-Match header required", 429: "Too many requests",
           431: "Request header fields too large",
           500: "Internal server error", 503: "Service unavailable"}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

# 405 is declared by the methods a path has; 417 and 501 answer an Expect or a Transfer-Encoding
# that no operation takes (docs/api.md lists them).
assert set(_TITLES) >= {status for status, _ in EDGE_PROBLEMS.values()} - {405, 417, 501}


def add_problem_responses(schema: dict) -> dict:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method in _NEED_IF_MATCH:
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "header" and parameter["name"] == "If-Match":
                        parameter["required"] = True
            responses = _keyed_by_text(operation.setdefault("responses", {}))
            operation["responses"] = responses
            for status in sorted(_EVERY_OPERATION | _BY_METHOD.get(method, set())):
                responses.setdefault(str(status), _problem(status))
    return schema


def _keyed_by_text(responses: dict) -> dict:
    """The responses keyed by the status as text, the way JSON writes it. ninja keys the ones it
    generates by number and ``openapi_extra`` keys them by text, so a status given both ways (the
    photo's 200, described with its image type) would be written twice, a document that JSON and
    YAML parsers refuse (and the interactive docs with them). The explicit description wins, merged
    over what ninja generated."""
    merged: dict[str, dict] = {}
    for status, response in sorted(responses.items(), key=lambda item: isinstance(item[0], str)):
        merged[str(status)] = {**merged.get(str(status), {}), **response}  # text keys come last and win
    return dict(sorted(merged.items()))


def _problem(status: int) -> dict:
    return {"description": _TITLES[status], "content": {"application/problem+json": {"schema": _PROBLEM_REF}}}


def also_answers(*statuses: int) -> dict:
    """``openapi_extra`` of an operation that can also answer these (rarer) problem statuses."""
    return {"responses": {str(status): _problem(status) for status in statuses}}
