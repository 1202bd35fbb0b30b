"""Building blocks shared by every schema."""

from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, ModelWrapValidatorHandler, StringConstraints, model_validator

from patron.api.errors import NUL_PATTERN


def text(max_length: int) -> Any:
    """A string of at most ``max_length`` characters without NUL (PostgreSQL cannot store it)."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NUL_PATTERN)]


# Every timestamp the API returns: RFC 3339 in UTC ("2026-11-23T09:30:00Z").
Timestamp = Annotated[datetime, AfterValidator(lambda value: value.astimezone(UTC))]


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
