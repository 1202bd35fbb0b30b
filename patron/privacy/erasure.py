"""Erasing a customer (GDPR Art. 17) while keeping the books (Art. 17(3)(b)).

``request_erasure`` records the request. When the customer still owes money (or is owed it) on
their credit account, or the retention hold after their last sale is running (returns and
chargebacks come back within it; ``PATRON_PRIVACY_HOLD_DAYS``, 180 by default), the request waits
as ``queued`` with what it waits for, and ``run_due`` (a scheduler calls ``patron privacy
run-due``) carries it out once that has cleared. Otherwise it is carried out at once.

Carrying it out is driven by the data inventory (``inventory.py``) and the customer's rows in
every table (``relations.py``):

- rows that hold nothing but personal data (phones, e-mails, addresses, messages,
  representations, consent history) are deleted;
- in other rows (the customer, contacts a sale names, ledger notes, consent history...) every
  ``personal`` field is blanked; the customer gets a tombstone name "Erased customer #<random>";
- ``financial-record`` fields stay: amounts, dates, stores, sale numbers, the account number;
  where they are free text, mentions of the person's name, e-mails, phones or tax ID are replaced;
- the audit trail is rewritten (inside ``append_only_unlocked``): the customer's own entries lose
  their personal values, other entries the mentions;
- the lookup index is rebuilt for the customer, the change feed announces the change, the photo
  file is deleted after the commit, and stored API answers naming the customer are dropped; the
  audit entry becomes the ``customer.erased`` event for webhook subscriptions (patron/events).

A second request for an erased customer (or one already queued) is a no-op returning the first.
"""

from __future__ import annotations

import datetime
import json
import logging
import secrets

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Max, Q
from django.db.models.functions import Cast
from django.utils import timezone

from patron.core.actors import Actor, system_actor
from patron.core.audit import record_event
from patron.core.db import append_only_unlocked
from patron.core.models import AuditEvent
from patron.core.permissions import require
from patron.credit.models import CreditAccount
from patron.customers.actions.records import sort_name_of
from patron.customers.changes import record_changes
from patron.customers.models import Customer, CustomerStatus, StatusChange
from patron.customers.search_index import forget_unused_words, index_customers, name_text, words
from patron.privacy import inventory
from patron.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from patron.privacy.relations import customer_models, customer_paths, rows_of
from patron.sales.models import Sale

log = logging.getLogger("patron.privacy")

ERASED = "[erased]"
NO_BLANK = object()  # a personal field that can be neither emptied nor nulled
MIN_MENTION = 5  # shorter values (a first name alone) would hit other people's text


def hold_days() -> int:
    return settings.PATRON_PRIVACY_HOLD_DAYS


# --- requests -------------------------------------------------------------------------------------

def request_erasure(*, actor: Actor, customer: Customer, reason: str,
                    now: datetime.datetime | None = None) -> PrivacyRequest:
    """Record an erasure request and carry it out now, or queue it while a hold lasts."""
    require(actor, "privacy.manage")
    now = now or timezone.now()
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        earlier = PrivacyRequest.objects.filter(kind=RequestKind.ERASURE, customer_uuid=customer.uuid) \
            .order_by("-received_at", "-id").first()
        if earlier is not None:  # queued already, or done: the same result again
            return earlier
        request = PrivacyRequest.objects.create(
            kind=RequestKind.ERASURE, customer=customer, customer_uuid=customer.uuid, reason=reason.strip()[:500],
            requested_by=actor.label[:150], received_at=now)
        record_event(actor=actor, action="privacy.erasure_requested", subject=request, customer=customer,
                     data={"reason": request.reason})
        _carry_out_or_wait(actor, request, customer, now)
    return request


def run_due(*, actor: Actor | None = None, now: datetime.datetime | None = None) -> list[PrivacyRequest]:
    """Carry out every queued erasure whose hold has cleared; return those carried out."""
    actor = actor or system_actor("privacy run-due")
    require(actor, "privacy.manage")
    now = now or timezone.now()
    done = []
    for request_id in PrivacyRequest.objects.filter(kind=RequestKind.ERASURE, status=RequestStatus.QUEUED) \
            .order_by("received_at", "id").values_list("pk", flat=True):
        try:
            with transaction.atomic():
                request = PrivacyRequest.objects.select_for_update().get(pk=request_id)
                if request.status != RequestStatus.QUEUED:
                    continue
                customer = Customer.objects.select_for_update().filter(pk=request.customer_id).first()
                if _carry_out_or_wait(actor, request, customer, now):
                    done.append(request)
        except Exception:  # one failing erasure must not keep the others waiting; it stays queued
            log.exception("Queued erasure %s failed; it stays queued", request_id)
    return done


def holds(customer: Customer, now: datetime.datetime) -> list[str]:
    """What keeps the customer's data from being erased now (empty: nothing)."""
    reasons = []
    balance = CreditAccount.objects.filter(customer=customer).values_list("balance", flat=True).first()
    if balance:
        reasons.append(f"the credit balance is {balance}, not zero")
    last_sale = Sale.objects.filter(customer=customer).aggregate(last=Max("occurred_at"))["last"]
    last = max([moment for moment in (last_sale, customer.last_purchase_at) if moment], default=None)
    if last is not None and now < last + datetime.timedelta(days=hold_days()):
        until = (last + datetime.timedelta(days=hold_days())).date()
        reasons.append(f"the retention hold after the last sale runs until {until.isoformat()}")
    return reasons


def _carry_out_or_wait(actor: Actor, request: PrivacyRequest, customer: Customer | None,
                       now: datetime.datetime) -> bool:
    waiting_for = holds(customer, now) if customer is not None else []
    if waiting_for:
        request.waiting_for = "; ".join(waiting_for)[:500]
        request.save(update_fields=["waiting_for"])
        return False
    if customer is not None:
        erase_customer_data(customer)
    request.status, request.waiting_for, request.completed_at = RequestStatus.DONE, "", now
    request.save(update_fields=["status", "waiting_for", "completed_at"])
    # After the rewrite, so this entry names only the request and the tombstone.
    record_event(actor=actor, action="privacy.customer_erased", subject=request, customer=customer)
    return True


def erase_customer(*, actor: Actor, customer: Customer, reason: str,
                   now: datetime.datetime | None = None) -> PrivacyRequest:
    """The erasure as the issue names it: same as ``request_erasure``."""
    return request_erasure(actor=actor, customer=customer, reason=reason, now=now)


def is_erased(customer: Customer) -> bool:
    return PrivacyRequest.objects.filter(kind=RequestKind.ERASURE, customer_uuid=customer.uuid,
                                         status=RequestStatus.DONE).exists()


# --- carrying it out ------------------------------------------------------------------------------

def erase_customer_data(customer: Customer) -> None:
    """Remove the customer's personal data everywhere, keeping the books. Call in a transaction.
    The records merged into the customer (tombstones, patron/merging) are the same person: they
    are erased with it."""
    for merged in Customer.with_tombstones.filter(merged_into=customer).order_by("pk"):
        erase_customer_data(merged)
    mentions = _mentions(customer)
    old_words = set(words(name_text(customer)))
    photo = customer.photo
    with append_only_unlocked():
        for model in customer_models():
            if model in (Customer, AuditEvent):  # each has its own way below
                continue
            if deletes_rows(model):
                rows_of(model, customer).delete()
            else:
                _blank_rows(model, customer, mentions)
        _tombstone(customer)
        _rewrite_audit_trail(customer, mentions)
    _drop_stored_answers(customer, mentions)
    index_customers([customer])
    forget_unused_words(old_words)
    record_changes([customer])
    if photo:
        transaction.on_commit(lambda: default_storage.delete(photo))


def deletes_rows(model: type[models.Model]) -> bool:
    """Whether erasure deletes the customer's rows of ``model`` rather than blanking fields: rows that
    hold personal data and no record, and that no other row points at (a contact a sale names
    stays, blanked)."""
    if model is Customer or not customer_paths(model):
        return False
    if inventory.fields_of_class(model, inventory.FINANCIAL_RECORD) or \
            not inventory.fields_of_class(model, inventory.PERSONAL):
        return False
    return not any(not relation.many_to_many for relation in model._meta.related_objects)


def blank_value(field: models.Field):
    """What a personal field holds once erased: empty text, null, or the field's default."""
    if field.null:
        return None
    if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
        return ""
    if isinstance(field, models.BinaryField):
        return b""
    if field.has_default():
        return field.get_default()
    if isinstance(field, models.CharField) and field.blank:
        return ""
    return NO_BLANK


def _blank_rows(model, customer, mentions: list[str]) -> None:
    personal = [field for field in inventory.fields_of_class(model, inventory.PERSONAL) if not field.many_to_many]
    texts = [field for field in inventory.fields_of_class(model, inventory.FINANCIAL_RECORD)
             if isinstance(field, (models.CharField, models.TextField)) and not field.choices]
    rows = rows_of(model, customer)
    blanks = {field: blank_value(field) for field in personal}
    shared = {field.name: value for field, value in blanks.items() if value is not NO_BLANK and not field.unique}
    if shared:
        rows.update(**shared)
    # Unique text cannot all be blank: each row gets its own meaningless value.
    for field in (field for field, value in blanks.items() if value is not NO_BLANK and field.unique):
        for pk in rows.values_list("pk", flat=True):
            model._default_manager.filter(pk=pk).update(**{field.name: f"erased-{secrets.token_hex(6)}"})
    for relation in inventory.fields_of_class(model, inventory.PERSONAL):
        if relation.many_to_many:
            for row in rows:
                getattr(row, relation.name).clear()
    for field in texts:
        _replace_mentions(rows, field.name, mentions)


def _replace_mentions(rows, name: str, mentions: list[str]) -> None:
    found = Q(pk__in=[])
    for value in mentions:
        found |= Q(**{f"{name}__icontains": value})
    for row in rows.filter(found).only("pk", name):
        text = getattr(row, name)
        cleaned = _without_mentions(text, mentions)
        if cleaned != text:
            type(row)._default_manager.filter(pk=row.pk).update(**{name: cleaned})


def _tombstone(customer: Customer) -> None:
    for field in inventory.fields_of_class(Customer, inventory.PERSONAL):
        if field.many_to_many:
            getattr(customer, field.name).clear()
        elif blank_value(field) is not NO_BLANK:
            setattr(customer, field.name, blank_value(field))
    number = secrets.token_hex(4)
    customer.name = f"Erased customer #{number}"
    if customer.is_person:
        customer.first_name, customer.last_name = "Erased customer", f"#{number}"
    customer.sort_name = sort_name_of(customer)
    previous = customer.status
    if previous in (CustomerStatus.ACTIVE, CustomerStatus.PROSPECT, CustomerStatus.CREDIT_HOLD):
        # Off the till: nobody is served as an erased customer.
        customer.status, customer.status_changed_at = CustomerStatus.INACTIVE, timezone.now()
        StatusChange.objects.create(customer=customer, from_status=previous, to_status=customer.status,
                                    reason="Personal data erased on request", actor_label="privacy")
    customer.version += 1
    customer.save()


# --- what the person could be recognised by -------------------------------------------------------

def _mentions(customer: Customer) -> list[str]:
    """Distinctive values of the person that other text may quote: names, e-mails, phones, tax ID,
    the names and contact points of their contacts. Longest first, so a full name is replaced
    before a part of it."""
    values = {customer.name, f"{customer.first_name} {customer.last_name}".strip(), customer.tax_id}
    values.update(value for phone in customer.phones.all() for value in (phone.number, phone.e164))
    values.update(email.address for email in customer.emails.all())
    for contact in customer.contacts.all():
        values.update((f"{contact.first_name} {contact.last_name}".strip(), contact.email, contact.phone,
                       contact.phone_e164, contact.mobile_phone, contact.mobile_phone_e164))
    return sorted((value for value in values if value and len(value) >= MIN_MENTION), key=len, reverse=True)


def _without_mentions(text: str, mentions: list[str]) -> str:
    for value in mentions:
        text = _replace_folded(text, value)
    return text


def _replace_folded(text: str, value: str) -> str:
    lowered, needle, start, out = text.lower(), value.lower(), 0, []
    while (found := lowered.find(needle, start)) >= 0:
        out.append(text[start:found] + ERASED)
        start = found + len(needle)
    return "".join(out) + text[start:]


# --- the audit trail ------------------------------------------------------------------------------

def _rewrite_audit_trail(customer: Customer, mentions: list[str]) -> None:
    """The customer's own entries keep who did what when, and lose the personal values; other
    entries that quote the person (a company's trail naming its representative) lose the quotes."""
    own = AuditEvent.objects.filter(customer_uuid=customer.uuid).exclude(action__startswith="privacy.")
    for event in own.iterator(chunk_size=500):
        model = _model_named(event.object_type)
        AuditEvent.objects.filter(pk=event.pk).update(
            object_label=ERASED if event.object_label else "",
            changes=_erased_values(model, event.changes), data=_erased_values(model, event.data))
    if not mentions:
        return
    quoting = Q(pk__in=[])
    for value in mentions:
        escaped = json.dumps(value)[1:-1]  # how JSON text stores it (SQLite keeps \u escapes)
        for column in ("changes", "data"):
            quoting |= Q(**{f"{column}_text__icontains": value}) | Q(**{f"{column}_text__icontains": escaped})
        quoting |= Q(object_label__icontains=value)
    others = AuditEvent.objects.exclude(customer_uuid=customer.uuid).annotate(
        changes_text=Cast("changes", models.TextField()), data_text=Cast("data", models.TextField()))
    for event in others.filter(quoting).iterator(chunk_size=500):
        AuditEvent.objects.filter(pk=event.pk).update(
            object_label=_without_mentions(event.object_label, mentions),
            changes=_json_without_mentions(event.changes, mentions), data=_json_without_mentions(event.data, mentions))


def _model_named(model_name: str):
    for model in inventory.stored_models():
        if model._meta.model_name == model_name:
            return model
    return None


def _erased_values(model, values):
    """Keep the values of fields the inventory says are not personal; erase every other value."""
    if not isinstance(values, dict):
        return {}
    kept = {}
    for key, value in values.items():
        try:
            field = model._meta.get_field(key) if model is not None else None
        except Exception:  # not a field of the model (phones, emails, reason...): erase it
            field = None
        keeps = field is not None and inventory.class_of(model, field) in (inventory.FINANCIAL_RECORD,
                                                                           inventory.OPERATIONAL)
        kept[key] = value if keeps else _erased_leaves(value)
    return kept


def _erased_leaves(value):
    if isinstance(value, list):
        return [_erased_leaves(item) for item in value]
    if isinstance(value, dict):
        return {key: _erased_leaves(item) for key, item in value.items()}
    return None if value is None or value == "" else ERASED


def _json_without_mentions(value, mentions: list[str]):
    if isinstance(value, str):
        return _without_mentions(value, mentions)
    if isinstance(value, list):
        return [_json_without_mentions(item, mentions) for item in value]
    if isinstance(value, dict):
        return {key: _json_without_mentions(item, mentions) for key, item in value.items()}
    return value


# --- copies kept elsewhere ------------------------------------------------------------------------

def _drop_stored_answers(customer: Customer, mentions: list[str]) -> None:
    """API answers kept for Idempotency-Key replays (a few days) may quote the customer: drop those."""
    try:
        stored = apps.get_model("api", "IdempotencyRecord")
    except LookupError:
        return
    needles = [str(customer.uuid).encode()] + [value.encode() for value in mentions] + \
        [json.dumps(value)[1:-1].encode() for value in mentions]
    quoting = []
    for pk, body in stored.objects.values_list("pk", "body").iterator(chunk_size=500):
        text = bytes(body).lower()
        if any(needle.lower() in text for needle in needles):
            quoting.append(pk)
    stored.objects.filter(pk__in=quoting).delete()
