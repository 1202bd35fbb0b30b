"""Shop-wide customer settings an admin manages: account numbers, initial status, price
levels, tags and custom field definitions."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import Conflict, ValidationFailed
from patron.core.jsonable import changed_fields, snapshot
from patron.core.normalize import clean_text
from patron.core.permissions import require
from patron.core.validation import FieldErrors
from patron.customers.account_numbers import check_pattern
from patron.customers.models import (
    CustomerSettings,
    CustomerStatus,
    CustomFieldDefinition,
    CustomFieldType,
    PriceLevel,
    Tag,
)

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@transaction.atomic
def update_customer_settings(*, actor: Actor, account_number_pattern: str | None = None,
                             next_account_number: int | None = None,
                             initial_status: str | None = None) -> CustomerSettings:
    require(actor, "settings.manage")
    shop = CustomerSettings.objects.select_for_update().get(pk=1)
    fields = ["account_number_pattern", "next_account_number", "initial_status"]
    before = snapshot(shop, fields)
    if account_number_pattern is not None:
        check_pattern(account_number_pattern)
        shop.account_number_pattern = account_number_pattern
    if next_account_number is not None:
        if next_account_number < 1:
            raise ValidationFailed(_("The next number must be 1 or more."), field="next_account_number")
        shop.next_account_number = next_account_number
    if initial_status is not None:
        if initial_status not in CustomerStatus.values:
            raise ValidationFailed(_("Unknown status."), field="initial_status")
        shop.initial_status = initial_status
    shop.save()
    record_event(actor=actor, action="settings.customers_updated", subject=shop,
                 changes=changed_fields(before, snapshot(shop, fields)))
    return shop


@transaction.atomic
def save_price_level(*, actor: Actor, code: str, name: str, position: int = 0, is_default: bool = False,
                     level: PriceLevel | None = None) -> PriceLevel:
    require(actor, "settings.manage")
    errors = FieldErrors()
    code = errors.clean("code", clean_text, code, max_length=10)
    name = errors.clean("name", clean_text, name, max_length=60)
    if code == "":
        errors.add("code", _("Enter a code, e.g. A."))
    if code:
        clash = PriceLevel.objects.annotate(key=Lower("code")).filter(key=code.lower())
        if level is not None:
            clash = clash.exclude(pk=level.pk)
        if clash.exists():
            errors.add("code", _("Another price level has this code."))
    errors.raise_if_any()
    before = snapshot(level, ["code", "name", "position", "is_default"]) if level else {}
    if is_default:
        PriceLevel.objects.filter(is_default=True).exclude(pk=getattr(level, "pk", None)).update(is_default=False)
    level = level or PriceLevel()
    level.code, level.name, level.position, level.is_default = code, name or code, position, is_default
    level.save()
    record_event(actor=actor, action="settings.price_level_saved", subject=level,
                 changes=changed_fields(before, snapshot(level, ["code", "name", "position", "is_default"])))
    return level


@transaction.atomic
def delete_price_level(*, actor: Actor, level: PriceLevel) -> None:
    require(actor, "settings.manage")
    in_use = level.customers.count()
    if in_use:
        raise Conflict(_("%(in_use)s customers use price level %(code)s; move them first.") % {
            "in_use": in_use, "code": level.code},
                       code="price-level-in-use")
    record_event(actor=actor, action="settings.price_level_deleted", subject=level)
    level.delete()


@transaction.atomic
def rename_tag(*, actor: Actor, tag: Tag, name: str) -> Tag:
    require(actor, "settings.manage")
    try:
        name = clean_text(name, max_length=50)
    except ValueError as error:
        raise ValidationFailed(str(error), field="name") from None
    if not name:
        raise ValidationFailed(_("Enter a name."), field="name")
    if Tag.objects.annotate(key=Lower("name")).filter(key=name.lower()).exclude(pk=tag.pk).exists():
        raise Conflict(_("Another tag has this name."), field="name")
    old = tag.name
    tag.name = name
    tag.save()
    record_event(actor=actor, action="settings.tag_renamed", subject=tag, changes={"name": [old, name]})
    return tag


@transaction.atomic
def delete_tag(*, actor: Actor, tag: Tag) -> None:
    require(actor, "settings.manage")
    record_event(actor=actor, action="settings.tag_deleted", subject=tag,
                 data={"customers": tag.customers.count()})
    tag.delete()


_FIELD_DEFINITION_FIELDS = ["key", "label", "field_type", "choices", "is_required", "is_active", "position",
                            "help_text"]


@transaction.atomic
def save_custom_field(*, actor: Actor, key: str, label: str, field_type: str, choices: list[str] | None = None,
                      is_required: bool = False, is_active: bool = True, position: int = 0, help_text: str = "",
                      definition: CustomFieldDefinition | None = None) -> CustomFieldDefinition:
    """Define a custom field, or change ``definition``. The key and type of a defined field are
    fixed, since stored values depend on them."""
    require(actor, "settings.manage")
    errors = FieldErrors()
    label = errors.clean("label", clean_text, label, max_length=80)
    help_text = errors.clean("help_text", clean_text, help_text, max_length=200)
    if label == "":
        errors.add("label", _("Enter a label."))
    if definition is None:
        if not _KEY.match(key or ""):
            errors.add("key", _("Use lower-case letters, digits and _ (starting with a letter)."))
        elif CustomFieldDefinition.objects.filter(key=key).exists():
            errors.add("key", _("Another custom field has this key."))
        if field_type not in CustomFieldType.values:
            errors.add("field_type", _("Choose text, number, date, yes/no or choice."))
    elif key != definition.key or field_type != definition.field_type:
        errors.add("key", _("The key and type of an existing field cannot change."))
    options = [item for item in (errors.clean("choices", clean_text, c, max_length=100) for c in choices or [])
               if item]
    if field_type == CustomFieldType.CHOICE and not options:
        errors.add("choices", _("Give the values to choose from."))
    errors.raise_if_any()
    before = snapshot(definition, _FIELD_DEFINITION_FIELDS) if definition else {}
    definition = definition or CustomFieldDefinition(key=key, field_type=field_type)
    definition.label, definition.choices, definition.is_required = label, options, is_required
    definition.is_active, definition.position, definition.help_text = is_active, position, help_text
    definition.save()
    record_event(actor=actor, action="settings.custom_field_saved", subject=definition,
                 changes=changed_fields(before, snapshot(definition, _FIELD_DEFINITION_FIELDS)))
    return definition
