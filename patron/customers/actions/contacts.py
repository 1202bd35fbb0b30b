"""Contacts (people tied to a customer) and representatives (persons, themselves customers,
who act for a company customer)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from patron.core.jsonable import changed_fields, snapshot
from patron.core.normalize import clean_text, normalize_email, normalize_phone
from patron.core.permissions import require
from patron.core.validation import FieldErrors
from patron.customers.actions.creation import create_customer
from patron.customers.actions.records import bump_version, customer_region, lock_customer
from patron.customers.cleaning import NOTES_MAX, PERSON_NAME_MAX, clean_boolean
from patron.customers.models import Contact, Customer, CustomerKind, Representation

CONTACT_TEXT_FIELDS = {"first_name": PERSON_NAME_MAX, "last_name": PERSON_NAME_MAX, "role": 60}
CONTACT_FIELDS = frozenset(CONTACT_TEXT_FIELDS) | {"email", "mobile_phone", "phone", "is_authorized_buyer",
                                                   "is_active", "notes"}
_AUDITED = sorted(CONTACT_FIELDS)


def clean_contact_values(values: dict, *, current: Contact | None, region: str = "") -> dict:
    """Check a contact's values; national phone numbers are read in ``region`` (the customer's,
    ``records.customer_region``)."""
    errors = FieldErrors()
    for field in sorted(set(values) - CONTACT_FIELDS):
        errors.add(field, gettext("Unknown field."))
    cleaned = {field: errors.clean(field, clean_text, values[field], max_length=limit)
               for field, limit in CONTACT_TEXT_FIELDS.items() if field in values}
    if "notes" in values:
        cleaned["notes"] = errors.clean("notes", clean_text, values["notes"], max_length=NOTES_MAX, multiline=True)
    if values.get("email"):
        cleaned["email"] = errors.clean("email", normalize_email, values["email"])
    elif "email" in values:
        cleaned["email"] = ""
    for field in ("mobile_phone", "phone"):
        if field in values:
            number = errors.clean(field, clean_text, values[field], max_length=40) or ""
            cleaned[field] = number
            cleaned[f"{field}_e164"] = errors.clean(field, normalize_phone, number, region or None) if number else ""
    for field in ("is_authorized_buyer", "is_active"):
        if field in values:
            cleaned[field] = clean_boolean(values[field], errors, field, {})
    first = cleaned.get("first_name", current.first_name if current else "")
    last = cleaned.get("last_name", current.last_name if current else "")
    if not (first or last) and not errors:
        errors.add("last_name", gettext("Enter the contact's name."))
    errors.raise_if_any()
    return cleaned


@transaction.atomic
def add_contact(*, actor: Actor, customer: Customer, values: dict) -> Contact:
    require(actor, "customers.edit")
    cleaned = clean_contact_values(values, current=None, region=customer_region(actor, customer))
    customer = lock_customer(customer, None)
    contact = Contact.objects.create(customer=customer, **cleaned)
    bump_version(customer)
    record_event(actor=actor, action="contact.added", subject=contact, customer=customer,
                 changes=changed_fields({}, snapshot(contact, _AUDITED)))
    return contact


def _lock_contact(contact: Contact, expected_version: int | None) -> Contact:
    locked = Contact.objects.select_for_update().select_related("customer").filter(pk=contact.pk).first()
    if locked is None:
        raise NotFound(gettext("This contact no longer exists."), code="contact-not-found")
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(gettext("The contact was changed by someone else; reload and try again."))
    return locked


@transaction.atomic
def update_contact(*, actor: Actor, contact: Contact, values: dict, expected_version: int | None = None) -> Contact:
    require(actor, "customers.edit")
    contact = _lock_contact(contact, expected_version)
    cleaned = clean_contact_values(values, current=contact, region=customer_region(actor, contact.customer))
    before = snapshot(contact, _AUDITED)
    for field, value in cleaned.items():
        setattr(contact, field, value)
    changes = changed_fields(before, snapshot(contact, _AUDITED))
    if changes:
        contact.version += 1
        contact.save()
        bump_version(contact.customer)
        record_event(actor=actor, action="contact.updated", subject=contact, customer=contact.customer,
                     changes=changes)
    return contact


@transaction.atomic
def remove_contact(*, actor: Actor, contact: Contact, expected_version: int | None = None) -> None:
    """Remove a contact entered by mistake (people who moved on are deactivated instead)."""
    require(actor, "customers.edit")
    contact = _lock_contact(contact, expected_version)
    record_event(actor=actor, action="contact.removed", subject=contact, customer=contact.customer,
                 changes=changed_fields(snapshot(contact, _AUDITED), {}))
    contact.delete()
    bump_version(contact.customer)


def _check_company(company: Customer) -> None:
    if company.kind != CustomerKind.COMPANY:
        raise ValidationFailed(gettext("Only a company has representatives."), field="company",
                               code="not-a-company")


@transaction.atomic
def add_representative(*, actor: Actor, company: Customer, person_values: dict, role: str = "") -> Representation:
    """Create a person as a customer of their own and link them to the company with a role."""
    require(actor, "customers.create")
    _check_company(company)
    person_values = {"home_location": company.home_location,
                     "location_groups": list(company.location_groups.all()), **person_values}
    person = create_customer(actor=actor, kind=CustomerKind.PERSON, values=person_values)
    return link_representative(actor=actor, company=company, person=person, role=role)


@transaction.atomic
def link_representative(*, actor: Actor, company: Customer, person: Customer, role: str = "") -> Representation:
    """Link an existing person customer to a company as its representative."""
    require(actor, "customers.edit")
    _check_company(company)
    if person.kind != CustomerKind.PERSON:
        raise ValidationFailed(gettext("A representative must be a private person."), field="person",
                               code="not-a-person")
    try:
        role = clean_text(role, max_length=60)
    except ValueError as error:
        raise ValidationFailed(str(error), field="role") from None
    company = lock_customer(company, None)
    if Representation.objects.filter(company=company, person=person).exists():
        raise Conflict(gettext("%(name)s already represents %(name2)s.") % {
            "name": person.name, "name2": company.name}, field="person",
                       code="already-representative")
    link = Representation.objects.create(company=company, person=person, role=role)
    bump_version(company)
    bump_version(person)
    record_event(actor=actor, action="representative.linked", subject=company,
                 data={"person": str(person.uuid), "person_name": person.name, "role": role})
    record_event(actor=actor, action="representative.linked", subject=person,
                 data={"company": str(company.uuid), "company_name": company.name, "role": role})
    return link


@transaction.atomic
def unlink_representative(*, actor: Actor, company: Customer, person: Customer,
                          expected_version: int | None = None) -> None:
    """End the link; both customers stay. ``expected_version`` is the company's."""
    require(actor, "customers.edit")
    company = lock_customer(company, expected_version)
    deleted, _ = Representation.objects.filter(company=company, person=person).delete()
    if not deleted:
        raise NotFound(gettext("%(name)s does not represent %(name2)s.") % {
            "name": person.name, "name2": company.name}, code="representative-not-found")
    bump_version(company)
    bump_version(person)
    for subject, other in ((company, person), (person, company)):
        record_event(actor=actor, action="representative.unlinked", subject=subject,
                     data={"other": str(other.uuid), "other_name": other.name})
