"""Loyalty points: balance, history and a manager's adjustments."""

from uuid import UUID

from ninja import Schema
from pydantic import Field

from patron.api.schemas.common import InputSchema, Timestamp, WholeNumber, from_record, text
from patron.api.schemas.money import MoneyOut
from patron.loyalty.models import PointsEntry

MAX_ADJUSTMENT = 1_000_000


class PointsAdjustmentIn(InputSchema):
    points: WholeNumber = Field(ge=-MAX_ADJUSTMENT, le=MAX_ADJUSTMENT,
                              description="Whole points, not zero: positive adds, negative takes away.")
    note: text(500) = Field(description="Why (required).")


class PointsEntryOut(Schema):
    """An entry of the points ledger; entries are never changed and the balance never goes below 0."""

    id: UUID
    sequence: int
    kind: str
    points: int
    balance_after: int
    reference: str
    note: str
    posted_at: Timestamp
    posted_by: str

    @classmethod
    def of(cls, entry: PointsEntry) -> "PointsEntryOut":
        return from_record(cls, entry, id=entry.uuid, posted_by=entry.actor_label)


class PointsOut(Schema):
    """The balance, and one page of the history (newest first)."""

    balance: int
    value: MoneyOut = Field(description="What the balance pays at the till.")
    items: list[PointsEntryOut]
    next_cursor: str | None
