from datetime import date
from typing import Annotated, Any
from uuid import UUID

from django.urls import reverse
from ninja import Schema
from pydantic import Field, StrictBool, StringConstraints

from patron.api.schemas.addresses import AddressIn, AddressOut
from patron.api.schemas.common import FullDate, InputSchema, Record, Reference, Timestamp, from_record, text
from patron.api.schemas.money import MoneyOut, money
from patron.customers.cleaning import (
    MAX_LIST_ITEMS,
    NAME_MAX,
    NAME_PREFIX_MAX,
    NOTES_MAX,
    PERSON_NAME_MAX,
    TAG_MAX,
)
from patron.customers.custom_fields import TEXT_MAX as CUSTOM_TEXT_MAX
from patron.customers.models import (
    Customer,
    CustomerKind,
    CustomerStatus,
    EmailKind,
    PhoneKind,
    Representation,
)
from patron.customers.queries import SORTS
from patron.lookup.engine import QUERY_MAX

Percent = Annotated[str, StringConstraints(pattern=r"^\d{1,3}(\.\d{1,2})?$")]
CustomFieldValue = text(CUSTOM_TEXT_MAX) | StrictBool | None


class PhoneIn(InputSchema):
    kind: PhoneKind = PhoneKind.MOBILE
    number: text(40)


class EmailIn(InputSchema):
    kind: EmailKind = EmailKind.PERSONAL
    address: text(254)


class CustomerFields(InputSchema):
    """What a client may set on a customer. Lists given replace the stored ones."""

    first_name: text(PERSON_NAME_MAX) | None = None
    name_prefix: text(NAME_PREFIX_MAX) | None = Field(
        None, description='Persons: "van der" of Jan van der Berg; part of the name, not of its sort key.')
    last_name: text(PERSON_NAME_MAX) | None = None
    name: text(NAME_MAX) | None = Field(None, description="Companies and placeholders (persons: first/last).")
    account_number: text(30) | None = Field(None, description="Blank on creation: the next of the sequence.")
    birth_date: FullDate | None = None
    tax_id: text(40) | None = None
    tax_id_country: text(60) | None = None
    is_tax_exempt: StrictBool = None
    price_level: text(10) | None = Field(None, description="A price level code, see /price-levels.")
    default_discount: Percent | None = Field(None, description='Percent as a decimal string, e.g. "7.50".')
    is_employee: StrictBool = None
    notes: text(NOTES_MAX) | None = None
    track_sales: StrictBool = None
    always_formal_invoice: StrictBool = None
    home_location: UUID = None
    location_groups: list[UUID] = Field(None, max_length=MAX_LIST_ITEMS)
    tags: list[text(TAG_MAX)] | None = Field(None, max_length=MAX_LIST_ITEMS * 2)
    custom_fields: dict[text(40), CustomFieldValue] | None = Field(
        None, max_length=100,
        description="Values by key (see /custom-fields): numbers as decimal strings, dates YYYY-MM-DD.")
    phones: list[PhoneIn] | None = Field(None, max_length=MAX_LIST_ITEMS)
    emails: list[EmailIn] | None = Field(None, max_length=MAX_LIST_ITEMS)


class CustomerIn(CustomerFields):
    kind: CustomerKind
    status: CustomerStatus | None = Field(None, description="Defaults to the shop's initial status.")
    addresses: list[AddressIn] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)


class CustomerPatch(CustomerFields):
    pass


class CustomerQuery(Schema):
    q: text(QUERY_MAX) = Field("", description="What the lookup finds (see GET /lookup): name, phone, e-mail, "
                                               "account number or tax ID. Best matches first; sort is not used.")
    status: list[CustomerStatus] = Field(default_factory=list, description="Repeat for several statuses.")
    kind: CustomerKind | None = None
    location: UUID | None = Field(None, description="Home location.")
    available_at: UUID | None = Field(None, description="Only customers available at this store.")
    tag: text(TAG_MAX) = ""
    till_only: bool = Field(False, description="Leave out customers the till hides (inactive, deleted).")
    sort: str = Field("name", pattern="^(" + "|".join(SORTS) + ")$")


class PhoneOut(Record):
    kind: str
    number: str
    e164: str


class EmailOut(Record):
    kind: str
    address: str


class LocationRef(Schema):
    id: UUID
    code: str
    name: str

    @classmethod
    def of(cls, location) -> "LocationRef":
        return from_record(cls, location, id=location.uuid)


class CustomerRef(Schema):
    """The customer a sale, order or account belongs to."""

    id: UUID
    name: str
    account_number: str

    @classmethod
    def of(cls, customer: Customer) -> "CustomerRef":
        return from_record(cls, customer, id=customer.uuid)


class RelatedCustomer(Schema):
    """A representative of a company, or a company a person represents."""

    id: UUID
    name: str
    account_number: str
    role: str

    @classmethod
    def of(cls, customer: Customer, link: Representation) -> "RelatedCustomer":
        return from_record(cls, customer, id=customer.uuid, role=link.role)


class CustomerOut(Schema):
    id: UUID
    kind: str
    account_number: str
    name: str
    first_name: str
    name_prefix: str
    last_name: str
    status: str
    status_changed_at: Timestamp
    birth_date: date | None
    tax_id: str
    tax_id_country: str
    is_tax_exempt: bool
    price_level: str
    default_discount: str = Field(description="Percent, a decimal string.")
    is_employee: bool
    notes: str
    track_sales: bool
    always_formal_invoice: bool
    home_location: LocationRef
    location_groups: list[Reference]
    tags: list[str]
    phones: list[PhoneOut]
    emails: list[EmailOut]
    addresses: list[AddressOut]
    custom_fields: dict[str, Any]
    representatives: list[RelatedCustomer]
    companies: list[RelatedCustomer]
    photo_url: str | None
    photo_version: int
    total_purchases: MoneyOut = Field(description="Net spend to date (returns subtracted): sort=purchases.")
    sale_count: int
    visit_count: int = Field(description="Days with a sale or a return.")
    last_purchase_at: Timestamp | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, customer: Customer) -> "CustomerOut":
        """Render a customer loaded with ``queries.with_details`` (no further queries)."""
        return from_record(
            cls, customer, id=customer.uuid, price_level=customer.price_level.code,
            default_discount=f"{customer.default_discount:.2f}",
            home_location=LocationRef.of(customer.home_location),
            location_groups=[Reference.of(group) for group in customer.location_groups.all()],
            tags=[tag.name for tag in customer.tags.all()],
            phones=[from_record(PhoneOut, phone) for phone in customer.phones.all()],
            emails=[from_record(EmailOut, email) for email in customer.emails.all()],
            addresses=[AddressOut.of(address) for address in customer.addresses.all()],
            representatives=[RelatedCustomer.of(rep.person, rep) for rep in customer.representations.all()],
            companies=[RelatedCustomer.of(rep.company, rep) for rep in customer.companies_represented.all()],
            photo_url=photo_url(customer), total_purchases=money(customer.total_purchases),
        )


class CustomerListItemOut(CustomerOut):
    """A customer in the list; with ``q``, also what matched (the list then comes best match first).
    ``of`` takes the customers ``lookup.queries.annotated`` gives."""

    matched_on: str | None = Field(None, description="Only with q: what matched (account number, phone, "
                                                     "e-mail, tax ID, name, name (start), ...), as GET /lookup says.")


def photo_url(customer: Customer) -> str | None:
    return photo_url_of(customer.uuid, customer.photo, customer.photo_version)


def photo_url_of(customer_uuid, photo: str, photo_version: int) -> str | None:
    """Where the photo is served; the version in the query string lets clients cache it safely."""
    if not photo:
        return None
    path = reverse("api-v1:get_customer_photo", kwargs={"customer_id": customer_uuid})
    return f"{path}?v={photo_version}"


class StatusChangeIn(InputSchema):
    status: CustomerStatus
    reason: text(500) = ""
