"""A customer's addresses: one contact address, one billing address, any number of shipping or
worksite addresses."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import Conflict, NotFound, StaleVersion
from patron.core.jsonable import changed_fields, snapshot
from patron.core.permissions import require
from patron.customers.actions.records import bump_version, lock_customer
from patron.customers.cleaning import ADDRESS_FIELDS, clean_address_values
from patron.customers.models import Address, AddressKind, Customer

_AUDITED = sorted(ADDRESS_FIELDS)


def _check_single_kind(customer: Customer, kind: str, exclude_pk: int | None = None) -> None:
    if kind in (AddressKind.CONTACT, AddressKind.BILLING):
        existing = customer.addresses.filter(kind=kind).exclude(pk=exclude_pk)
        if existing.exists():
            raise Conflict(_("%(name)s already has a %(kind)s address; change that one instead.") % {
                "name": customer.name, "kind": kind},
                           field="kind", code="address-kind-taken")


@transaction.atomic
def add_address(*, actor: Actor, customer: Customer, values: dict) -> Address:
    require(actor, "customers.edit")
    cleaned = clean_address_values(values, creating=True)
    customer = lock_customer(customer, None)
    _check_single_kind(customer, cleaned["kind"])
    address = Address.objects.create(customer=customer, **cleaned)
    bump_version(customer)
    record_event(actor=actor, action="address.added", subject=address, customer=customer,
                 changes=changed_fields({}, snapshot(address, _AUDITED)))
    return address


def _lock_address(address: Address, expected_version: int | None) -> Address:
    locked = Address.objects.select_for_update().select_related("customer").filter(pk=address.pk).first()
    if locked is None:
        raise NotFound(_("This address no longer exists."), code="address-not-found")
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(_("The address was changed by someone else; reload and try again."))
    return locked


@transaction.atomic
def update_address(*, actor: Actor, address: Address, values: dict, expected_version: int | None = None) -> Address:
    require(actor, "customers.edit")
    cleaned = clean_address_values(values, creating=False)
    address = _lock_address(address, expected_version)
    if "kind" in cleaned:
        _check_single_kind(address.customer, cleaned["kind"], exclude_pk=address.pk)
    before = snapshot(address, _AUDITED)
    for field, value in cleaned.items():
        setattr(address, field, value)
    changes = changed_fields(before, snapshot(address, _AUDITED))
    if changes:
        address.version += 1
        address.save()
        bump_version(address.customer)
        record_event(actor=actor, action="address.updated", subject=address, customer=address.customer,
                     changes=changes)
    return address


@transaction.atomic
def remove_address(*, actor: Actor, address: Address, expected_version: int | None = None) -> None:
    require(actor, "customers.edit")
    address = _lock_address(address, expected_version)
    record_event(actor=actor, action="address.removed", subject=address, customer=address.customer,
                 changes=changed_fields(snapshot(address, _AUDITED), {}))
    address.delete()
    bump_version(address.customer)


@transaction.atomic
def copy_contact_address_to_billing(*, actor: Actor, customer: Customer) -> Address:
    """Make the billing address a copy of the contact address (created if missing)."""
    require(actor, "customers.edit")
    customer = lock_customer(customer, None)
    source = customer.addresses.filter(kind=AddressKind.CONTACT).first()
    if source is None:
        raise Conflict(_("%(name)s has no contact address to copy.") % {
            "name": customer.name}, code="no-contact-address")
    values = {field: getattr(source, field) for field in ADDRESS_FIELDS if field not in ("kind", "label")}
    billing = customer.addresses.filter(kind=AddressKind.BILLING).first()
    if billing is None:
        return add_address(actor=actor, customer=customer, values={"kind": AddressKind.BILLING, **values})
    return update_address(actor=actor, address=billing, values=values)
