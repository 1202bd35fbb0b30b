"""Turn field values into JSON-safe values for audit entries and API bodies."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.db import models


def jsonable(value):
    kind = type(value)
    if kind in _AS_IS:  # most values, checked first: audit entries of a bulk import hold millions
        return value
    if kind is dict:
        return {key if type(key) is str else str(key): item if type(item) in _AS_IS else jsonable(item)
                for key, item in value.items()}
    if kind is list:
        for item in value:  # most lists hold plain items only: copied without a call per item
            if type(item) not in _AS_IS:
                return [item if type(item) in _AS_IS else jsonable(item) for item in value]
        return list(value)
    return _jsonable_other(value)


_AS_IS = frozenset({type(None), bool, int, str})


def _jsonable_other(value):
    if value is None or isinstance(value, (bool, int, str)):  # subclasses, e.g. a model's text choice
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(item) for item in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return str(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict:
    """The JSON-safe values of some fields of a model instance (foreign keys by their text)."""
    return {name: jsonable(getattr(instance, name)) for name in fields}


def changed_fields(before: dict, after: dict) -> dict[str, list]:
    """{field: [old, new]} for every field whose value differs between two snapshots."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }
