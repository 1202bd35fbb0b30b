"""Merging customers into a survivor, and undoing a merge.

One transaction each. The customers are locked in the order of their ids (PostgreSQL: FOR UPDATE;
SQLite's write lock, taken at BEGIN, serialises writers anyway), so two staff merging the same
records at once get one merge and one clear error, and a charge or a sale racing the merge waits
and then lands on the survivor (customers.rules.locked_for_decision follows ``merged_into``).

What moves where is read from ``patron.merging.registry.MOVES``. ``Merge.snapshot`` keeps every
merged record and the survivor as they were and each row moved, dropped or changed, so ``unmerge``
can put each back; what was added to the survivor since the merge stays with it, and the
unmerge's report lists it.
"""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from patron.core.jsonable import jsonable
from patron.core.permissions import require
from patron.credit import actions as credit
from patron.credit.models import CreditAccount
from patron.customers.actions.records import sort_name_of
from patron.customers.changes import record_changes
from patron.customers.models import Address, AddressKind, Customer
from patron.customers.names import name_parts, person_name
from patron.customers.search_index import index_customers, unindex_customer
from patron.duplicates.actions import close_pairs_for_merge
from patron.loyalty import actions as loyalty
from patron.marketing.actions import record_consent
from patron.marketing.models import ConsentChannel, ConsentSource
from patron.marketing.queries import latest_consents
from patron.merging.models import Merge
from patron.merging.queries import undo_window
from patron.merging.registry import REINDEX, REPOINT, UNITE, UNITED_LISTS, moves_by_rule

# Fields of the record a merge lets staff pick from any of the records (by default the survivor's
# value, else the first merged record's that is not empty). The account number stays the
# survivor's (the old ones still find it); notes and custom fields are united.
PICKABLE = ("first_name", "name_prefix", "last_name", "name", "birth_date", "tax_id", "tax_id_country",
            "is_tax_exempt", "price_level", "default_discount", "is_employee", "always_formal_invoice", "home_location",
            "photo")
UNITED_FIELDS = ("notes", "custom_fields")
PURCHASE_FIGURES = ("total_purchases", "sale_count", "visit_count")
MAX_MERGED = 20
CHUNK = 500  # ids per statement when moving rows back


def _empty(value) -> bool:
    return value in (None, "", {}, []) or value is False


def default_choices(survivor: Customer, others: list[Customer]) -> dict[str, Customer]:
    """For each pickable field, the record whose value the survivor keeps by default: its own,
    else the first other record's that is not empty."""
    chosen = {}
    for field in PICKABLE:
        attname = Customer._meta.get_field(field).attname
        chosen[field] = survivor
        if _empty(getattr(survivor, attname)):
            chosen[field] = next((other for other in others if not _empty(getattr(other, attname))), survivor)
    return chosen


def _row_values(row) -> dict:
    return {field.attname: jsonable(getattr(row, field.attname)) for field in row._meta.concrete_fields}


def _restored(model, values: dict):
    fields = {field.attname: field for field in model._meta.concrete_fields}
    return model(**{name: fields[name].to_python(value) for name, value in values.items() if name in fields})


def _customer_values(customer: Customer) -> dict:
    values = _row_values(customer)
    for name in UNITED_LISTS:
        values[name] = sorted(getattr(customer, name).values_list("pk", flat=True))
    return values


def _lock(ids: list[int]) -> dict[int, Customer]:
    locked = Customer.with_tombstones.select_for_update().filter(pk__in=sorted(ids)).order_by("pk")
    return {customer.pk: customer for customer in locked}


@transaction.atomic
def merge_customers(*, actor: Actor, survivor: Customer, others: list[Customer],
                    field_choices: dict | None = None, idempotency_key: str = "") -> Merge:
    """Merge ``others`` into ``survivor``. ``field_choices`` maps a pickable field to the uuid of
    the record whose value the survivor takes (see ``default_choices`` for the rest). The same
    ``idempotency_key`` again returns the merge it made."""
    require(actor, "customers.merge")
    idempotency_key = (idempotency_key or "").strip()[:255]
    if idempotency_key:
        done = Merge.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            return _replayed(done, survivor, others)
    ids = [survivor.pk, *[other.pk for other in others]]
    if not others:
        raise ValidationFailed(_("Choose at least one other customer to merge into this one."), field="others",
                               code="nothing-to-merge")
    if len(others) > MAX_MERGED:
        raise ValidationFailed(_("Merge at most %(count)s customers at once.") % {"count": MAX_MERGED},
                               field="others")
    if survivor.pk in ids[1:]:
        raise RuleViolation(_("A customer cannot be merged into itself."), code="merge-into-itself")
    if len(set(ids)) != len(ids):
        raise ValidationFailed(_("Name each customer to merge once."), field="others")
    locked = _lock(ids)
    if len(locked) != len(ids):
        raise NotFound(_("No such customer."), code="customer-not-found")
    survivor, others = locked[survivor.pk], [locked[other.pk] for other in others]
    for customer in (survivor, *others):
        if customer.merged_into_id is not None:
            raise Conflict(_("%(name)s (%(account)s) was already merged into another customer.") % {
                "name": customer.name, "account": customer.account_number}, code="already-merged")
    if any(other.kind != survivor.kind for other in others):
        raise RuleViolation(_("Only customers of the same kind (person, company, placeholder) can be merged."),
                            code="merge-kinds-differ")
    choices = _checked_choices(field_choices or {}, survivor, others)

    merge = Merge(survivor=survivor, merged_uuids=[str(other.uuid) for other in others],
                  field_choices={field: str(record.uuid) for field, record in choices.items()},
                  idempotency_key=idempotency_key, actor_label=actor.label[:150])
    snapshot = {"survivor": _customer_values(survivor), "others": {str(o.pk): _customer_values(o) for o in others},
                "rows": {}, "balances": [], "consent": [], "survivor_changes": {}}
    try:
        with transaction.atomic():
            merge.save()
    except IntegrityError:  # the same key, sent twice at once: the other request made the merge
        raise Conflict(_("This merge request is already being made."), code="merge-in-progress") from None
    now = timezone.now()
    other_ids = [other.pk for other in others]
    _move_rows(snapshot, survivor, other_ids)
    _move_balances(snapshot, actor, merge, survivor, others)
    _move_consent(snapshot, actor, merge, survivor, others)
    snapshot["survivor_changes"] = _take_values(survivor, others, choices)
    _add_purchase_figures(survivor, others)
    Customer.with_tombstones.filter(pk__in=other_ids).update(merged_into=survivor, merged_at=now,
                                                             version=F("version") + 1, updated_at=now)
    for other in others:
        _unindex(other)
    survivor.version += 1
    survivor.sort_name = sort_name_of(survivor)
    survivor.save()
    index_customers([survivor])
    record_changes([survivor, *others])
    merge.snapshot = snapshot
    merge.save(update_fields=["snapshot"])
    payload = {"merge": str(merge.uuid), "survivor": str(survivor.uuid),
               "merged": [str(other.uuid) for other in others], "merged_at": now.isoformat()}
    close_pairs_for_merge(survivor.pk, [other.pk for other in others])
    record_event(actor=actor, action="customer.merged", subject=survivor,
                 changes=snapshot["survivor_changes"], data=payload)
    for other in others:
        record_event(actor=actor, action="customer.merged_into", subject=other, data=payload)
    return merge


def _replayed(done: Merge, survivor: Customer, others: list[Customer]) -> Merge:
    if done.survivor_id != survivor.pk or sorted(done.merged_uuids) != sorted(str(o.uuid) for o in others):
        raise Conflict(_("This idempotency key was used for another merge."), code="idempotency-key-reused")
    return done


def _checked_choices(field_choices: dict, survivor: Customer, others: list[Customer]) -> dict[str, Customer]:
    by_uuid = {str(record.uuid): record for record in (survivor, *others)}
    choices = default_choices(survivor, others)
    errors: dict[str, list[str]] = {}
    for field, chosen in field_choices.items():
        if field not in PICKABLE:
            errors.setdefault(f"field_choices.{field}", []).append(_("This field cannot be picked."))
        elif str(chosen) not in by_uuid:
            errors.setdefault(f"field_choices.{field}", []).append(_("Pick one of the records being merged."))
        else:
            choices[field] = by_uuid[str(chosen)]
    if errors:
        raise ValidationFailed.from_errors(errors)
    return choices


def _model(label: str):
    return apps.get_model(label)


def _move_rows(snapshot: dict, survivor: Customer, other_ids: list[int]) -> None:
    """REPOINT and UNITE rows, noting each in the snapshot."""
    for label, field_name, move in moves_by_rule(REPOINT, UNITE):
        model = _model(label)
        field = model._meta.get_field(field_name)
        rows = model._base_manager.filter(**{f"{field.attname}__in": other_ids}).order_by("pk")
        noted = {"repointed": [], "dropped": [], "changed": []}
        newest = model._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        if move.rule == REPOINT:
            noted["repointed"] = [[pk, owner] for pk, owner in rows.values_list("pk", field.attname)]
            rows.update(**{field.attname: survivor.pk})
        else:
            _unite(model, field, move.same_when, rows, survivor, noted)
        snapshot["rows"][f"{label}.{field_name}"] = {**noted, "newest": newest}


def _unite(model, field, same_when: tuple[str, ...], rows, survivor: Customer, noted: dict) -> None:
    keys = [model._meta.get_field(name).attname for name in same_when]
    kept = {tuple(values) for values in
            model._base_manager.filter(**{field.attname: survivor.pk}).values_list(*keys)}
    for row in rows:
        key = tuple(getattr(row, name) for name in keys)
        if key in kept or survivor.pk in key:  # the survivor has it already, or it would point at itself
            noted["dropped"].append(_row_values(row))
            row.delete()
            continue
        owner = getattr(row, field.attname)
        if model is Address and row.kind in (AddressKind.CONTACT, AddressKind.BILLING) \
                and Address.objects.filter(customer=survivor, kind=row.kind).exists():
            noted["changed"].append([row.pk, {"kind": row.kind}])
            row.kind = AddressKind.SHIPPING
        setattr(row, field.attname, survivor.pk)
        row.save()
        noted["repointed"].append([row.pk, owner])
        kept.add(key)


def _reference(merge: Merge) -> str:
    return f"merge:{merge.uuid}"[:100]


def _move_balances(snapshot: dict, actor: Actor, merge: Merge, survivor: Customer, others: list[Customer]) -> None:
    """BALANCE: credit and points move through new entries on both sides. The survivor keeps its
    own credit limit; without an account it takes the largest limit of the merged records'."""
    survivor_has_account = CreditAccount.objects.filter(customer=survivor).exists()
    largest_limit = max((account.credit_limit for account in CreditAccount.objects.filter(customer__in=others)),
                        default=None)
    for other in others:
        note = _("Moved by the merge of %(other)s into %(survivor)s") % {
            "other": other.account_number, "survivor": survivor.account_number}
        amount = credit.move_balance(actor=actor, source=other, target=survivor, reference=_reference(merge),
                                     note=note)
        points = loyalty.move_points(actor=actor, source=other, target=survivor, reference=_reference(merge),
                                     note=note)
        if amount or points:
            snapshot["balances"].append({"customer": other.pk, "credit": str(amount), "points": points})
    if not survivor_has_account and largest_limit is not None:
        credit.raise_limit_to(actor=actor, customer=survivor, credit_limit=largest_limit)


def _move_consent(snapshot: dict, actor: Actor, merge: Merge, survivor: Customer, others: list[Customer]) -> None:
    """CONSENT: per channel, the survivor ends withdrawn when any record is withdrawn (a merge never
    overrides a withdrawal), else granted when any record granted."""
    latest = latest_consents([survivor.pk, *[other.pk for other in others]])
    for channel in ConsentChannel.values:
        events = [latest.get(customer.pk, {}).get(channel) for customer in (survivor, *others)]
        states = [event for event in events if event is not None]
        if not states:
            continue
        target = all(event.granted for event in states)
        own = events[0]
        if own is not None and own.granted == target:
            continue
        source_event = next(event for event in states if event.granted == target)
        event = record_consent(actor=actor, customer=survivor, channel=channel, granted=target,
                               source=ConsentSource.BACK_OFFICE,
                               proof=f"{_reference(merge)} {source_event.uuid}"[:500])
        snapshot["consent"].append({"channel": channel, "event": str(event.uuid),
                                    "before": None if own is None else own.granted})


def _take_values(survivor: Customer, others: list[Customer], choices: dict[str, Customer]) -> dict:
    """Set the survivor's picked and united fields; returns {field: [before, after]} of what changed."""
    changes = {}
    for field in PICKABLE:
        attname = Customer._meta.get_field(field).attname
        before, after = getattr(survivor, attname), getattr(choices[field], attname)
        if before != after:
            setattr(survivor, attname, after)
            changes[attname] = [jsonable(before), jsonable(after)]
    if survivor.is_person:  # a person's display name is always "First prefix Last"
        name = person_name(name_parts(survivor))
        if name != survivor.name:
            changes["name"] = [changes.get("name", [survivor.name])[0], name]
            survivor.name = name
    if "photo" in changes:
        survivor.photo_version += 1
    notes = [survivor.notes.strip(), *[other.notes.strip() for other in others]]
    united_notes = "\n\n".join(dict.fromkeys(note for note in notes if note))
    if united_notes != survivor.notes:
        changes["notes"] = [survivor.notes, united_notes]
        survivor.notes = united_notes
    custom = dict(survivor.custom_fields)
    for other in others:
        for key, value in other.custom_fields.items():
            if _empty(custom.get(key)) and not _empty(value):
                custom[key] = value
    if custom != survivor.custom_fields:
        changes["custom_fields"] = [survivor.custom_fields, custom]
        survivor.custom_fields = custom
    for name in UNITED_LISTS:
        related = getattr(survivor, name)
        before = set(related.values_list("pk", flat=True))
        added = set()
        for other in others:
            added |= set(getattr(other, name).values_list("pk", flat=True)) - before
        if added:
            related.add(*sorted(added))
            changes[name] = [sorted(before), sorted(before | added)]
    return changes


def _add_purchase_figures(survivor: Customer, others: list[Customer]) -> None:
    """The survivor's purchase figures count the merged records' sales (which moved to it)."""
    for name in PURCHASE_FIGURES:
        setattr(survivor, name, getattr(survivor, name) + sum(getattr(other, name) for other in others))
    survivor.last_purchase_at = max(filter(None, [survivor.last_purchase_at,
                                                  *[other.last_purchase_at for other in others]]), default=None)


def _unindex(customer: Customer) -> None:
    """REINDEX: a tombstone leaves the search index."""
    label, field, _move = moves_by_rule(REINDEX)[0]
    _model(label)._base_manager.filter(**{f"{field}_id": customer.pk}).delete()
    unindex_customer(customer.pk)


# Unmerge --------------------------------------------------------------------------------------

def merge_by_uuid(uuid) -> Merge:
    try:
        return Merge.objects.select_related("survivor").get(uuid=uuid)
    except (Merge.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such merge."), code="merge-not-found") from None


@transaction.atomic
def unmerge(*, actor: Actor, merge: Merge) -> Merge:
    """Undo ``merge`` within the undo window: every merged record comes back as it was, with what
    moved to the survivor; what was added to the survivor since stays with it (``merge.report``)."""
    require(actor, "customers.merge")
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.is_undone:
        raise Conflict(_("This merge was already undone."), code="merge-already-undone")
    if timezone.now() - merge.merged_at > undo_window():
        raise RuleViolation(_("A merge can be undone for %(days)s days; this one is older.") % {
            "days": settings.PATRON_MERGE_UNDO_DAYS}, code="merge-undo-window-passed")
    snapshot = merge.snapshot
    if not snapshot.get("others"):  # blanked by an erasure of the survivor's personal data (patron/privacy)
        raise RuleViolation(_("The customer's personal data was erased; this merge can no longer be undone."),
                            code="merge-erased")
    other_ids = [int(pk) for pk in snapshot["others"]]
    locked = _lock([merge.survivor_id, *other_ids])
    survivor = locked[merge.survivor_id]
    others = [locked[pk] for pk in other_ids]
    if any(other.merged_into_id != survivor.pk for other in others):
        raise Conflict(_("A record of this merge was merged again since; undo that merge first."),
                       code="merged-again")
    if survivor.merged_into_id is not None:
        raise Conflict(_("The survivor was merged into another customer since; undo that merge first."),
                       code="merged-again")
    report = {"restored": [str(other.uuid) for other in others], "stayed": [], "kept_values": []}
    _restore_rows(snapshot, survivor, report)
    _restore_balances(snapshot, actor, merge, survivor, others, report)
    _restore_consent(snapshot, actor, survivor, report)
    _restore_values(snapshot, survivor, others, report)
    now = timezone.now()
    Customer.with_tombstones.filter(pk__in=other_ids).update(merged_into=None, merged_at=None,
                                                             version=F("version") + 1, updated_at=now)
    survivor.version += 1
    survivor.sort_name = sort_name_of(survivor)
    survivor.save()
    restored = list(Customer.with_tombstones.filter(pk__in=other_ids))
    index_customers([survivor, *restored])
    record_changes([survivor, *restored])
    merge.undone_at, merge.undone_by, merge.report = now, actor.label[:150], report
    merge.save(update_fields=["undone_at", "undone_by", "report"])
    payload = {"merge": str(merge.uuid), "survivor": str(survivor.uuid), "restored": report["restored"]}
    record_event(actor=actor, action="customer.unmerged", subject=survivor, data={**payload, **report})
    for other in restored:
        record_event(actor=actor, action="customer.unmerged", subject=other, data=payload)
    return merge


def _restore_rows(snapshot: dict, survivor: Customer, report: dict) -> None:
    for key, noted in snapshot["rows"].items():
        label, field_name = key.rsplit(".", 1)
        model = _model(label)
        attname = model._meta.get_field(field_name).attname
        rows = model._base_manager
        by_owner: dict[int, list[int]] = {}
        for pk, owner in noted["repointed"]:
            by_owner.setdefault(owner, []).append(pk)
        for owner, pks in by_owner.items():
            for start in range(0, len(pks), CHUNK):
                chunk = pks[start:start + CHUNK]
                still = rows.filter(pk__in=chunk, **{attname: survivor.pk})
                back = set(still.values_list("pk", flat=True))
                still.update(**{attname: owner})
                report["stayed"].extend({"record": label, "id": pk, "why": "moved or removed since the merge"}
                                        for pk in chunk if pk not in back)
        for pk, values in noted["changed"]:
            rows.filter(pk=pk).update(**values)
        for values in noted["dropped"]:
            row = _restored(model, values)
            if rows.filter(pk=row.pk).exists():
                row.pk = None
                if hasattr(row, "uuid"):
                    row.uuid = model._meta.get_field("uuid").default()
            row.save(force_insert=True)
        added = rows.filter(**{attname: survivor.pk}, pk__gt=noted["newest"]).values_list("pk", flat=True)
        report["stayed"].extend({"record": label, "id": pk, "why": "added to the survivor after the merge"}
                                for pk in added)


def _restore_balances(snapshot: dict, actor: Actor, merge: Merge, survivor: Customer, others: list[Customer],
                      report: dict) -> None:
    by_pk = {other.pk: other for other in others}
    for moved in snapshot["balances"]:
        other = by_pk[moved["customer"]]
        note = _("Moved back by undoing the merge of %(other)s into %(survivor)s") % {
            "other": other.account_number, "survivor": survivor.account_number}
        amount = Decimal(moved["credit"])
        if amount:
            credit.move_balance(actor=actor, source=survivor, target=other, amount=amount,
                                reference=_reference(merge), note=note)
        if moved["points"]:
            back = loyalty.move_points(actor=actor, source=survivor, target=other, points=moved["points"],
                                       reference=_reference(merge), note=note)
            if back < moved["points"]:
                report["stayed"].append({"record": "loyalty points", "id": other.pk,
                                         "why": f"{moved['points'] - back} points were spent since the merge"})


def _restore_consent(snapshot: dict, actor: Actor, survivor: Customer, report: dict) -> None:
    latest = latest_consents([survivor.pk]).get(survivor.pk, {})
    for appended in snapshot["consent"]:
        current = latest.get(appended["channel"])
        if current is None or str(current.uuid) != appended["event"]:
            report["kept_values"].append({"field": f"consent.{appended['channel']}",
                                          "why": "changed since the merge"})
            continue
        # Back to the survivor's own state; "never asked" cannot be recorded, and withdrawn is the safe side.
        record_consent(actor=actor, customer=survivor, channel=appended["channel"],
                       granted=bool(appended["before"]), source=ConsentSource.BACK_OFFICE, proof="unmerge")


def _restore_values(snapshot: dict, survivor: Customer, others: list[Customer], report: dict) -> None:
    for name, (before, after) in snapshot["survivor_changes"].items():
        if name in UNITED_LISTS:
            related = getattr(survivor, name)
            related.remove(*sorted(set(after) - set(before)))
            continue
        field = Customer._meta.get_field(name)
        if jsonable(getattr(survivor, field.attname)) != after:
            report["kept_values"].append({"field": name, "why": "changed since the merge"})
            continue
        setattr(survivor, field.attname, field.to_python(before))
    if "photo" in snapshot["survivor_changes"]:
        survivor.photo_version += 1
    for name in PURCHASE_FIGURES:
        setattr(survivor, name, getattr(survivor, name) - sum(getattr(other, name) for other in others))
    before = snapshot["survivor"]["last_purchase_at"]
    sales = survivor.sales.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    survivor.last_purchase_at = sales or (Customer._meta.get_field("last_purchase_at").to_python(before)
                                          if before else None)
