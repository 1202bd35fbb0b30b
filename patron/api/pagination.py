"""Cursor pagination for every list: ``?limit=&cursor=`` in, ``{"items", "next_cursor"}`` out.

A page ends at a row; the cursor holds that row's values of the list's ordering (whose last field
is unique) and the next page continues strictly after them (keyset pagination). Rows inserted or
deleted meanwhile therefore never make a row that existed throughout appear twice or not at all.
Cursors are signed, so a tampered one is refused (400) rather than trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from ninja import Schema
from pydantic import Field, create_model

from patron.api.errors import ApiProblem
from patron.api.responses import respond
from patron.core.jsonable import jsonable

_SALT = "patron.api.cursor"


class PageParams(Schema):
    limit: int = Field(settings.PATRON_API_PAGE_SIZE, ge=1, le=settings.PATRON_API_MAX_PAGE_SIZE,
                       description="How many items to return.")
    cursor: str | None = Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_\-:.]+$",
                               description="The next_cursor of the previous page; omit for the first page.")


@cache
def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of a list of ``item`` (``CustomerOut`` -> ``CustomerPage``)."""
    return create_model(f"{item.__name__.removesuffix('Out')}Page", __base__=Schema,
                        items=(list[item], ...), next_cursor=(str | None, ...))


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def paginated_response(queryset: QuerySet, params: PageParams, *, ordering: tuple[str, ...],
                       item: type[Schema]) -> HttpResponse:
    """A page of ``queryset`` rendered with ``item.of(row)`` for each row."""
    page = paginate(queryset, params, ordering=ordering)
    return respond(page_of(item)(items=[item.of(row) for row in page.items], next_cursor=page.next_cursor))


def paginate(queryset: QuerySet, params: PageParams, *, ordering: tuple[str, ...]) -> Page:
    """One page of ``queryset`` in ``ordering``, after the row the cursor names."""
    queryset = queryset.order_by(*ordering)
    if params.cursor:
        queryset = queryset.filter(_after(ordering, _decode(params.cursor, queryset.model, ordering)))
    rows = list(queryset[: params.limit + 1])
    if len(rows) <= params.limit:
        return Page(rows, None)
    rows = rows[: params.limit]
    return Page(rows, _encode(rows[-1], ordering))


def _names(ordering: tuple[str, ...]) -> list[str]:
    return [field.lstrip("-") for field in ordering]


def _encode(row, ordering: tuple[str, ...]) -> str:
    values = [jsonable(getattr(row, name)) for name in _names(ordering)]
    return signing.dumps({"o": list(ordering), "v": values}, salt=_SALT)


def _decode(cursor: str, model, ordering: tuple[str, ...]) -> list:
    try:
        payload = signing.loads(cursor, salt=_SALT)
        if payload["o"] != list(ordering) or len(payload["v"]) != len(ordering):
            raise ValueError("cursor of another list")
        return [model._meta.get_field(name).to_python(value)
                for name, value in zip(_names(ordering), payload["v"], strict=True)]
    except (signing.BadSignature, ValueError, TypeError, KeyError, ValidationError, FieldDoesNotExist):
        raise _invalid_cursor() from None


def _invalid_cursor() -> ApiProblem:
    return ApiProblem("invalid-cursor", "This cursor is not one this list gave out; start again without it.")


def _after(ordering: tuple[str, ...], values: list) -> Q:
    """Rows strictly after ``values`` in ``ordering``: (a > x) or (a = x and b > y) or ..."""
    after, equal_so_far = Q(), Q()
    for field, value in zip(ordering, values, strict=True):
        name = field.lstrip("-")
        after |= equal_so_far & Q(**{f"{name}__{'lt' if field.startswith('-') else 'gt'}": value})
        equal_so_far &= Q(**{name: value})
    return after


def paginate_rows(rows: list, params: PageParams, *, key: Callable[[Any], tuple], name: str) -> Page:
    """One page of ``rows`` computed in Python rather than queried (e.g. the overdue accounts),
    in the order of ``key``: a unique tuple of ints and strings. The cursor holds the last row's
    key under the list's ``name``, signed like the cursors of queried lists."""
    rows = sorted(rows, key=key)
    if params.cursor:
        last = _decoded_key(params.cursor, name)
        rows = [row for row in rows if key(row) > last]
    if len(rows) <= params.limit:
        return Page(rows, None)
    rows = rows[: params.limit]
    return Page(rows, signing.dumps({"o": [name], "v": list(key(rows[-1]))}, salt=_SALT))


def _decoded_key(cursor: str, name: str) -> tuple:
    try:
        payload = signing.loads(cursor, salt=_SALT)
        if payload["o"] != [name]:
            raise ValueError("cursor of another list")
        return tuple(payload["v"])
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        raise _invalid_cursor() from None
