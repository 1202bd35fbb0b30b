"""Bodies of the lookup and the change feed: a customer as a till needs it."""

from datetime import date
from uuid import UUID

from ninja import Schema
from pydantic import Field

from patron.api.schemas.common import Timestamp, from_record, text
from patron.api.schemas.customers import EmailOut, PhoneOut, photo_url
from patron.customers.models import Customer
from patron.lookup.engine import QUERY_MAX
from patron.lookup.queries import LIMIT_MAX


class TillCustomer(Schema):
    """What a till shows, selects and looks up offline."""

    id: UUID
    kind: str
    account_number: str
    name: str
    first_name: str
    last_name: str
    sort_name: str
    status: str
    birth_date: date | None
    tax_id: str
    is_tax_exempt: bool
    price_level: str
    default_discount: str
    always_formal_invoice: bool
    phones: list[PhoneOut]
    emails: list[EmailOut]
    photo_url: str | None
    photo_version: int
    version: int
    updated_at: Timestamp

    @classmethod
    def of(cls, customer: Customer) -> "TillCustomer":
        return from_record(
            cls, customer, id=customer.uuid, price_level=customer.price_level.code,
            default_discount=f"{customer.default_discount:.2f}",
            phones=[from_record(PhoneOut, phone) for phone in customer.phones.all()],
            emails=[from_record(EmailOut, email) for email in customer.emails.all()],
            photo_url=photo_url(customer),
        )


class LookupQuery(Schema):
    q: text(QUERY_MAX) = Field(..., min_length=1, description="Name, phone, e-mail, account number or tax ID.")
    limit: int = Field(20, ge=1, le=LIMIT_MAX)
    scope: str = Field("till", pattern="^(till|all)$",
                       description="till: customers this token's store may serve; all: every customer.")


class LookupResult(Schema):
    customer: TillCustomer
    matched_on: str = Field(description="What matched: account number, phone, e-mail, tax ID, name, ...")
    rank: int = Field(description="0 exact identifier, 1 whole name words, 2 starts, 3 parts, 4 similar.")


class LookupPage(Schema):
    items: list[LookupResult]


class ChangesQuery(Schema):
    after: text(300) | None = Field(None, description="The next_cursor of the previous page; omit to start.")
    limit: int = Field(500, ge=1, le=1000)


class Change(Schema):
    op: str = Field(description="upsert: store or replace the customer; remove: forget it.")
    id: UUID
    customer: TillCustomer | None


class ChangesPage(Schema):
    items: list[Change]
    next_cursor: str
    has_more: bool
