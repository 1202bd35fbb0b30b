"""jsonable: field values as JSON-safe values (audit entries, API bodies)."""

import datetime
import json
import uuid
from decimal import Decimal

from patron.core.jsonable import changed_fields, jsonable


def test_every_kind_of_value_becomes_json_safe_at_any_depth():
    value = {"plain": [1, "x", None, True], "amount": Decimal("1.50"), 3: {2, 1},
             "nested": {"day": datetime.date(2020, 1, 2), "pair": (1, Decimal("2"))},
             "id": uuid.UUID(int=5), "at": datetime.datetime(2020, 1, 1, 12, 30)}
    assert jsonable(value) == {
        "plain": [1, "x", None, True], "amount": "1.50", "3": [1, 2],
        "nested": {"day": "2020-01-02", "pair": [1, "2"]},
        "id": "00000000-0000-0000-0000-000000000005", "at": "2020-01-01T12:30:00"}
    json.dumps(jsonable(value))


def test_changed_fields_names_only_what_differs():
    assert changed_fields({"a": 1, "b": "x"}, {"a": 1, "b": "y", "c": None}) == {"b": ["x", "y"]}
