"""Validating values of the custom fields an admin defined (text, number, date, yes/no, choice).

Values are stored in ``Customer.custom_fields`` as JSON: text and choices as strings, numbers as
decimal strings, dates as ISO strings, yes/no as booleans.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from patron.core.normalize import InvalidValue, clean_text
from patron.core.validation import FieldErrors
from patron.customers.models import CustomFieldDefinition, CustomFieldType

TEXT_MAX = 500


def _clean_value(definition: CustomFieldDefinition, raw):
    """The stored form of one value; None means "no value"."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = definition.field_type
    if kind == CustomFieldType.TEXT:
        return clean_text(raw, max_length=TEXT_MAX)
    if kind == CustomFieldType.NUMBER:
        if isinstance(raw, (bool, float)):
            raise InvalidValue(_("Enter a number as text, e.g. \"12.5\"."))
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise InvalidValue(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) >= Decimal("1e15"):
            raise InvalidValue(_("Enter a number."))
        return str(number)
    if kind == CustomFieldType.DATE:
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        try:
            return datetime.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise InvalidValue(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == CustomFieldType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise InvalidValue(_("Choose yes or no."))
    value = clean_text(str(raw), max_length=TEXT_MAX)
    if value not in definition.choices:
        raise InvalidValue(_("Choose one of: %(choices)s.") % {"choices": ', '.join(definition.choices)})
    return value


def clean_custom_fields(values, errors: FieldErrors, field: str, *, existing: dict | None,
                        is_creation: bool) -> dict | None:
    """Merge ``values`` into ``existing`` after checking each against its definition."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        errors.add(field, _("Give custom fields as an object of key and value."))
        return None
    definitions = {definition.key: definition for definition in CustomFieldDefinition.objects.filter(is_active=True)}
    merged = dict(existing or {})
    for key, raw in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors.add(f"{field}.{key}", _("Unknown custom field."))
            continue
        try:
            value = _clean_value(definition, raw)
        except InvalidValue as error:
            errors.add(f"{field}.{key}", str(error))
            continue
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    for key, definition in definitions.items():
        if definition.is_required and key not in merged and (is_creation or key in values):
            errors.add(f"{field}.{key}", _("%(label)s is required.") % {"label": definition.label})
    return merged
