from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, model_validator

from patron.api.schemas.common import InputSchema, Timestamp, from_record, text
from patron.api.schemas.customers import CustomerFields
from patron.customers.actions.contacts import CONTACT_TEXT_FIELDS
from patron.customers.cleaning import NOTES_MAX
from patron.customers.models import Contact, Representation


class ContactFields(InputSchema):
    first_name: text(CONTACT_TEXT_FIELDS["first_name"]) | None = None
    last_name: text(CONTACT_TEXT_FIELDS["last_name"]) | None = None
    role: text(CONTACT_TEXT_FIELDS["role"]) | None = Field(None, description="E.g. spouse, accounts payable.")
    email: text(254) | None = None
    mobile_phone: text(40) | None = None
    phone: text(40) | None = None
    is_authorized_buyer: StrictBool = Field(None, description="May buy on the customer's account.")
    is_active: StrictBool = None
    notes: text(NOTES_MAX) | None = None


class ContactOut(Schema):
    id: UUID
    first_name: str
    last_name: str
    role: str
    email: str
    mobile_phone: str
    phone: str
    is_authorized_buyer: bool
    is_active: bool
    notes: str
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, contact: Contact) -> "ContactOut":
        return from_record(cls, contact, id=contact.uuid)


class ContactRef(Schema):
    """A contact named by a sale or in a customer's terms (e.g. an authorized buyer)."""

    id: UUID
    name: str
    role: str

    @classmethod
    def of(cls, contact: Contact) -> "ContactRef":
        return cls(id=contact.uuid, name=str(contact), role=contact.role)


class NewPerson(CustomerFields):
    """A person created as a customer of their own (home location and location groups default to
    the company's)."""


class RepresentativeIn(InputSchema):
    """Either ``person_id`` of an existing private-person customer, or ``person`` to create one."""

    # Exactly one of the two, as the document says too (so a client's generator knows).
    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["person_id"]}, {"required": ["person"]}]})

    person_id: UUID = None
    person: NewPerson = None
    role: text(60) = ""

    @model_validator(mode="after")
    def _exactly_one_person(self):
        if (self.person_id is None) == (self.person is None):
            raise ValueError("Give either person_id (an existing person) or person (a new one), not both.")
        return self


class RepresentativeOut(Schema):
    id: UUID = Field(description="The person's customer id.")
    name: str
    account_number: str
    role: str
    since: Timestamp

    @classmethod
    def of(cls, link: Representation) -> "RepresentativeOut":
        return from_record(cls, link.person, id=link.person.uuid, role=link.role, since=link.created_at)
