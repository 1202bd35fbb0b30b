"""Configuring webshop channels, and applying the customers they deliver.

A delivery is applied once: the channel's reference (channel, external id) binds the webshop's
customer to one Patron customer, a delivery older than the last one applied is ignored, and of a
newer one only what the webshop changed since its last delivery is applied, through
patron.customers.actions, so edits made in the shop stay and a repeat changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.channels.deliveries import ADDRESS_FIELD_NAMES, CustomerDelivery, DeliveredAddress
from patron.channels.models import Channel, Delivery, DeliveryOutcome, ExternalReference
from patron.channels.queries import customer_ids_for_references
from patron.core.actors import Actor, system_actor
from patron.core.audit import audit_event, record_event, record_events
from patron.core.errors import Conflict, DomainError, ValidationFailed
from patron.core.normalize import InvalidValue, clean_text, email_key, normalize_email, normalize_phone, phone_digits
from patron.core.permissions import require
from patron.core.validation import FieldErrors
from patron.customers import actions as customer_actions
from patron.customers.actions.records import lock_customer
from patron.customers.cleaning import clean_address_values
from patron.customers.models import AddressKind, Customer, CustomerKind
from patron.customers.regions import address_country, phone_region, store_country
from patron.duplicates.entry import candidates_for_entry
from patron.locations.models import Location
from patron.marketing.actions import record_consent

MANAGE = "channels.manage"
SECRET_PREFIX = "pcs_"
MIN_SECRET_LENGTH = 16
ROTATION_OVERLAP = timedelta(hours=24)
DELIVERY_LOG_RETENTION = timedelta(days=30)
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def channel_actor(channel: Channel) -> Actor:
    """Who the audit trail names for what a delivery changes: the channel itself."""
    return system_actor(f"channel: {channel.code}", location_id=channel.location_id)


# --- configuration (admins) ---------------------------------------------------------------------

def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _clean_given_secret(secret: str) -> str:
    secret = (secret or "").strip()
    if len(secret) < MIN_SECRET_LENGTH or len(secret) > 100 or not secret.isprintable():
        raise ValidationFailed(_("A signing secret has %(min_secret_length)s to 100 printable characters.") % {
            "min_secret_length": MIN_SECRET_LENGTH},
                               field="secret")
    return secret


@transaction.atomic
def create_channel(*, actor: Actor, code: str, name: str, location: Location | None = None,
                   secret: str | None = None) -> tuple[Channel, str]:
    """Create a channel; returns it with its signing secret (generated unless given, e.g. the
    secret Shopify signs its webhooks with). Show the secret once: it is not shown again."""
    require(actor, MANAGE)
    errors = FieldErrors()
    code = (code or "").strip().lower()
    if not _CODE.fullmatch(code):
        errors.add("code", _("Use 1 to 40 lower-case letters, digits and dashes, starting with a letter or digit."))
    name = errors.clean("name", clean_text, name, max_length=100)
    if errors.errors.get("name") is None and not name:
        errors.add("name", _("Enter the name of the webshop."))
    errors.raise_if_any()
    secret = _clean_given_secret(secret) if secret else _new_secret()
    if Channel.objects.filter(code=code).exists():
        raise Conflict(_("A channel with the code %(code)s exists already.") % {
            "code": code}, field="code", code="channel-code-taken")
    try:
        with transaction.atomic():
            channel = Channel.objects.create(code=code, name=name, secret=secret, location=location)
    except IntegrityError:
        raise Conflict(_("A channel with the code %(code)s exists already.") % {"code": code}, field="code",
                       code="channel-code-taken") from None
    record_event(actor=actor, action="channel.created", subject=channel,
                 data={"code": code, "name": name, "location": location.code if location else None})
    return channel, secret


@transaction.atomic
def rotate_secret(*, actor: Actor, channel: Channel, secret: str | None = None,
                  overlap: timedelta = ROTATION_OVERLAP) -> tuple[Channel, str]:
    """Give the channel a new secret (generated unless given); the old one keeps working for
    ``overlap`` so the webshop can switch without losing deliveries."""
    require(actor, MANAGE)
    secret = _clean_given_secret(secret) if secret else _new_secret()
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    now = timezone.now()
    channel.previous_secret, channel.previous_secret_expires_at = channel.secret, now + overlap
    channel.secret, channel.secret_rotated_at = secret, now
    channel.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "secret_rotated_at"])
    record_event(actor=actor, action="channel.secret_rotated", subject=channel,
                 data={"previous_secret_valid_until": channel.previous_secret_expires_at})
    return channel, secret


@transaction.atomic
def deactivate_channel(*, actor: Actor, channel: Channel) -> Channel:
    """Stop accepting deliveries from the channel; its references stay."""
    require(actor, MANAGE)
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if channel.is_active:
        channel.is_active = False
        channel.save(update_fields=["is_active"])
        record_event(actor=actor, action="channel.deactivated", subject=channel, changes={"is_active": [True, False]})
    return channel


@transaction.atomic
def reactivate_channel(*, actor: Actor, channel: Channel) -> Channel:
    require(actor, MANAGE)
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if not channel.is_active:
        channel.is_active = True
        channel.save(update_fields=["is_active"])
        record_event(actor=actor, action="channel.reactivated", subject=channel, changes={"is_active": [False, True]})
    return channel


# --- references for the importer ------------------------------------------------------------------

@transaction.atomic
def link_references(*, actor: Actor, channel: Channel, pairs: list[tuple[int, str]]) -> int:
    """Bind customers to the channel's external ids (customer pk, external id), e.g. after an
    import of the webshop's customer export, so later deliveries update them instead of creating
    duplicates. Pairs already linked are skipped; an id linked to another customer is a Conflict
    and nothing is linked. Returns how many links were made."""
    require(actor, "customers.import")
    wanted: dict[str, int] = {}
    for customer_id, external_id in pairs:
        external_id = str(external_id).strip()
        if not external_id or len(external_id) > 100:
            raise ValidationFailed(_("An external id has 1 to 100 characters."), field="external_id")
        if wanted.setdefault(external_id, customer_id) != customer_id:
            raise Conflict(_("The external id %(external_id)s is given for two customers.") % {
                "external_id": external_id}, code="reference-taken")
    existing = customer_ids_for_references(channel, list(wanted))
    clashes = sorted(external_id for external_id, customer_id in existing.items() if wanted[external_id] != customer_id)
    if clashes:
        raise Conflict(_("%(code)s ids already linked to other customers: %(ids)s.") % {
            "code": channel.code, "ids": ', '.join(clashes[:10])},
                       code="reference-taken")
    new = {external_id: customer_id for external_id, customer_id in wanted.items() if external_id not in existing}
    customers = Customer.objects.in_bulk(set(new.values()))
    missing = sorted(external_id for external_id, customer_id in new.items() if customer_id not in customers)
    if missing:
        raise ValidationFailed(_("No customer for the external ids %(ids)s.") % {
            "ids": ', '.join(missing[:10])}, field="customer_id")
    references = ExternalReference.objects.bulk_create(
        [ExternalReference(channel=channel, external_id=external_id, customer_id=customer_id)
         for external_id, customer_id in new.items()], batch_size=2000)
    record_events([audit_event(actor=actor, action="channel.reference_linked", subject=customers[reference.customer_id],
                               data={"channel": channel.code, "external_id": reference.external_id})
                   for reference in references])
    return len(references)


@transaction.atomic
def forget_customer(*, actor: Actor, customer: Customer) -> int:
    """Drop what the channels hold about a customer (for erasure): the references, with the
    values the webshop last sent, and the delivery log's link. A later delivery of that webshop
    customer then makes a new customer instead of refilling the erased one. Returns how many
    references went."""
    require(actor, "privacy.manage")
    references = list(ExternalReference.objects.filter(customer=customer).select_related("channel"))
    Delivery.objects.filter(customer=customer).update(customer=None, external_id="")
    ExternalReference.objects.filter(pk__in=[reference.pk for reference in references]).delete()
    if references:
        record_event(actor=actor, action="channel.references_forgotten", subject=customer,
                     data={"channels": sorted({reference.channel.code for reference in references})})
    return len(references)


# --- deliveries -------------------------------------------------------------------------------------

@dataclass
class DeliveryResult:
    outcome: str
    customer: Customer | None
    external_id: str
    replayed: bool = False


def delivery_key(*, sender_key: str | None, body: bytes) -> tuple[str, str]:
    """(key, body hash): the sender's delivery id when it sends one, else the body's hash."""
    body_sha256 = hashlib.sha256(body).hexdigest()
    return (sender_key or f"sha256:{body_sha256}"), body_sha256


@transaction.atomic
def receive_customer(*, channel: Channel, delivery: CustomerDelivery, key: str, body_sha256: str) -> DeliveryResult:
    """Apply one delivery of a webshop customer (the caller has checked its signature).

    ``key`` identifies the delivery: seen before with the same body, its first outcome is returned
    and nothing is applied; with another body it is a Conflict. Concurrent first deliveries of one
    external id are serialised (PostgreSQL: an advisory lock; SQLite: one writer at a time), so
    they never make two customers."""
    _lock_external_id(channel, delivery.external_id)
    earlier = Delivery.objects.filter(channel=channel, key=key).select_related("customer").first()
    if earlier is not None:
        if earlier.body_sha256 != body_sha256:
            raise Conflict(_("This delivery id was already used for another body; send a new one."),
                           code="delivery-id-reused")
        return DeliveryResult(earlier.outcome, earlier.customer, earlier.external_id, replayed=True)
    actor = channel_actor(channel)
    reference = (ExternalReference.objects.select_for_update().select_related("customer")
                 .filter(channel=channel, external_id=delivery.external_id).first())
    region = _region(channel, delivery, reference.customer if reference else None)
    _check(delivery, region)
    with _pointing_at_the_delivery():
        if reference is None:
            reference, outcome = _create_or_link(actor, channel, delivery)
        elif reference.source_updated_at and delivery.updated_at < reference.source_updated_at:
            outcome = DeliveryOutcome.STALE
        else:
            outcome = _update(actor, reference, delivery, region)
    try:
        with transaction.atomic():
            Delivery.objects.create(channel=channel, key=key, body_sha256=body_sha256,
                                    external_id=delivery.external_id, customer=reference.customer, outcome=outcome)
    except IntegrityError:  # the same key for another customer, at this very moment
        raise Conflict(_("A delivery with this id is being processed; retry in a moment."),
                       code="delivery-in-flight") from None
    return DeliveryResult(outcome, reference.customer, delivery.external_id)


def purge_deliveries(*, older_than: timedelta = DELIVERY_LOG_RETENTION, now=None, batch_size: int = 10_000) -> int:
    """Delete delivery log entries past the retention, in batches; returns how many went. A
    delivery repeated after that is applied again, which changes nothing: the reference's
    updated_at and last values make it "unchanged" or "stale"."""
    cutoff = (now or timezone.now()) - older_than
    purged = 0
    while batch := list(Delivery.objects.filter(received_at__lt=cutoff).values_list("pk", flat=True)[:batch_size]):
        purged += Delivery.objects.filter(pk__in=batch).delete()[0]
    return purged


def _lock_external_id(channel: Channel, external_id: str) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's IMMEDIATE transactions already let one writer in at a time
    digest = hashlib.sha256(f"patron.channels:{channel.pk}:{external_id}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)])


def _region(channel: Channel, delivery: CustomerDelivery, customer: Customer | None) -> str:
    """The country the delivery's national phone number is read in (``customers.regions``): its
    addresses' country, else the customer's, else the country of the channel's store."""
    country = address_country(address.address_values() for address in delivery.addresses if not address.is_blank())
    if not country and customer is not None:
        country = address_country(customer.addresses.all())
    return phone_region(country, store_country(channel.location_id))


def _check(delivery: CustomerDelivery, region: str) -> None:
    """Check the values only a delivery has (the customer actions check the rest), naming the
    delivery's fields; raises before anything is written."""
    errors = FieldErrors()
    if delivery.email:
        errors.clean("email", normalize_email, delivery.email)
    if delivery.phone:
        errors.clean("phone", normalize_phone, delivery.phone, region)
    for index, address in enumerate(delivery.addresses):
        if address.is_blank():
            continue
        try:
            clean_address_values({"kind": AddressKind.SHIPPING, **address.address_values()}, creating=True)
        except ValidationFailed as error:
            for field, messages in error.errors.items():
                errors.errors.setdefault(f"addresses.{index}.{ADDRESS_FIELD_NAMES.get(field, field)}",
                                         []).extend(messages)
    errors.raise_if_any()


class _pointing_at_the_delivery:
    """Rename the customer actions' field names in errors to the delivery's (notes -> note, ...)."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, DomainError):
            error.errors = {self._rename(field): messages for field, messages in error.errors.items()}
            error.field = self._rename(error.field) if error.field else error.field
        return False

    @staticmethod
    def _rename(field: str) -> str:
        head = field.split(".")[0]
        return {"emails": "email", "phones": "phone", "notes": "note"}.get(head, field)


def _name_values(delivery: CustomerDelivery) -> dict:
    """First and last name; a customer the webshop knows only by e-mail or phone is named by it."""
    if delivery.first_name.strip() or delivery.last_name.strip():
        return {"first_name": delivery.first_name, "last_name": delivery.last_name}
    fallback = delivery.email or delivery.phone or f"Webshop customer {delivery.external_id}"
    return {"first_name": "", "last_name": fallback[:100]}


def _create_or_link(actor: Actor, channel: Channel, delivery: CustomerDelivery) -> tuple[ExternalReference, str]:
    """A webshop customer seen for the first time: linked to the customer it is strongly likely to
    be (patron/duplicates), else created. Never a second record for a strong match."""
    values, addresses = _new_customer_values(delivery)
    candidates = candidates_for_entry(actor, kind=CustomerKind.PERSON, values=values, addresses=addresses)
    if candidates and candidates[0].match.is_strong:
        return _link(actor, channel, delivery, candidates[0]), DeliveryOutcome.LINKED
    return _create(actor, channel, delivery), DeliveryOutcome.CREATED


def _link(actor: Actor, channel: Channel, delivery: CustomerDelivery, candidate) -> ExternalReference:
    """Tie the webshop's id to an existing customer. Its record is left as it is; what the webshop
    changes from now on is applied to it, as to a customer the channel created."""
    customer = candidate.customer
    reference = ExternalReference.objects.create(
        channel=channel, external_id=delivery.external_id, customer=customer, source_updated_at=delivery.updated_at,
        last_delivery_at=timezone.now(), delivered=_delivered(delivery, {}))
    _record_consents(actor, customer, delivery, previous={})
    record_event(actor=actor, action="channel.customer_linked", subject=customer,
                 data={"channel": channel.code, "external_id": delivery.external_id, "score": candidate.match.score,
                       "reasons": list(candidate.match.codes)})
    return reference


def _new_customer_values(delivery: CustomerDelivery) -> tuple[dict, list[dict]]:
    values = {**_name_values(delivery), "notes": delivery.note, "tags": list(delivery.tags),
              "emails": [{"kind": "personal", "address": delivery.email}] if delivery.email else [],
              "phones": [{"kind": "mobile", "number": delivery.phone}] if delivery.phone else []}
    kept = [address for address in delivery.addresses if not address.is_blank()]
    kinds = _address_kinds(kept, contact_taken=False)
    return values, [{"kind": kind, **address.address_values()} for address, kind in zip(kept, kinds, strict=True)]


def _create(actor: Actor, channel: Channel, delivery: CustomerDelivery) -> ExternalReference:
    values, addresses = _new_customer_values(delivery)
    kept = [address for address in delivery.addresses if not address.is_blank()]
    customer = customer_actions.create_customer(actor=actor, kind=CustomerKind.PERSON, values=values,
                                                addresses=addresses)
    stored = list(customer.addresses.order_by("id").values_list("uuid", flat=True))
    reference = ExternalReference.objects.create(
        channel=channel, external_id=delivery.external_id, customer=customer, source_updated_at=delivery.updated_at,
        last_delivery_at=timezone.now(),
        delivered=_delivered(delivery, {address.key: str(uuid) for address, uuid in zip(kept, stored, strict=True)}))
    _record_consents(actor, customer, delivery, previous={})
    record_event(actor=actor, action="channel.customer_received", subject=customer,
                 data={"channel": channel.code, "external_id": delivery.external_id, "source": "webshop"})
    return reference


def _address_kinds(addresses: list[DeliveredAddress], *, contact_taken: bool) -> list[str]:
    """The default address becomes the contact address (while the customer has none), the rest
    shipping addresses."""
    kinds = []
    for address in addresses:
        if address.is_default and not contact_taken:
            kinds.append(AddressKind.CONTACT)
            contact_taken = True
        else:
            kinds.append(AddressKind.SHIPPING)
    return kinds


def _delivered(delivery: CustomerDelivery, address_uuids: dict[str, str]) -> dict:
    values = delivery.values()
    values.update(_name_values(delivery))
    values["address_uuids"] = address_uuids
    return values


def _update(actor: Actor, reference: ExternalReference, delivery: CustomerDelivery, region: str) -> str:
    """Apply what the webshop changed since its last delivery; returns the outcome."""
    customer = lock_customer(reference.customer, None)
    version = customer.version
    previous, now = reference.delivered or {}, _delivered(delivery, {})
    values = {field: now[field] for field in ("first_name", "last_name") if now[field] != previous.get(field)}
    if now["note"] != previous.get("note"):
        values["notes"] = now["note"]
    if now["email"] != previous.get("email"):
        values["emails"] = _replace_email(customer, previous.get("email") or "", now["email"])
    if now["phone"] != previous.get("phone"):
        values["phones"] = _replace_phone(customer, previous.get("phone") or "", now["phone"], region)
    if now["tags"] != previous.get("tags"):
        values["tags"] = _replace_tags(customer, previous.get("tags") or [], now["tags"])
    if values:
        customer = customer_actions.update_customer(actor=actor, customer=customer, values=values, region=region)
    now["address_uuids"] = _apply_addresses(actor, customer, delivery, previous)
    consented = _record_consents(actor, customer, delivery, previous)
    customer.refresh_from_db()
    reference.customer = customer
    reference.delivered, reference.source_updated_at = now, delivery.updated_at
    reference.last_delivery_at = timezone.now()
    reference.save(update_fields=["delivered", "source_updated_at", "last_delivery_at"])
    return DeliveryOutcome.UPDATED if customer.version != version or consented else DeliveryOutcome.UNCHANGED


def _replace_email(customer: Customer, old: str, new: str) -> list[dict]:
    """The customer's e-mails with the one the webshop sent last replaced by its new one (others stay)."""
    emails = [{"kind": email.kind, "address": email.address} for email in customer.emails.all()]
    if old:
        emails = [email for email in emails if email_key(email["address"]) != email_key(old)]
    if new and email_key(new) not in {email_key(email["address"]) for email in emails}:
        emails.insert(0, {"kind": "personal", "address": new})
    return emails


def _replace_phone(customer: Customer, old: str, new: str, region: str) -> list[dict]:
    phones = [{"kind": phone.kind, "number": phone.number, "e164": phone.e164} for phone in customer.phones.all()]
    old_e164, new_e164 = _e164(old, region), _e164(new, region)
    if old:
        phones = [phone for phone in phones if phone["e164"] != old_e164
                  and phone_digits(phone["number"]) != phone_digits(old)]
    if new and new_e164 not in {phone["e164"] for phone in phones}:
        phones.insert(0, {"kind": "mobile", "number": new})
    return [{"kind": phone["kind"], "number": phone["number"]} for phone in phones]


def _e164(number: str, region: str) -> str:
    try:
        return normalize_phone(number, region) if number else ""
    except InvalidValue:
        return ""


def _replace_tags(customer: Customer, old: list[str], new: list[str]) -> list[str]:
    removed = {tag.casefold() for tag in old} - {tag.casefold() for tag in new}
    tags = [tag.name for tag in customer.tags.all() if tag.name.casefold() not in removed]
    present = {tag.casefold() for tag in tags}
    return tags + [tag for tag in new if tag.casefold() not in present]


def _apply_addresses(actor: Actor, customer: Customer, delivery: CustomerDelivery, previous: dict) -> dict[str, str]:
    """Add, change or remove the addresses the webshop added, changed or removed since its last
    delivery; addresses entered in the shop are left alone. Returns key -> address uuid."""
    old_values, old_uuids = previous.get("addresses") or {}, previous.get("address_uuids") or {}
    existing = {str(address.uuid): address for address in customer.addresses.all()}
    uuids: dict[str, str] = {}
    kept = [address for address in delivery.addresses if not address.is_blank()]
    contact_taken = any(address.kind == AddressKind.CONTACT for address in existing.values())
    for address in kept:
        values = address.address_values()
        current = existing.get(old_uuids.get(address.key, ""))
        if current is None and address.key in old_uuids:
            uuids[address.key] = old_uuids[address.key]  # removed in the shop: the webshop does not bring it back
            continue
        if current is None:
            current = _same_place(existing.values(), values, taken=set(uuids.values()) | set(old_uuids.values()))
        if current is None:
            kind = _address_kinds([address], contact_taken=contact_taken)[0]
            contact_taken = contact_taken or kind == AddressKind.CONTACT
            current = customer_actions.add_address(actor=actor, customer=customer, values={"kind": kind, **values})
        elif address.key in old_values and values != old_values[address.key]:
            current = customer_actions.update_address(actor=actor, address=current, values=values)
        uuids[address.key] = str(current.uuid)
    for key, uuid in old_uuids.items():
        if key not in uuids and uuid in existing:  # the webshop removed it
            customer_actions.remove_address(actor=actor, address=existing[uuid])
    return uuids


def _same_place(addresses, values: dict, *, taken: set[str]):
    """An address the customer has already (e.g. from an import of the webshop's export) at the
    place the webshop sends: adopted rather than added twice."""
    def place(line1, city, postal_code) -> tuple:
        return (line1.strip().casefold(), city.strip().casefold(), postal_code.replace(" ", "").casefold())

    wanted = place(values["line1"], values["city"], values["postal_code"])
    return next((address for address in addresses if str(address.uuid) not in taken
                 and place(address.line1, address.city, address.postal_code) == wanted), None)


def _record_consents(actor: Actor, customer: Customer, delivery: CustomerDelivery, previous: dict) -> bool:
    """Record the consents the webshop states, when they differ from what it stated last."""
    recorded = False
    for channel, granted, moment in (("email", delivery.email_consent, delivery.email_consent_at),
                                     ("sms", delivery.sms_consent, delivery.sms_consent_at)):
        if granted is None or granted == previous.get(f"{channel}_consent"):
            continue
        occurred_at = min(moment or delivery.updated_at, timezone.now())
        record_consent(actor=actor, customer=customer, channel=channel, granted=granted, source="webshop",
                       proof=f"Webshop customer {delivery.external_id}, delivery of {delivery.updated_at.isoformat()}",
                       occurred_at=occurred_at)
        recorded = True
    return recorded

