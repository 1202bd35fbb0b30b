from uuid import UUID

from ninja import Schema
from pydantic import Field

from patron.api.schemas.customers import CustomerIn
from patron.duplicates.models import PairStatus


class DuplicateCheckIn(CustomerIn):
    customer_id: UUID | None = Field(None, description="When changing a customer: its id (left out of the "
                                                       "candidates, as are customers decided not the same).")


class CandidateOut(Schema):
    id: UUID
    account_number: str
    name: str
    score: float = Field(description="0..1; strong at 0.8 or more, possible at 0.6 or more.")
    strength: str = Field(description="strong or possible")
    reasons: str = Field(description="Why, in words (the request's language).")
    reason_codes: list[str]


class DuplicateCheckOut(Schema):
    candidates: list[CandidateOut]


class PairFieldOut(Schema):
    field: str
    label: str
    first: str
    second: str
    differs: bool


class PairCustomerOut(Schema):
    id: UUID
    account_number: str
    name: str
    home_location: str


class DuplicatePairOut(Schema):
    id: int
    score: float
    status: PairStatus
    reasons: str
    reason_codes: list[str]
    first: PairCustomerOut
    second: PairCustomerOut
    merge_url: str
    fields: list[PairFieldOut] | None = Field(None, description="Side by side (GET /duplicates/{id} only).")


class DuplicateQuery(Schema):
    status: PairStatus = PairStatus.OPEN
    location: UUID | None = Field(None, description="Either customer's home location.")
    reason: str = Field("", description="An evidence code, e.g. same_phone.")
