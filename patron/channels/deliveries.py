"""A webshop's customer as a delivery brings it, in plain values (the API's schema builds it).

Field names follow Shopify's customer object, so a validation error's field is also the place
in the delivery's body that holds the wrong value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class DeliveredAddress:
    key: str  # the webshop's id of the address, or its position in the list
    is_default: bool = False
    company: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    province: str = ""
    zip: str = ""
    country_code: str = ""

    def is_blank(self) -> bool:
        return not any((self.address1, self.address2, self.city, self.zip))

    def address_values(self) -> dict:
        """As patron.customers stores an address (kind is decided by the caller)."""
        return {"label": self.company, "line1": self.address1, "line2": self.address2, "city": self.city,
                "region": self.province, "postal_code": self.zip, "country": self.country_code}


# patron.customers field -> the delivery's field, to point errors at the delivery's body.
ADDRESS_FIELD_NAMES = {"label": "company", "line1": "address1", "line2": "address2", "city": "city",
                       "region": "province", "postal_code": "zip", "country": "country_code"}


@dataclass(frozen=True)
class CustomerDelivery:
    external_id: str
    updated_at: datetime
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    note: str = ""
    tags: tuple[str, ...] = ()
    addresses: tuple[DeliveredAddress, ...] = field(default_factory=tuple)
    email_consent: bool | None = None  # None: the delivery says nothing about consent
    email_consent_at: datetime | None = None
    sms_consent: bool | None = None
    sms_consent_at: datetime | None = None

    def values(self) -> dict:
        """What the webshop says now, JSON-safe: kept on the reference as "what it said last"."""
        values = asdict(self)
        for name in ("external_id", "updated_at", "email_consent_at", "sms_consent_at", "addresses"):
            values.pop(name)
        values["tags"] = list(self.tags)
        values["addresses"] = {address.key: address.address_values() for address in self.addresses
                               if not address.is_blank()}
        return values
