"""Checking and normalising the values of a customer record before an action stores them.

``clean_customer_values`` takes the plain values an interface collected (strings from a form,
parsed JSON from the API, cells from an import) and returns typed, normalised values, or raises
``ValidationFailed`` with every field's problem at once. Error keys are field names; list items
are addressed as ``phones.0.number``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.normalize import (
    InvalidValue,
    clean_text,
    normalize_country,
    normalize_email,
    normalize_phone,
    normalize_tax_id,
)
from patron.core.validation import FieldErrors
from patron.customers.custom_fields import clean_custom_fields
from patron.customers.models import AddressKind, CustomerKind, EmailKind, PhoneKind, PriceLevel, Tag
from patron.customers.names import PERSON_NAME_PARTS, person_name
from patron.customers.regions import phone_region
from patron.locations.models import Location, LocationGroup

NAME_MAX = 200
PERSON_NAME_MAX = 100
NAME_PREFIX_MAX = 30  # "van der", "de la", "von und zu"
NOTES_MAX = 10_000
TAG_MAX = 50
MAX_LIST_ITEMS = 20
# The choices as sets, worked out once (a TextChoices' .values builds a new list on every call).
PHONE_KINDS, EMAIL_KINDS, ADDRESS_KINDS = frozenset(PhoneKind.values), frozenset(EmailKind.values), frozenset(
    AddressKind.values)


def _text(max_length: int, multiline: bool = False):
    def clean(value, errors, field, context):
        return errors.clean(field, clean_text, value, max_length=max_length, multiline=multiline)
    return clean


def clean_boolean(value, errors, field, context):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on", "0", "false", "no", "off", ""}:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    errors.add(field, _("Choose yes or no."))
    return None


def _birth_date(value, errors, field, context):
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            errors.add(field, _("Enter a date as YYYY-MM-DD."))
            return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        errors.add(field, _("Enter a date."))
        return None
    if value > datetime.date.today():
        errors.add(field, _("A birth date cannot be in the future."))
    elif value.year < 1900:
        errors.add(field, _("Enter a birth date after 1900."))
    return value


def _discount(value, errors, field, context):
    if value in (None, ""):
        return Decimal("0")
    if isinstance(value, float):
        errors.add(field, _("Give the discount as a decimal string, e.g. \"5.5\"."))
        return None
    try:
        percent = Decimal(str(value).strip().rstrip("%").strip())
    except InvalidOperation:
        errors.add(field, _("Enter a percentage between 0 and 100."))
        return None
    if not percent.is_finite() or percent < 0 or percent > 100:
        errors.add(field, _("Enter a percentage between 0 and 100."))
        return None
    if percent != percent.quantize(Decimal("0.01")):
        errors.add(field, _("Use at most two decimal places."))
        return None
    return percent.quantize(Decimal("0.01"))


def _price_level(value, errors, field, context):
    if isinstance(value, PriceLevel):
        return value
    code = str(value or "").strip()
    if not code:
        return PriceLevel.objects.filter(is_default=True).first() or PriceLevel.objects.first()
    level = PriceLevel.objects.annotate(key=Lower("code")).filter(key=code.lower()).first()
    if level is None:
        known = ", ".join(PriceLevel.objects.values_list("code", flat=True))
        errors.add(field, _("Unknown price level “%(code)s” (known: %(known)s).") % {"code": code, "known": known})
    return level


def _home_location(value, errors, field, context):
    """A Location; left out (None) only when creating, where the actor's store is taken."""
    if isinstance(value, Location) or (value is None and context.get("is_creation")):
        return value
    errors.add(field, _("Choose a location."))
    return None


def _location_groups(value, errors, field, context):
    groups = list(value or [])
    if not all(isinstance(group, LocationGroup) for group in groups):
        errors.add(field, _("Choose location groups."))
        return None
    if not groups:
        errors.add(field, _("Choose at least one location group: it decides where the customer can be served."))
        return None
    return groups


def _tags(value, errors, field, context):
    if isinstance(value, str):
        value = value.split(",")
    names, seen = [], set()
    for raw in value or []:
        name = errors.clean(field, clean_text, raw, max_length=TAG_MAX)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    if len(names) > MAX_LIST_ITEMS * 2:
        errors.add(field, _("Use at most %(count)s tags.") % {"count": MAX_LIST_ITEMS * 2})
    return names


def _list_of(item_cleaner, items_name):
    def clean(value, errors, field, context):
        items = value or []
        if not isinstance(items, (list, tuple)):
            errors.add(field, _("Give a list of %(items)s.") % {"items": items_name})
            return None
        if len(items) > MAX_LIST_ITEMS:
            errors.add(field, _("Use at most %(count)s %(items)s.") % {
                "count": MAX_LIST_ITEMS, "items": items_name})
            return None
        return [item_cleaner(item, errors, f"{field}.{index}", context) for index, item in enumerate(items)]
    return clean


def _phone_item(item, errors, prefix, context):
    kind = (item or {}).get("kind") or PhoneKind.MOBILE
    if kind not in PHONE_KINDS:
        errors.add(f"{prefix}.kind", _("Choose mobile, home, work or fax."))
    number = errors.clean(f"{prefix}.number", clean_text, (item or {}).get("number"), max_length=40)
    e164 = errors.clean(f"{prefix}.number", normalize_phone, number,
                        context.get("phone_region")) if number is not None else None
    return {"kind": kind, "number": number, "e164": e164}


def _email_item(item, errors, prefix, context):
    kind = (item or {}).get("kind") or EmailKind.PERSONAL
    if kind not in EMAIL_KINDS:
        errors.add(f"{prefix}.kind", _("Choose personal, work, billing or other."))
    address = errors.clean(f"{prefix}.address", normalize_email, (item or {}).get("address"))
    return {"kind": kind, "address": address}


def _custom_fields(value, errors, field, context):
    return clean_custom_fields(value, errors, field, existing=context.get("existing_custom_fields"),
                               is_creation=context.get("is_creation", False))


CLEANERS = {
    "first_name": _text(PERSON_NAME_MAX),
    "name_prefix": _text(NAME_PREFIX_MAX),
    "last_name": _text(PERSON_NAME_MAX),
    "name": _text(NAME_MAX),
    "account_number": _text(30),
    "birth_date": _birth_date,
    "tax_id": _text(40),
    "tax_id_country": _text(60),
    "is_tax_exempt": clean_boolean,
    "price_level": _price_level,
    "default_discount": _discount,
    "is_employee": clean_boolean,
    "notes": _text(NOTES_MAX, multiline=True),
    "track_sales": clean_boolean,
    "always_formal_invoice": clean_boolean,
    "home_location": _home_location,
    "location_groups": _location_groups,
    "tags": _tags,
    "custom_fields": _custom_fields,
    "phones": _list_of(_phone_item, gettext_lazy("phones")),
    "emails": _list_of(_email_item, gettext_lazy("e-mails")),
}

# Fields that change what a customer pays: only roles with "customers.edit_terms" may set them.
TERMS_FIELDS = frozenset({"price_level", "default_discount", "is_tax_exempt", "is_employee"})
# Fields that only make sense for one kind of customer.
PERSON_ONLY = frozenset({*PERSON_NAME_PARTS, "birth_date"})
# Placeholder settings, with the value every other kind of customer has.
PLACEHOLDER_DEFAULTS = {"track_sales": True, "always_formal_invoice": False}


def clean_customer_values(values: dict, *, kind: str, current: dict | None = None,
                          context: dict | None = None) -> dict:
    """Clean ``values`` for a customer of ``kind``; ``current`` holds the record's present values
    (for an update) so rules that span fields see the whole record. ``context["phone_region"]``:
    the country national phone numbers and tax IDs without a country are read in
    (``customers.regions.phone_region``; the installation's default when not given)."""
    errors = FieldErrors()
    context = context or {}
    unknown = sorted(set(values) - set(CLEANERS))
    for field in unknown:
        errors.add(field, _("Unknown field."))
    cleaned = {field: CLEANERS[field](value, errors, field, context)
               for field, value in values.items() if field in CLEANERS}
    merged = {**(current or {}), **cleaned}
    _check_kind_fields(values, cleaned, kind, errors)
    _check_names(merged, kind, errors)
    if "tax_id" in cleaned or "tax_id_country" in cleaned:
        _clean_tax_id(cleaned, merged, errors, context.get("phone_region"))
    errors.raise_if_any()
    if kind == CustomerKind.PERSON and (set(PERSON_NAME_PARTS) & set(cleaned)):
        cleaned["name"] = person_name(merged)
    return cleaned


def _check_kind_fields(values: dict, cleaned: dict, kind: str, errors: FieldErrors) -> None:
    for field, value in cleaned.items():
        if field in PERSON_ONLY and kind != CustomerKind.PERSON and value not in (None, ""):
            errors.add(field, _("Only private persons have this field."))
        if (field in PLACEHOLDER_DEFAULTS and kind != CustomerKind.PLACEHOLDER
                and value is not None and value != PLACEHOLDER_DEFAULTS[field]):
            errors.add(field, _("Only placeholder customers have this setting."))
    if kind == CustomerKind.PERSON and values.get("name"):
        errors.add("name", _("A private person is named by first and last name."))


def _check_names(merged: dict, kind: str, errors: FieldErrors) -> None:
    if kind == CustomerKind.PERSON:
        if not (merged.get("first_name") or merged.get("last_name")) and "first_name" not in errors.errors \
                and "last_name" not in errors.errors:
            errors.add("last_name", _("Enter the customer's name (first name, last name or both)."))
    elif not merged.get("name") and "name" not in errors.errors:
        errors.add("name", _("Enter the company name.") if kind == CustomerKind.COMPANY else _("Enter the name."))


def _clean_tax_id(cleaned: dict, merged: dict, errors: FieldErrors, region: str | None) -> None:
    """Validate the tax ID for its country: the given one, else the one its prefix names, else
    ``region`` (the phone numbers' rule), else the installation's default."""
    country = merged.get("tax_id_country") or ""
    if country:
        country = errors.clean("tax_id_country", normalize_country, country)
        if country is None:
            return
    country = country or (phone_region(region or "") if merged.get("tax_id") else "")
    try:
        compact, country = normalize_tax_id(merged.get("tax_id") or "", country)
    except InvalidValue as error:
        errors.add("tax_id", str(error))
        return
    cleaned["tax_id"] = compact
    cleaned["tax_id_country"] = country if compact else ""


def tag_objects(names: list[str]) -> list[Tag]:
    """The tags with these names, created when new (names match ignoring case)."""
    tags = []
    for name in names:
        tag = Tag.objects.annotate(key=Lower("name")).filter(key=name.lower()).first()
        tags.append(tag or Tag.objects.create(name=name))
    return tags


ADDRESS_TEXT_FIELDS = {"label": 100, "line1": 100, "line2": 100, "line3": 100, "line4": 100, "city": 100,
                       "region": 100, "postal_code": 20}
ADDRESS_FIELDS = frozenset(ADDRESS_TEXT_FIELDS) | {"kind", "country"}


def clean_address_values(values: dict, *, creating: bool) -> dict:
    """Check an address: typed (contact, billing, shipping), four lines, city, region, postal
    code and an ISO country (aliases such as "UK" accepted)."""
    errors = FieldErrors()
    for field in sorted(set(values) - ADDRESS_FIELDS):
        errors.add(field, _("Unknown field."))
    cleaned = {field: errors.clean(field, clean_text, values[field], max_length=limit)
               for field, limit in ADDRESS_TEXT_FIELDS.items() if field in values}
    if "country" in values:
        cleaned["country"] = errors.clean("country", normalize_country, values["country"])
    if "kind" in values or creating:
        kind = values.get("kind") or ""
        if kind not in ADDRESS_KINDS:
            errors.add("kind", _("Choose contact, billing or shipping."))
        cleaned["kind"] = kind
    if creating and not any(cleaned.get(field) for field in ("line1", "city", "postal_code")):
        errors.add("line1", _("Enter at least a street line, a city or a postal code."))
    errors.raise_if_any()
    return {field: value if value is not None else "" for field, value in cleaned.items()}
