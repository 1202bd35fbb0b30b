"""Building blocks shared by every schema."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    ModelWrapValidatorHandler,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from patron.api.errors import NUL_PATTERN


def text(max_length: int) -> Any:
    """A string of at most ``max_length`` characters without NUL (PostgreSQL cannot store it)."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NUL_PATTERN)]


# Every timestamp the API returns: RFC 3339 in UTC ("2026-11-23T09:30:00Z").
Timestamp = Annotated[datetime, AfterValidator(lambda value: value.astimezone(UTC))]

# What a client sends as a day or a moment must be written as RFC 3339 says (the schema's "format"):
# pydantic alone also takes Unix seconds (0 is 1970-01-01), a date-time for a date, and a space
# for the "T". The patterns check the form; pydantic then checks the calendar (no 2026-02-30).
# [0-9], not \d: Python's \d also matches other scripts' digits.
FULL_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATE_TIME_PATTERN = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                     r"([Zz]|[+-][0-9]{2}:[0-9]{2})$")


def _written_as(pattern: str, kind: type, error: str, example: str):
    form = re.compile(pattern)

    def check(value: Any) -> Any:
        if type(value) is kind or (isinstance(value, str) and form.fullmatch(value)):
            return value
        raise PydanticCustomError(error, "Write it as {example} (RFC 3339).", {"example": example})

    return BeforeValidator(check)


# A day a client sends (a query's start and end, a birth date): "2026-11-23" and nothing else.
FullDate = Annotated[date, _written_as(FULL_DATE_PATTERN, date, "full_date", "2026-11-23"),
                     WithJsonSchema({"type": "string", "format": "date", "pattern": FULL_DATE_PATTERN})]
# A moment a client sends: a date-time with its offset, "2026-11-23T09:30:00+01:00" or "...Z".
DateTime = Annotated[AwareDatetime, _written_as(DATE_TIME_PATTERN, datetime, "date_time", "2026-11-23T09:30:00Z"),
                     WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN})]


# A whole number in a body: JSON Schema's "integer" counts 5.0 as 5, so it is taken as 5; 5.5, "5"
# and true are not numbers of this kind (pydantic's lax int would take "5" and true).
WholeNumber = Annotated[StrictInt, BeforeValidator(
    lambda value: int(value) if isinstance(value, float) and value.is_integer() else value)]


class Record(Schema):
    """An output part built from keyword values, for answers read many times a second (the
    lookup and the change feed).

    Ninja's Schema wraps any input in a DjangoGetter, which reads each field through several
    layers of Python, and so validates a part already built (a customer of a page) once more: for
    a page of 20 customers that costs more than the lookup itself. Values given as keywords (a
    dict) are validated as they are, and a part already built is taken as it is."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler, info) -> Any:
        if isinstance(values, dict | cls):
            return handler(values)
        return Schema._run_root_validator.__func__(cls, values, handler, info)


OutputSchema = TypeVar("OutputSchema", bound=Schema)


def from_record(schema: type[OutputSchema], record, **computed) -> OutputSchema:
    """``schema`` filled from the record's attributes of the same names, and the ``computed`` values."""
    copied = {name: getattr(record, name) for name in schema.model_fields if name not in computed}
    return schema(**copied, **computed)


class InputSchema(Schema):
    """A request body. Unknown fields are refused (422): this is also what keeps read-only and
    privileged fields (id, version, status, created_at, ...) from being set by a client."""

    model_config = ConfigDict(extra="forbid")


class Reference(Schema):
    """Another record, by its public id and name."""

    id: UUID
    name: str

    @classmethod
    def of(cls, record) -> "Reference":
        return cls(id=record.uuid, name=record.name)


class ProblemFieldError(Schema):
    pointer: str | None = None  # JSON pointer into the request body ("" is the whole body)
    parameter: str | None = None  # or the query, path or header parameter at fault
    detail: str


class Problem(Schema):
    """RFC 9457 problem details; ``type`` is https://patron.example/problems/<code>."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemFieldError] | None = None
