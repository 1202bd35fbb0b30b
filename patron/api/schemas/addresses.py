from uuid import UUID

from ninja import Schema

from patron.api.schemas.common import InputSchema, Timestamp, from_record, text
from patron.customers.models import Address, AddressKind


class AddressFields(InputSchema):
    label: text(100) | None = None
    line1: text(100) | None = None
    line2: text(100) | None = None
    line3: text(100) | None = None
    line4: text(100) | None = None
    city: text(100) | None = None
    region: text(100) | None = None
    postal_code: text(20) | None = None
    country: text(60) | None = None  # an ISO code or a name/alias ("UK"); stored as the ISO code


class AddressIn(AddressFields):
    kind: AddressKind


class AddressPatch(AddressFields):
    kind: AddressKind = None


class AddressOut(Schema):
    id: UUID
    kind: str
    label: str
    line1: str
    line2: str
    line3: str
    line4: str
    city: str
    region: str
    postal_code: str
    country: str
    version: int
    created_at: Timestamp

    @classmethod
    def of(cls, address: Address) -> "AddressOut":
        return from_record(cls, address, id=address.uuid)
