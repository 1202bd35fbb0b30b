"""Marketing consent and segments."""

from datetime import date
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field, StrictBool

from patron.api.schemas.common import DateTime, FullDate, InputSchema, Timestamp, from_record, text
from patron.api.schemas.money import AmountOrZero, MoneyOut, money
from patron.marketing.actions import describe_segment
from patron.marketing.models import ConsentEvent, Segment

Channel = Literal["email", "sms"]
Source = Literal["pos", "webshop", "import", "back_office", "newsletter"]
ConsentWanted = Literal["", "granted", "not_granted"]


class ConsentIn(InputSchema):
    channel: Channel
    granted: StrictBool = Field(description="true: the customer agrees; false: the customer withdraws.")
    source: Source = Field(description="Where the customer said so.")
    proof: text(500) = Field("", description="E.g. the double opt-in token, the IP address, the form.")
    occurred_at: DateTime | None = Field(None, description="When the customer said so (default: now); "
                                                                "an answer older than the current one is ignored.")


class ConsentEventOut(Schema):
    """One change of consent; never changed afterwards."""

    id: UUID
    channel: str
    granted: bool
    source: str
    proof: str
    recorded_by: str
    occurred_at: Timestamp
    recorded_at: Timestamp

    @classmethod
    def of(cls, event: ConsentEvent) -> "ConsentEventOut":
        return from_record(cls, event, id=event.uuid, recorded_by=event.actor_label)


class ConsentOut(Schema):
    """The current state per channel (null: never asked) and the whole history, newest first."""

    email: ConsentEventOut | None
    sms: ConsentEventOut | None
    history: list[ConsentEventOut]


class SegmentFields(InputSchema):
    """A segment's criteria, as PATCH changes them: those left out stay as they are. Fields that
    cannot be emptied are not nullable (null is refused); a bound or a place given as null is
    removed."""

    name: text(80) = Field(None, min_length=1)
    description: text(500) = None
    statuses: list[Literal["prospect", "active", "credit_hold", "inactive", "deleted"]] = Field(
        None, description="Customer statuses kept; empty keeps every status.")
    tags: list[text(50)] = Field(None, description="Tag names: customers with any of them.")
    home_location_id: UUID | None = Field(None, description="Customers homed at this location or beneath it.")
    location_group_id: UUID | None = None
    min_total_spend: AmountOrZero | None = None
    max_total_spend: AmountOrZero | None = None
    last_purchase_after: FullDate | None = Field(None, description="Last purchase on or after this day.")
    last_purchase_before: FullDate | None = Field(None, description="Last purchase on or before this day.")
    email_consent: ConsentWanted | None = Field(None, description="granted, not_granted, or \"\" for any.")
    sms_consent: ConsentWanted | None = None
    newsletter_tag: text(100) = Field(None, description="Tag given on the newsletter platform "
                                                        "(default: the segment's name).")


class SegmentIn(SegmentFields):
    """A new segment: a name, and any criteria."""

    name: text(80) = Field(min_length=1)


class SegmentOut(Schema):
    id: UUID
    name: str
    description: str
    statuses: list[str]
    tags: list[str]
    home_location: str | None = Field(description="The location's code.")
    location_group: str | None = Field(description="The group's name.")
    min_total_spend: MoneyOut | None
    max_total_spend: MoneyOut | None
    last_purchase_after: date | None
    last_purchase_before: date | None
    email_consent: str
    sms_consent: str
    newsletter_tag: str
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, segment: Segment) -> "SegmentOut":
        values = describe_segment(segment)
        for bound in ("min_total_spend", "max_total_spend"):
            values[bound] = None if values[bound] is None else money(values[bound])
        return cls(id=segment.uuid, version=segment.version, created_at=segment.created_at,
                   updated_at=segment.updated_at, **values)


class SegmentMemberOut(Schema):
    id: UUID
    account_number: str
    name: str
    status: str

    @classmethod
    def of(cls, customer) -> "SegmentMemberOut":
        return from_record(cls, customer, id=customer.uuid)

