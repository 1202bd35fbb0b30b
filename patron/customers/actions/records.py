"""Creating, changing, deactivating and deleting customer records."""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import Conflict, RuleViolation, StaleVersion, ValidationFailed
from patron.core.jsonable import changed_fields, jsonable
from patron.core.normalize import clean_text, email_key, fold, phone_digits
from patron.core.permissions import require
from patron.customers.account_numbers import account_number_taken
from patron.customers.changes import record_changes
from patron.customers.cleaning import TERMS_FIELDS, clean_address_values, clean_customer_values, tag_objects
from patron.customers.history import history_of
from patron.customers.models import (
    Customer,
    CustomerEmail,
    CustomerKind,
    CustomerPhone,
    CustomerStatus,
    StatusChange,
)
from patron.customers.photos import process_photo
from patron.customers.regions import address_country, phone_region, store_country
from patron.customers.search_index import index_customers, unindex_customer

# Simple columns an update may set directly once cleaned.
_COLUMNS = (
    "first_name", "name_prefix", "last_name", "name", "account_number", "birth_date", "tax_id", "tax_id_country",
    "is_tax_exempt", "price_level", "default_discount", "is_employee", "notes", "track_sales",
    "always_formal_invoice", "home_location", "custom_fields",
)


def customer_snapshot(customer: Customer) -> dict:
    """Every audited value of a customer, JSON-safe, for "from what to what" in the trail."""
    return snapshot_values(
        customer,
        phones=[{"kind": phone.kind, "number": phone.number} for phone in customer.phones.all()],
        emails=[{"kind": email.kind, "address": email.address} for email in customer.emails.all()],
        tags=[tag.name for tag in customer.tags.all()],
        groups=[group.name for group in customer.location_groups.all()],
    )


def snapshot_values(customer: Customer, *, phones: list[dict], emails: list[dict], tags: list[str],
                    groups: list[str]) -> dict:
    """The audited values of a customer whose lists are given (new customers have them in hand)."""
    values = {name: jsonable(getattr(customer, name)) for name in _COLUMNS}
    values.update(
        kind=customer.kind,
        status=customer.status,
        price_level=customer.price_level.code if customer.price_level_id else None,
        home_location=customer.home_location.code if customer.home_location_id else None,
        phones=[f"{phone['kind']}: {phone['number']}" for phone in phones],
        emails=[f"{email['kind']}: {email['address']}" for email in emails],
        tags=sorted(tags),
        location_groups=sorted(groups),
        photo_version=customer.photo_version,
    )
    return values


def _check_account_number_free(account_number: str, exclude_pk: int | None = None) -> None:
    if account_number_taken(account_number, exclude_pk=exclude_pk):
        raise Conflict(_("Account number %(account_number)s is already used by another customer.") % {
            "account_number": account_number},
                       field="account_number", code="account-number-taken")


def _save_account_number_safely(customer: Customer, **save_kwargs) -> None:
    """Save, turning a unique-index clash (two people typing the same number at once) into the
    same field error a sequential clash gives."""
    try:
        with transaction.atomic():
            customer.save(**save_kwargs)
    except IntegrityError:
        if account_number_taken(customer.account_number, exclude_pk=customer.pk):
            raise Conflict(_("Account number %(account_number)s is already used by another customer.") % {
                "account_number": customer.account_number},
                           field="account_number", code="account-number-taken") from None
        raise


def _replace_phones(customer: Customer, phones: list[dict]) -> None:
    customer.phones.all().delete()
    CustomerPhone.objects.bulk_create(
        CustomerPhone(customer=customer, kind=phone["kind"], number=phone["number"], e164=phone["e164"],
                      digits_reversed=phone_digits(phone["e164"])[::-1], position=position)
        for position, phone in enumerate(phones)
    )


def _replace_emails(customer: Customer, emails: list[dict]) -> None:
    customer.emails.all().delete()
    CustomerEmail.objects.bulk_create(
        CustomerEmail(customer=customer, kind=email["kind"], address=email["address"],
                      address_key=email_key(email["address"]), position=position)
        for position, email in enumerate(emails)
    )


def sort_name_of(customer: Customer) -> str:
    if customer.kind == CustomerKind.PERSON:
        return fold(f"{customer.last_name} {customer.first_name} {customer.name_prefix}")[:200]
    return fold(customer.name)[:200]


def clean_addresses(addresses: list[dict]) -> list[dict]:
    """Check the addresses given with a new customer (at most one contact and one billing)."""
    errors: dict[str, list[str]] = {}
    cleaned = []
    for index, address in enumerate(addresses):
        try:
            cleaned.append(clean_address_values(address, creating=True))
        except ValidationFailed as error:
            for field, messages in error.errors.items():
                errors.setdefault(f"addresses.{index}.{field}", []).extend(messages)
    kinds = [address["kind"] for address in cleaned]
    for kind in ("contact", "billing"):
        if kinds.count(kind) > 1:
            errors.setdefault("addresses", []).append(f"Give at most one {kind} address.")
    if errors:
        raise ValidationFailed.from_errors(errors)
    return cleaned


def customer_region(actor: Actor, customer: Customer) -> str:
    """The country a customer's national phone numbers and tax IDs are read in: its address's,
    else the country of the actor's store (``customers.regions``)."""
    return phone_region(address_country(customer.addresses.all()), store_country(actor.location_id))


def lock_customer(customer: Customer, expected_version: int | None) -> Customer:
    """Re-read the customer under a row lock and check the caller saw its latest version. A record
    merged meanwhile (patron/merging) stands for its survivor, as every read by id does; the
    survivor's version differs, so a change made with the old version is refused as stale."""
    rows = Customer.with_tombstones.select_for_update().select_related("price_level", "home_location")
    locked = rows.get(pk=customer.pk)
    while locked.merged_into_id is not None:
        locked = rows.get(pk=locked.merged_into_id)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(
            _("%(name)s was changed by someone else since you opened it (version %(expected_version)s, now "
              "%(version)s). Reload and make your change again.") % {
                "name": locked.name, "expected_version": expected_version, "version": locked.version},
            code="stale-version",
        )
    return locked


def bump_version(customer: Customer) -> None:
    """Mark the customer changed (its ETag moves) when something it embeds changed."""
    Customer.objects.filter(pk=customer.pk).update(version=F("version") + 1, updated_at=timezone.now())
    customer.refresh_from_db(fields=["version", "updated_at"])
    record_changes([customer])


@transaction.atomic
def update_customer(*, actor: Actor, customer: Customer, values: dict, expected_version: int | None = None,
                    region: str = "") -> Customer:
    """Change some fields of a customer. Lists given (phones, e-mails, tags, groups) replace the
    old ones. Nothing is written, and the version stays, when no value actually changes.
    National phone numbers and tax IDs are read in ``region`` when given (an import row's own
    address), else by ``customer_region``."""
    require(actor, "customers.edit")
    customer = lock_customer(customer, expected_version)
    before = customer_snapshot(customer)
    current = {name: getattr(customer, name) for name in ("first_name", "name_prefix", "last_name", "name", "tax_id",
                                                           "tax_id_country")}
    if not region and {"phones", "tax_id", "tax_id_country"} & set(values):
        region = customer_region(actor, customer)
    cleaned = clean_customer_values(values, kind=customer.kind, current=current,
                                    context={"existing_custom_fields": customer.custom_fields, "phone_region": region})
    if "account_number" in cleaned:
        if not cleaned["account_number"]:
            raise ValidationFailed(_("An account number cannot be blank."), field="account_number")
        _check_account_number_free(cleaned["account_number"], exclude_pk=customer.pk)
    try:
        with transaction.atomic():  # a savepoint, undone when nothing really changed
            _apply(customer, cleaned)
            changes = changed_fields(before, customer_snapshot(customer))
            if not changes:
                raise _Unchanged
            if TERMS_FIELDS & set(changes):  # only a real change of terms needs the right
                require(actor, "customers.edit_terms")
    except _Unchanged:
        customer.refresh_from_db()
        return customer
    customer.version += 1
    customer.sort_name = sort_name_of(customer)
    _save_account_number_safely(customer)
    index_customers([customer])
    record_changes([customer])
    record_event(actor=actor, action="customer.updated", subject=customer, changes=changes)
    return customer


class _Unchanged(Exception):
    pass


def _apply(customer: Customer, cleaned: dict) -> None:
    for name in _COLUMNS:
        if name in cleaned:
            setattr(customer, name, cleaned[name])
    if "phones" in cleaned:
        _replace_phones(customer, cleaned["phones"])
    if "emails" in cleaned:
        _replace_emails(customer, cleaned["emails"])
    if "tags" in cleaned:
        customer.tags.set(tag_objects(cleaned["tags"]))
    if "location_groups" in cleaned:
        customer.location_groups.set(cleaned["location_groups"])


@transaction.atomic
def change_status(*, actor: Actor, customer: Customer, status: str, reason: str = "",
                  expected_version: int | None = None) -> Customer:
    """Move a customer to another status (e.g. deactivate), keeping the change and its reason."""
    require(actor, "customers.change_status")
    if status not in CustomerStatus.values:
        raise ValidationFailed(_("Choose prospect, active, credit hold, inactive or deleted."), field="status")
    try:
        reason = clean_text(reason, max_length=500)
    except ValueError as error:
        raise ValidationFailed(str(error), field="reason") from None
    customer = lock_customer(customer, expected_version)
    if customer.status == status:
        return customer
    previous = customer.status
    customer.status, customer.status_changed_at = status, timezone.now()
    customer.version += 1
    customer.save(update_fields=["status", "status_changed_at", "version", "updated_at"])
    StatusChange.objects.create(customer=customer, from_status=previous, to_status=status, reason=reason,
                                actor_label=actor.label)
    index_customers([customer])
    record_changes([customer])
    record_event(actor=actor, action="customer.status_changed", subject=customer,
                 changes={"status": [previous, status]}, data={"reason": reason})
    return customer


def deactivate_customer(*, actor: Actor, customer: Customer, reason: str = "",
                        expected_version: int | None = None) -> Customer:
    return change_status(actor=actor, customer=customer, status=CustomerStatus.INACTIVE, reason=reason,
                         expected_version=expected_version)


@transaction.atomic
def delete_customer(*, actor: Actor, customer: Customer, expected_version: int | None = None) -> None:
    """Delete a customer entered by mistake. One with history must be deactivated instead."""
    require(actor, "customers.delete")
    customer = lock_customer(customer, expected_version)
    history = history_of(customer)
    if history:
        raise RuleViolation(
            _("%(name)s has history (%(history)s) and cannot be deleted. Deactivate the customer instead: it "
              "disappears from the till and keeps its history.") % {
                "name": customer.name, "history": ', '.join(history)},
            code="customer-has-history",
        )
    snapshot = customer_snapshot(customer)
    record_event(actor=actor, action="customer.deleted", subject=customer, changes=changed_fields(snapshot, {}))
    photo = customer.photo
    unindex_customer(customer.pk)
    record_changes([customer], removal=True)
    customer.delete()
    if photo:
        transaction.on_commit(lambda: default_storage.delete(photo))


@transaction.atomic
def set_photo(*, actor: Actor, customer: Customer, data: bytes, expected_version: int | None = None) -> Customer:
    """Store a new photo (re-encoded, metadata stripped) in place of the old one."""
    require(actor, "customers.edit")
    webp = process_photo(data)
    customer = lock_customer(customer, expected_version)
    old_photo = customer.photo
    name = default_storage.save(f"photos/{customer.uuid}-{secrets.token_hex(4)}.webp", ContentFile(webp))
    try:
        customer.photo, customer.photo_version = name, customer.photo_version + 1
        customer.version += 1
        customer.save(update_fields=["photo", "photo_version", "version", "updated_at"])
        record_changes([customer])
    except Exception:
        default_storage.delete(name)
        raise
    if old_photo:
        transaction.on_commit(lambda: default_storage.delete(old_photo))
    record_event(actor=actor, action="customer.photo_changed", subject=customer,
                 changes={"photo_version": [customer.photo_version - 1, customer.photo_version]})
    return customer


@transaction.atomic
def remove_photo(*, actor: Actor, customer: Customer, expected_version: int | None = None) -> Customer:
    require(actor, "customers.edit")
    customer = lock_customer(customer, expected_version)
    if not customer.photo:
        return customer
    old_photo = customer.photo
    customer.photo, customer.photo_version = "", customer.photo_version + 1
    customer.version += 1
    customer.save(update_fields=["photo", "photo_version", "version", "updated_at"])
    record_changes([customer])
    transaction.on_commit(lambda: default_storage.delete(old_photo))
    record_event(actor=actor, action="customer.photo_removed", subject=customer,
                 changes={"photo_version": [customer.photo_version - 1, customer.photo_version]})
    return customer

