"""A webshop's customer as it delivers it: a subset of Shopify's customer object.

``ChannelCustomerIn`` (deliveries signed with X-Patron-Signature) refuses unknown fields like
every input of the API. ``ShopifyCustomerIn`` (signed with X-Shopify-Hmac-Sha256) takes Shopify's
whole webhook payload and ignores what Patron does not keep.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints, WithJsonSchema

from patron.api.errors import NUL_PATTERN
from patron.api.schemas.common import DateTime, InputSchema, text
from patron.channels.deliveries import CustomerDelivery, DeliveredAddress
from patron.customers.cleaning import MAX_LIST_ITEMS, NOTES_MAX, PERSON_NAME_MAX, TAG_MAX


def _id_as_text(value):
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _tags_as_list(value):
    return [tag.strip() for tag in value.split(",") if tag.strip()] if isinstance(value, str) else value


# One type each (not a union), so a validation error points at the field itself, not at a union branch.
ExternalId = Annotated[str, BeforeValidator(_id_as_text),
                       StringConstraints(min_length=1, max_length=100, pattern=NUL_PATTERN),
                       WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0},
                                                 {"type": "string", "minLength": 1, "maxLength": 100}]})]
Tags = Annotated[list[text(TAG_MAX)], BeforeValidator(_tags_as_list),
                 WithJsonSchema({"anyOf": [{"type": "array", "items": {"type": "string", "maxLength": TAG_MAX},
                                            "maxItems": 2 * MAX_LIST_ITEMS},
                                           {"type": "string", "maxLength": 2000}]})]
ConsentState = Literal["subscribed", "unsubscribed", "not_subscribed", "pending", "redacted", "invalid"]


class ConsentIn(InputSchema):
    state: ConsentState = Field(description="subscribed records consent, unsubscribed its withdrawal; the other "
                                            "states say nothing")
    consent_updated_at: DateTime | None = None
    opt_in_level: text(50) | None = None
    consent_collected_from: text(50) | None = None


class ChannelAddressIn(InputSchema):
    id: ExternalId | None = Field(None, description="The webshop's id of the address (else its position)")
    default: StrictBool = False
    company: text(100) | None = None
    address1: text(100) | None = None
    address2: text(100) | None = None
    city: text(100) | None = None
    province: text(100) | None = None
    province_code: text(20) | None = None
    zip: text(20) | None = None
    country: text(100) | None = None
    country_code: text(2) | None = Field(None, description="ISO 3166-1 alpha-2")


class ChannelCustomerIn(InputSchema):
    id: ExternalId = Field(description="The webshop's id of the customer: the reference deliveries are matched by")
    updated_at: DateTime = Field(description="When the webshop last changed the customer; an older delivery "
                                                  "than one applied is ignored")
    first_name: text(PERSON_NAME_MAX) | None = None
    last_name: text(PERSON_NAME_MAX) | None = None
    email: text(254) | None = None
    phone: text(40) | None = None
    note: text(NOTES_MAX) | None = None
    tags: Tags | None = Field(None, max_length=2 * MAX_LIST_ITEMS, description="A list, or one comma-separated string")
    addresses: list[ChannelAddressIn] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    default_address: ChannelAddressIn | None = None
    email_marketing_consent: ConsentIn | None = None
    sms_marketing_consent: ConsentIn | None = None
    accepts_marketing: StrictBool | None = Field(None, description="Older Shopify payloads: true records e-mail "
                                                                   "consent")
    accepts_marketing_updated_at: DateTime | None = None

    def to_delivery(self) -> CustomerDelivery:
        email_consent, email_at = _consent(self.email_marketing_consent)
        if email_consent is None and self.accepts_marketing:
            email_consent, email_at = True, self.accepts_marketing_updated_at
        sms_consent, sms_at = _consent(self.sms_marketing_consent)
        return CustomerDelivery(
            external_id=self.id, updated_at=self.updated_at, first_name=self.first_name or "",
            last_name=self.last_name or "", email=self.email or "", phone=self.phone or "", note=self.note or "",
            tags=tuple(self.tags or ()), addresses=tuple(self._addresses()), email_consent=email_consent,
            email_consent_at=email_at, sms_consent=sms_consent, sms_consent_at=sms_at)

    def _addresses(self) -> list[DeliveredAddress]:
        addresses = list(self.addresses) or ([self.default_address] if self.default_address else [])
        default_id = self.default_address.id if self.default_address else None
        return [DeliveredAddress(
            key=address.id if address.id is not None else f"#{index}",
            is_default=address.default or (default_id is not None and address.id == default_id),
            company=address.company or "", address1=address.address1 or "", address2=address.address2 or "",
            city=address.city or "", province=address.province or address.province_code or "",
            zip=address.zip or "", country_code=address.country_code or address.country or "",
        ) for index, address in enumerate(addresses)]


def _consent(consent: ConsentIn | None) -> tuple[bool | None, object]:
    if consent is None or consent.state not in ("subscribed", "unsubscribed"):
        return None, None
    return consent.state == "subscribed", consent.consent_updated_at


_IGNORE_EXTRA = ConfigDict(extra="ignore")


class ShopifyConsentIn(ConsentIn):
    model_config = _IGNORE_EXTRA
    state: str = "not_subscribed"  # states Shopify may add later say nothing


class ShopifyAddressIn(ChannelAddressIn):
    model_config = _IGNORE_EXTRA


class ShopifyCustomerIn(ChannelCustomerIn):
    model_config = _IGNORE_EXTRA
    addresses: list[ShopifyAddressIn] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    default_address: ShopifyAddressIn | None = None
    email_marketing_consent: ShopifyConsentIn | None = None
    sms_marketing_consent: ShopifyConsentIn | None = None


class DeliveryOut(Schema):
    outcome: Literal["created", "linked", "updated", "unchanged", "stale"] = Field(
        description="created: a new customer; linked: bound to an existing customer that is strongly likely the "
                    "same (no second customer); updated: the customer changed; unchanged: nothing new; stale: "
                    "older than the delivery already applied, ignored")
    customer_id: UUID | None
    external_id: str
    channel: str
