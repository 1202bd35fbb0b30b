"""The shop's lists of valid values: price levels, tags and custom field definitions."""

from ninja import Schema

from patron.api.schemas.common import from_record
from patron.customers.models import CustomFieldDefinition, PriceLevel, Tag


class PriceLevelOut(Schema):
    code: str
    name: str
    is_default: bool

    @classmethod
    def of(cls, level: PriceLevel) -> "PriceLevelOut":
        return from_record(cls, level)


class TagOut(Schema):
    name: str

    @classmethod
    def of(cls, tag: Tag) -> "TagOut":
        return cls(name=tag.name)


class CustomFieldOut(Schema):
    key: str
    label: str
    field_type: str
    choices: list[str]
    is_required: bool
    help_text: str

    @classmethod
    def of(cls, definition: CustomFieldDefinition) -> "CustomFieldOut":
        return from_record(cls, definition)
