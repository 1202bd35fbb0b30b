"""A row that matches a customer: what it would change, changing it, and taking it back.

A file imported again (next month's webshop export) mostly repeats what Patron holds already.
``is_unchanged`` answers that from the values the batch read at once, so such a row costs no
action, no lock and no audit entry; any row that would change something goes through the
customer actions like an edit in the back office.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from patron.core.actors import Actor
from patron.core.errors import ValidationFailed
from patron.core.normalize import InvalidValue, email_key, normalize_email, normalize_phone
from patron.customers.actions import (
    add_address,
    change_status,
    remove_address,
    update_address,
    update_customer,
)
from patron.customers.cleaning import clean_address_values, clean_customer_values
from patron.customers.models import AddressKind, Customer
from patron.transfer.imports.mappings import RowInput

ADDRESS_PARTS = ("kind", "label", "line1", "line2", "line3", "line4", "city", "region", "postal_code", "country")
_LISTS = ("phones", "emails", "tags", "location_groups")


@dataclass
class Known:
    """What a batch read about its matched customers, in a few queries for all of them."""

    customers: dict[int, Customer]  # with phones, e-mails, tags, groups and addresses prefetched
    consents: dict[int, dict]  # customer id -> channel -> latest consent event
    with_account: set[int]  # customers that have a credit account
    linked: set[str]  # the batch's external references linked already

    def forget(self, customer_id: int) -> None:
        """Read a customer again after a row changed it (its account, consents, references too)."""
        fresh = read_known([customer_id], sorted(self.linked), self.channel_code)
        self.customers.update(fresh.customers)
        self.consents[customer_id] = fresh.consents.get(customer_id, {})
        self.with_account |= fresh.with_account
        self.linked |= fresh.linked

    channel_code: str = ""


def _customers_with_parts(customer_ids: list[int]) -> dict[int, Customer]:
    return (Customer.objects.select_related("price_level", "home_location")
            .prefetch_related("phones", "emails", "tags", "location_groups", "addresses").in_bulk(customer_ids))


def read_known(customer_ids: list[int], refs: list[str], channel_code: str) -> Known:
    from patron.credit.models import CreditAccount
    from patron.marketing.queries import latest_consents

    customers = _customers_with_parts(customer_ids)
    linked: set[str] = set()
    if refs and channel_code:
        from patron.channels.queries import channel_by_code, customer_ids_for_references

        linked = set(customer_ids_for_references(channel_by_code(channel_code), refs))
    return Known(customers=customers, consents=latest_consents(customer_ids),
                 with_account=set(CreditAccount.objects.filter(customer_id__in=customer_ids)
                                  .values_list("customer_id", flat=True)),
                 linked=linked, channel_code=channel_code)


def is_unchanged(customer: Customer, row: RowInput, known: Known, *, wants_balance: bool, region: str = "") -> bool:
    """Whether applying the row would leave the customer exactly as it is. Unsure (a value the
    rules would refuse, say) counts as a change: the action then says what is wrong."""
    try:
        return (_same_values(customer, row, region) and _same_lists(customer, row, region)
                and _same_addresses(customer, row)
                and (not row.status or row.status == customer.status)
                and _same_consents(customer, row, known)
                and (not row.external_ref or row.external_ref in known.linked)
                and not (wants_balance and customer.pk not in known.with_account))
    except (ValidationFailed, InvalidValue):
        return False


def _same_values(customer: Customer, row: RowInput, region: str) -> bool:
    values = {name: value for name, value in row.values.items() if name not in _LISTS}
    if not values:
        return True
    current = {name: getattr(customer, name) for name in ("first_name", "name_prefix", "last_name", "name", "tax_id",
                                                           "tax_id_country")}
    cleaned = clean_customer_values(values, kind=customer.kind, current=current,
                                    context={"existing_custom_fields": customer.custom_fields,
                                             "phone_region": region or None})
    for name, value in cleaned.items():
        if name in ("price_level", "home_location"):
            if (value.pk if value is not None else None) != getattr(customer, f"{name}_id"):
                return False
        elif getattr(customer, name) != value:
            return False
    return True


def _same_lists(customer: Customer, row: RowInput, region: str) -> bool:
    values = row.values
    have_phones = {phone.e164 for phone in customer.phones.all()}
    if any(normalize_phone(phone["number"], region or None) not in have_phones for phone in values.get("phones", [])):
        return False
    have_emails = {email.address_key for email in customer.emails.all()}
    if any(email_key(normalize_email(email["address"])) not in have_emails for email in values.get("emails", [])):
        return False
    have_tags = {tag.name.casefold() for tag in customer.tags.all()}
    if any(name.casefold() not in have_tags for name in values.get("tags", [])):
        return False
    groups = values.get("location_groups")
    return not groups or {group.pk for group in groups} == {group.pk for group in customer.location_groups.all()}


def _same_addresses(customer: Customer, row: RowInput) -> bool:
    for address in row.addresses:
        cleaned = clean_address_values(address, creating=False)
        current = _address_to_update(customer, cleaned)
        if current is None or not _fits(current, cleaned):
            return False
    return True


def _fits(address, cleaned: dict) -> bool:
    return all(getattr(address, name) == value for name, value in cleaned.items())


def _address_to_update(customer: Customer, cleaned: dict):
    """The customer's address a row's address replaces: the one of its kind (contact, billing), or
    for a shipping address the one at the same street and postal code (a customer has several)."""
    same_kind = [address for address in customer.addresses.all() if address.kind == cleaned["kind"]]
    if cleaned["kind"] != AddressKind.SHIPPING:
        return same_kind[0] if same_kind else None
    return next((address for address in same_kind if address.line1 == cleaned.get("line1", "")
                 and address.postal_code == cleaned.get("postal_code", "")), None)


def _same_consents(customer: Customer, row: RowInput, known: Known) -> bool:
    latest = known.consents.get(customer.pk, {})
    return all(channel in latest and latest[channel].granted == granted for channel, granted in row.consents.items())


def apply_row(customer: Customer, row: RowInput, actor: Actor, *, region: str = "") -> Customer:
    """A matching row fills what it gives: scalar values replace, phones, e-mails and tags are
    added to those the customer has, an address replaces the one of its kind. National phone
    numbers and tax IDs are read in ``region`` (the row's, see customers.regions)."""
    values = dict(row.values)
    if "phones" in values:
        have = {phone.e164 or phone.number for phone in customer.phones.all()}
        current = [{"kind": phone.kind, "number": phone.number} for phone in customer.phones.all()]
        values["phones"] = current + [phone for phone in values["phones"] if _phone_key(phone, region) not in have]
    if "emails" in values:
        have = {email.address_key for email in customer.emails.all()}
        current = [{"kind": email.kind, "address": email.address} for email in customer.emails.all()]
        values["emails"] = current + [email for email in values["emails"] if email_key(email["address"]) not in have]
    if "tags" in values:
        values["tags"] = sorted({*(tag.name for tag in customer.tags.all()), *values["tags"]})
    if not values.get("location_groups"):
        values.pop("location_groups", None)
    if values:
        customer = update_customer(actor=actor, customer=customer, values=values, region=region)
    for address in row.addresses:
        current = _address_to_update(customer, clean_address_values(address, creating=False))
        if current is None:
            add_address(actor=actor, customer=customer, values=address)
        else:
            update_address(actor=actor, address=current, values={k: v for k, v in address.items() if k != "kind"})
    if row.status and row.status != customer.status:
        customer = change_status(actor=actor, customer=customer, status=row.status, reason="Import")
    customer.refresh_from_db()
    return customer


def _phone_key(phone: dict, region: str) -> str:
    try:
        return normalize_phone(phone["number"], region or None)
    except InvalidValue:
        return phone["number"]


# --- taking a row back --------------------------------------------------------------------------

def restorable_state(customer: Customer) -> dict:
    """What an import may change on a customer, in the form the actions take it back."""
    customer = Customer.objects.select_related("price_level").get(pk=customer.pk)
    return {
        "values": {
            **{name: _plain(getattr(customer, name)) for name in (
                "first_name", "name_prefix", "last_name", "name", "account_number", "birth_date", "tax_id",
                "tax_id_country", "is_tax_exempt", "default_discount", "is_employee", "notes", "custom_fields")},
            "price_level": customer.price_level.code if customer.price_level_id else "",
            "phones": [{"kind": phone.kind, "number": phone.number} for phone in customer.phones.all()],
            "emails": [{"kind": email.kind, "address": email.address} for email in customer.emails.all()],
            "tags": sorted(customer.tags.values_list("name", flat=True)),
        },
        "status": customer.status,
        "addresses": {str(address.uuid): {name: getattr(address, name) for name in ADDRESS_PARTS}
                      for address in customer.addresses.order_by("pk")},
    }


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def restore(customer: Customer, before: dict, actor: Actor) -> None:
    """Give a customer back the values ``restorable_state`` kept before an import changed them."""
    values = dict(before["values"])
    for name in ("name",) if customer.kind == "person" else ("first_name", "name_prefix", "last_name"):
        values.pop(name, None)
    old_custom = before["values"]["custom_fields"] or {}
    values["custom_fields"] = {key: old_custom.get(key) for key in {*(customer.custom_fields or {}), *old_custom}}
    customer = update_customer(actor=actor, customer=customer, values=values)
    for address in customer.addresses.all():
        old = before["addresses"].get(str(address.uuid))
        if old is None:
            remove_address(actor=actor, address=address)
        else:
            update_address(actor=actor, address=address, values={k: v for k, v in old.items() if k != "kind"})
    if customer.status != before["status"]:
        change_status(actor=actor, customer=customer, status=before["status"], reason="Import rolled back")
