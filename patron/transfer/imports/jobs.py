"""Import jobs: set one up, check it (dry run), run it in batches, resume it, roll it back.

Each row goes through the customer actions (``create_customers_in_bulk`` for new customers,
``update_customer`` and the address actions for matches), so every rule, normalisation and audit
entry applies as in the back office. A batch is one transaction holding its customers, their
consents, references and opening balances, the ``ImportRow`` lines and the job's counters; a
crash loses at most the batch in flight, and a resumed run starts after the last whole batch.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from pathlib import Path

from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext

from patron.core.actors import Actor, system_actor, user_actor
from patron.core.audit import record_event
from patron.core.db import insert_values
from patron.core.errors import DomainError, RuleViolation, ValidationFailed
from patron.core.money import parse_amount
from patron.core.normalize import InvalidValue, email_key, normalize_email, normalize_phone, normalize_tax_id
from patron.core.permissions import require
from patron.core.workers import in_order
from patron.customers.actions import (
    change_status,
    create_customers_in_bulk,
    delete_customer,
)
from patron.customers.actions.creation import NewCustomer, check_new_customers
from patron.customers.history import history_of
from patron.customers.models import Customer, CustomerEmail, CustomerPhone
from patron.customers.regions import address_country, phone_region, store_country
from patron.customers.search_index import refresh_lookup_statistics
from patron.duplicates.scan import likely_duplicates_of
from patron.jobs.actions import enqueue
from patron.jobs.models import Job
from patron.transfer.imports import files, mappings, updates
from patron.transfer.imports.reading import FileLayout, SourceRow, file_format, layout_of, rows_of
from patron.transfer.models import ImportJob, ImportRow, ImportStatus, RowOutcome, SavedMapping

MAX_REPORTED_PROBLEMS = 1000
DEFAULT_BATCH = 1000
# Customers an import must create or change for the lookup's table statistics to be refreshed at its end.
FRESH_STATISTICS_AFTER = 10_000
Progress = Callable[[ImportJob], None]
IMPORT_DUTY = "import.run"  # the queued job that checks or runs an import (transfer/duties.py)


def actor_of(job: ImportJob) -> Actor:
    """Who a job acts as when a worker runs it: the user who started it."""
    return user_actor(job.created_by) if job.created_by_id else system_actor(job.actor_label or "import")


# --- setting a job up ---------------------------------------------------------------------------

@dataclass
class Preview:
    layout: FileLayout
    profile: mappings.Profile | None
    mapping: dict[str, str]
    match_key: str
    sample: list[SourceRow]


def preview(path: str, name: str, *, encoding: str = "", delimiter: str = "", mapping: dict | None = None,
            match_key: str = "", rows: int = 5) -> Preview:
    """The header, the built-in mapping it matches (if any), a suggested mapping and the first rows."""
    fmt = file_format(name)
    layout = layout_of(path, fmt, encoding=encoding, delimiter=delimiter)
    profile = mappings.detect_profile(layout.headers)
    suggested = mappings.suggested_mapping(layout.headers, profile)
    if mapping:
        suggested.update(mapping)  # a column the file lacks stays, for check_mapping to name
    key = match_key or (profile.match_key if profile else _default_match_key(suggested))
    return Preview(layout, profile, suggested, key, list(islice(rows_of(path, fmt, layout), rows)))


def _default_match_key(mapping: dict[str, str]) -> str:
    """The surest key the file has: an account number, else an e-mail, else none (all rows new)."""
    targets = set(mapping.values())
    if "account_number" in targets:
        return "account_number"
    return "email" if targets & {"email", "emails"} else "none"


def create_job(*, actor: Actor, source: str, file_name: str, mapping: dict[str, str] | None = None,
               match_key: str = "", channel_code: str = "", encoding: str = "", delimiter: str = "",
               saved_mapping: str = "", batch_size: int = DEFAULT_BATCH, keep_source: bool = False,
               strict: bool = False) -> ImportJob:
    """Copy the file under var/imports/ (a job outlives the upload) and record how to read it.
    ``strict``: a row with an invalid phone or e-mail is rejected, instead of imported without that
    value and listed as a warning."""
    require(actor, "customers.import")
    if saved_mapping:
        saved = SavedMapping.objects.filter(name=saved_mapping).first()
        if saved is None:
            raise ValidationFailed(gettext("There is no saved mapping %(saved_mapping)s.") % {
                "saved_mapping": repr(saved_mapping)}, field="mapping")
        mapping = {**saved.mapping, **(mapping or {})}
        match_key = match_key or saved.match_key
        channel_code = channel_code or saved.channel_code
    seen = preview(source, file_name, encoding=encoding, delimiter=delimiter, mapping=mapping,
                   match_key=match_key, rows=0)
    if not channel_code and seen.match_key != "external_ref":  # a webshop id the user did not ask for: left out
        explicit = {column for column, target in (mapping or {}).items() if target == "external_ref"}
        seen.mapping.update({column: "" for column, target in seen.mapping.items()
                             if target == "external_ref" and column not in explicit})
    problems = mappings.check_mapping(seen.mapping, seen.layout.headers, seen.match_key)
    problems += _channel_problems(seen.mapping, seen.match_key, channel_code)
    if problems:
        raise ValidationFailed.from_errors({"mapping": problems})
    if not 1 <= batch_size <= 1000:
        raise ValidationFailed(gettext("A batch holds 1 to 1,000 rows."), field="batch_size")
    job = ImportJob.objects.create(
        file_path="", file_name=Path(file_name).name[:200], file_format=file_format(file_name),
        encoding=seen.layout.encoding if seen.layout.encoding != "utf-8-sig" else "",
        delimiter=seen.layout.delimiter, profile=seen.profile.key if seen.profile else "",
        mapping=seen.mapping, match_key=seen.match_key, channel_code=channel_code, batch_size=batch_size,
        strict=strict, created_by_id=actor.user_id, actor_label=actor.label)
    job.file_path = files.store(source, f"{job.uuid}{Path(file_name).suffix.lower()}", keep_source=keep_source)
    job.save(update_fields=["file_path", "updated_at"])
    record_event(actor=actor, action="import.created", subject=job,
                 data={"file": job.file_name, "profile": job.profile, "match_key": job.match_key})
    return job


def _channel_problems(mapping: dict[str, str], match_key: str, channel_code: str) -> list[str]:
    uses_refs = "external_ref" in mapping.values() or match_key == "external_ref"
    if not uses_refs:
        return []
    if not channel_code:
        return ["A column holds external references: choose the channel they belong to."]
    from patron.channels.queries import channel_by_code

    try:
        channel_by_code(channel_code)
    except DomainError as error:
        return [error.message]
    return []


def change_mapping(*, actor: Actor, job: ImportJob, mapping: dict[str, str], match_key: str,
                   channel_code: str = "") -> ImportJob:
    """Set how the columns of a job not yet run are read (the mapping step of the back office)."""
    require(actor, "customers.import")
    if job.status not in (ImportStatus.PENDING, ImportStatus.CHECKED):
        raise RuleViolation(gettext("This import has started; its mapping can no longer change."),
            code="import-started")
    headers = list(job.mapping)
    problems = mappings.check_mapping(mapping, headers, match_key) + _channel_problems(mapping, match_key,
                                                                                        channel_code)
    if problems:
        raise ValidationFailed.from_errors({"mapping": problems})
    if (mapping, match_key, channel_code) != (job.mapping, job.match_key, job.channel_code):
        job.mapping, job.match_key, job.channel_code = mapping, match_key, channel_code
        job.status, job.check_report = ImportStatus.PENDING, {}
        job.save(update_fields=["mapping", "match_key", "channel_code", "status", "check_report", "updated_at"])
    return job


def save_mapping(*, actor: Actor, name: str, job: ImportJob) -> SavedMapping:
    require(actor, "customers.import")
    name = name.strip()[:80]
    if not name:
        raise ValidationFailed(gettext("Name the mapping."), field="name")
    saved, _ = SavedMapping.objects.update_or_create(
        name=name, defaults={"mapping": job.mapping, "match_key": job.match_key, "channel_code": job.channel_code})
    return saved


# --- running ------------------------------------------------------------------------------------

@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[dict] = field(default_factory=list)  # {row, line, column, message}
    warnings: list[dict] = field(default_factory=list)  # {row, line, column, value, message}
    warned: int = 0  # the warnings of the batches added up (``_add``)
    rows: list[dict] = field(default_factory=list)  # the ImportRow values
    # New rows likely the same as a stored customer or another new row: {row, line, other, score, reasons}
    duplicates: list[dict] = field(default_factory=list)
    duplicated: int = 0  # such rows of the batches added up (``_add``)


def check_job(job: ImportJob, *, actor: Actor, progress: Progress | None = None, workers: int = 1,
              takeover: bool = False) -> ImportJob:
    """The dry run: every row through the same code as the real run, each batch rolled back.
    Nothing is written but the job's report. ``workers`` as for ``run_job``."""
    require(actor, "customers.import")
    job = _claim(job, ImportStatus.CHECKING, takeover=takeover)
    totals, problems, warnings, duplicates = BatchResult(), [], [], []
    try:
        for batch in _read_batches(job, actor, start_after=0, workers=workers):
            last_row = batch[-1].source.number
            with transaction.atomic():
                result = _import_batch(job, batch, actor)
                transaction.set_rollback(True)
            _add(totals, result)
            problems.extend(result.problems[:MAX_REPORTED_PROBLEMS - len(problems)])
            warnings.extend(result.warnings[:MAX_REPORTED_PROBLEMS - len(warnings)])
            duplicates.extend(result.duplicates[:MAX_REPORTED_PROBLEMS - len(duplicates)])
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=last_row, updated_at=timezone.now())
            job.processed_rows = last_row
            if progress:
                progress(job)
    except DomainError as error:
        return _stop(job, error.message)
    job.check_report = {"created": totals.created, "updated": totals.updated, "unchanged": totals.unchanged,
                        "rejected": totals.rejected, "problems": problems, "warnings": warnings,
                        "warned": totals.warned, "duplicates": duplicates, "duplicated": totals.duplicated}
    job.status, job.finished_at, job.worker_pid = ImportStatus.CHECKED, timezone.now(), None
    job.save(update_fields=["check_report", "status", "finished_at", "worker_pid", "updated_at"])
    return job


def run_job(job: ImportJob, *, actor: Actor, progress: Progress | None = None, workers: int = 1,
            takeover: bool = False) -> ImportJob:
    """The real run, or its resumption after a crash: batches after the last committed one.
    ``workers`` > 1 reads and checks the rows of the batches ahead in ``workers - 1`` processes
    while this one writes (see ``_read_ahead``); the outcome is the same."""
    require(actor, "customers.import")
    job = _claim(job, ImportStatus.RUNNING, takeover=takeover)
    duplicated = 0
    try:
        for batch in _read_batches(job, actor, start_after=job.committed_rows, workers=workers):
            last_row = batch[-1].source.number
            with transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.committed_rows >= last_row:  # another worker did it meanwhile
                    continue
                result = _import_batch(job, batch, actor)
                insert_values(ImportRow, result.rows)
                _commit_counts(locked, result, last_row=last_row)
            duplicated += len({item["row"] for item in result.duplicates})
            job = locked
            if progress:
                progress(job)
    except DomainError as error:
        return _stop(job, error.message)
    job.refresh_from_db()
    job.status, job.finished_at, job.worker_pid = ImportStatus.DONE, timezone.now(), None
    job.save(update_fields=["status", "finished_at", "worker_pid", "updated_at"])
    record_event(actor=actor, action="import.done", subject=job,
                 data={"created": job.created_count, "updated": job.updated_count, "rejected": job.rejected_count,
                       "likely_duplicates": duplicated})
    _remove_file(job)  # done: nothing reads it again (a rollback works from the ImportRow lines)
    if job.created_count + job.updated_count >= FRESH_STATISTICS_AFTER:
        refresh_lookup_statistics()
    return job


def start_in_background(job: ImportJob, *, check: bool) -> Job:
    """Queue the dry run (``check``) or the real run for a worker (``patron worker``, see
    patron/jobs): any server's worker may take it, and another takes it over if that one dies."""
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING if check else ImportStatus.RUNNING,
                                                   worker_pid=None, worker_host="")
        return enqueue(IMPORT_DUTY, {"import_job": job.pk, "check": check}, key=f"import:{job.pk}")


def _remove_file(job: ImportJob) -> None:
    """An import's copy of the file holds personal data: it goes once the import no longer needs it."""
    files.remove(job.file_path)


def _claim(job: ImportJob, status: str, *, takeover: bool = False) -> ImportJob:
    """The job, now worked on by this process. ``takeover``: the job queue found its previous
    worker stopped (its heartbeat went silent), so the job is not busy whatever it says."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status == ImportStatus.ROLLED_BACK:
            raise RuleViolation(gettext("This import was rolled back; start a new one."), code="import-rolled-back")
        if job.status == ImportStatus.DONE and status == ImportStatus.RUNNING:
            raise RuleViolation(gettext("This import is done already."), code="import-done")
        if job.is_busy and not takeover:
            raise RuleViolation(gettext("This import is being worked on right now."), code="import-busy")
        if not files.exists(job.file_path):
            raise RuleViolation(gettext("The import's file is gone; upload it again."), code="import-file-missing")
        job.status, job.worker_pid, job.worker_host, job.error = status, os.getpid(), socket.gethostname(), ""
        job.started_at = job.started_at or timezone.now()
        if job.total_rows is None:
            job.total_rows = sum(1 for _ in _source_rows(job))
        job.processed_rows = job.committed_rows if status == ImportStatus.RUNNING else 0
        job.save()
    return job


def note_if_stalled(job: ImportJob) -> ImportJob:
    """A job whose worker died (crash, kill, server restart) stops as failed, so it can be resumed."""
    if job.is_stalled:
        updated = ImportJob.objects.filter(pk=job.pk, status=job.status, worker_pid=job.worker_pid).update(
            status=ImportStatus.FAILED if job.status == ImportStatus.RUNNING else ImportStatus.PENDING,
            worker_pid=None, error="The import's worker stopped before the end (a crash or a restart). "
                                   "Resume it: rows already imported are not imported again.")
        if updated:
            job.refresh_from_db()
    return job


def _stop(job: ImportJob, message: str) -> ImportJob:
    job.refresh_from_db()
    job.status = ImportStatus.FAILED if job.status == ImportStatus.RUNNING else ImportStatus.PENDING
    job.error, job.worker_pid, job.finished_at = message, None, timezone.now()
    job.save(update_fields=["status", "error", "worker_pid", "finished_at", "updated_at"])
    return job


def _source_rows(job: ImportJob, start_after: int = 0) -> Iterator[SourceRow]:
    layout = FileLayout(headers=_headers(job), encoding=job.encoding or "utf-8-sig", delimiter=job.delimiter)
    return rows_of(files.local_path(job.file_path), job.file_format, layout, start_after=start_after)


def _headers(job: ImportJob) -> list[str]:
    layout = layout_of(files.local_path(job.file_path), job.file_format, encoding=job.encoding,
                       delimiter=job.delimiter)
    return layout.headers


def _batches(job: ImportJob, *, start_after: int) -> Iterator[list[SourceRow]]:
    rows = _source_rows(job, start_after)
    while batch := list(islice(rows, job.batch_size)):
        yield batch


def _read_batches(job: ImportJob, actor: Actor, *, start_after: int, workers: int) -> Iterator[list[_Row]]:
    batches = _batches(job, start_after=start_after)
    if workers > 1 and not connection.in_atomic_block:  # a forked worker cannot share an open transaction
        return _read_ahead(job, actor, batches, workers - 1)
    return (_read_rows(job, batch, actor) for batch in batches)


def _read_ahead(job: ImportJob, actor: Actor, batches: Iterator[list[SourceRow]], workers: int) -> Iterator[list[_Row]]:
    """The batches read and checked by ``workers`` processes, in order (``core.workers.in_order``),
    while this process writes the ones before: checking a row (its phone, e-mail and tax ID above
    all) costs about as much as writing it. Each worker reads the shop's settings on a
    connection of its own."""
    return in_order(lambda batch: _read_rows(job, batch, actor, check_ahead=True), batches, workers)


def _add(totals: BatchResult, result: BatchResult) -> None:
    totals.created += result.created
    totals.updated += result.updated
    totals.unchanged += result.unchanged
    totals.rejected += result.rejected
    totals.warned += len(result.warnings)
    totals.duplicated += len({item["row"] for item in result.duplicates})


def _commit_counts(job: ImportJob, result: BatchResult, *, last_row: int) -> None:
    job.created_count += result.created
    job.updated_count += result.updated
    job.unchanged_count += result.unchanged
    job.rejected_count += result.rejected
    job.warning_count += len(result.warnings)
    job.committed_rows = job.processed_rows = last_row
    job.batches_committed += 1
    job.save(update_fields=["created_count", "updated_count", "unchanged_count", "rejected_count", "warning_count",
                            "committed_rows", "processed_rows", "batches_committed", "updated_at"])


# --- one batch ----------------------------------------------------------------------------------

@dataclass
class _Row:
    source: SourceRow
    input: mappings.RowInput
    key: str = ""
    balance: Decimal | None = None
    limit: Decimal | None = None
    checked: NewCustomer | DomainError | None = None  # as a new customer, checked ahead by a worker
    warnings: list[dict] = field(default_factory=list)  # {column, value, message}: values left out
    region: str = ""  # the country its national phone numbers and tax IDs are read in


def _read_rows(job: ImportJob, batch: list[SourceRow], actor: Actor, *, check_ahead: bool = False) -> list[_Row]:
    """The batch's rows as the mapping reads them, with their places and match key. With
    ``check_ahead`` each sound row is also checked as a new customer, which needs no database
    state but the shop's settings, so a worker can do it before the batch is written."""
    rows = [_Row(source, mappings.row_input(source.cells, job.mapping)) for source in batch]
    places = _Places()
    store = store_country(actor.location_id)  # of the import's store: the one who runs it
    for row in rows:
        _check_shape(row, job)
        places.resolve(row.input)
        row.region = phone_region(address_country(row.input.addresses), store)  # the row's own country first
        row.key = _match_value(row.input, job.match_key, row.region)
    if check_ahead:
        sound = [row for row in rows if not row.input.problems]
        for row, checked in zip(sound, check_new_customers(actor=actor, rows=[_new_customer(row) for row in sound]),
                                strict=True):
            row.checked = checked
    return rows


def _import_batch(job: ImportJob, rows: list[_Row], actor: Actor) -> BatchResult:
    result = BatchResult()
    existing = _existing_customers(job, [row.key for row in rows if row.key and not row.input.problems])
    new_rows, update_rows, keys_in_batch = [], [], set()
    for row in rows:
        if row.input.problems:
            _reject(result, job, row, row.input.problems)
        elif row.key and (row.key in existing or row.key in keys_in_batch):
            update_rows.append(row)
        else:
            new_rows.append(row)
            if row.key:
                keys_in_batch.add(row.key)
    created = _create(job, new_rows, actor, result)
    existing.update({row.key: customer.pk for row, customer in created if row.key})
    refs = [row.input.external_ref for row in update_rows if row.input.external_ref]
    known = updates.read_known(sorted({existing[row.key] for row in update_rows}), refs, job.channel_code)
    for row in update_rows:
        _update(job, row, known.customers[existing[row.key]], actor, result, known)
    return result


def _check_shape(row: _Row, job: ImportJob) -> None:
    if row.source.extra_cells:
        row.input.problems.append(("", f"The row has {row.source.extra_cells} cell(s) more than the header "
                                       "has columns (a delimiter or quote out of place?)."))
    for name, text in (("opening_balance", row.input.opening_balance), ("credit_limit", row.input.credit_limit)):
        if not text:
            continue
        try:
            amount = parse_amount(text, allow_negative=name == "opening_balance", allow_zero=True)
        except ValueError as error:
            row.input.problems.append((_column_of_target(job, name), str(error)))
            continue
        setattr(row, "balance" if name == "opening_balance" else "limit", amount)
    if row.input.external_ref and not job.channel_code:
        row.input.problems.append((_column_of_target(job, "external_ref"), "No channel chosen for the reference."))


class _Places:
    """Home locations named by code and location groups by name, as the customer actions take them."""

    def __init__(self):
        from patron.locations.models import Location, LocationGroup

        self.locations = {code.casefold(): location for location in Location.objects.all()
                          for code in (location.code,)}
        self.groups = {group.name.casefold(): group for group in LocationGroup.objects.all()}

    def resolve(self, row: mappings.RowInput) -> None:
        values = row.values
        if "home_location" in values:
            code = values["home_location"]
            values["home_location"] = self.locations.get(code.casefold())
            if values["home_location"] is None:
                row.problems.append((row.sources.get("home_location", ""), f"No location has the code {code!r}."))
        if "location_groups" in values:
            names = values["location_groups"]
            unknown = [name for name in names if name.casefold() not in self.groups]
            values["location_groups"] = [self.groups[name.casefold()] for name in names if name not in unknown]
            if unknown:
                row.problems.append((row.sources.get("location_groups", ""),
                                     f"No location group is called {', '.join(map(repr, unknown))}."))


def _column_of_target(job: ImportJob, target: str) -> str:
    return next((column for column, mapped in job.mapping.items() if mapped == target), "")


def _match_value(row: mappings.RowInput, match_key: str, region: str) -> str:
    """The row's value of the match key, in the form it is stored in (blank: the row is new)."""
    values = row.values
    if match_key == "none":
        return ""
    try:
        if match_key == "account_number":
            return values.get("account_number", "").strip().lower()
        if match_key == "email":
            return email_key(values["emails"][0]["address"]) if values.get("emails") else ""
        if match_key == "phone":
            return normalize_phone(values["phones"][0]["number"], region) if values.get("phones") else ""
        if match_key == "tax_id":
            tax_id = values.get("tax_id", "")
            return normalize_tax_id(tax_id, values.get("tax_id_country", "") or region)[0] if tax_id else ""
        if match_key == "external_ref":
            return row.external_ref
    except InvalidValue:
        return ""  # the rules will say what is wrong with it
    return ""


def _existing_customers(job: ImportJob, keys: list[str]) -> dict[str, int]:
    """Match key value -> the customer it names, for the keys of one batch (one query)."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    if job.match_key == "account_number":
        pairs = (Customer.objects.annotate(key=Lower("account_number")).filter(key__in=keys)
                 .values_list("key", "pk"))
    elif job.match_key == "email":
        pairs = CustomerEmail.objects.filter(address_key__in=keys).order_by("-customer_id").values_list(
            "address_key", "customer_id")
    elif job.match_key == "phone":
        pairs = CustomerPhone.objects.filter(e164__in=keys).order_by("-customer_id").values_list("e164",
                                                                                               "customer_id")
    elif job.match_key == "tax_id":
        pairs = Customer.objects.filter(tax_id__in=keys).order_by("-pk").values_list("tax_id", "pk")
    else:
        from patron.channels.queries import channel_by_code, customer_ids_for_references

        return customer_ids_for_references(channel_by_code(job.channel_code), keys)
    return dict(pairs)  # several customers with one e-mail: the oldest (last in this order) wins


def _reject(result: BatchResult, job: ImportJob, row: _Row, problems: list[tuple[str, str]]) -> None:
    result.rejected += 1
    listed = [{"column": column, "message": message} for column, message in problems]
    result.problems.extend({"row": row.source.number, "line": row.source.line, **item} for item in listed)
    result.rows.append(_line(job, row, RowOutcome.REJECTED, problems=listed))


def _line(job: ImportJob, row: _Row, outcome: str, *, customer: Customer | None = None, before: dict | None = None,
          problems: list[dict] | None = None, result: BatchResult | None = None) -> dict:
    """What the row did, as the values of its ImportRow (written with the batch); an imported
    row's warnings go into ``result`` too."""
    warnings = row.warnings if outcome != RowOutcome.REJECTED else []
    if result is not None:
        result.warnings.extend({"row": row.source.number, "line": row.source.line, **item} for item in warnings)
    return {"job_id": job.pk, "row_number": row.source.number, "line": row.source.line, "outcome": outcome,
            "customer_id": customer.pk if customer else None, "before": before, "problems": problems or [],
            "warnings": warnings}


def _problems_of(error: DomainError, row: mappings.RowInput) -> list[tuple[str, str]]:
    return [(row.column_of(key), message) for key, messages in error.errors.items() for message in messages]


def _create(job: ImportJob, rows: list[_Row], actor: Actor, result: BatchResult) -> list[tuple[_Row, Customer]]:
    if not rows:
        return []
    ahead = all(row.checked is not None for row in rows)
    checked = [row.checked for row in rows] if ahead else check_new_customers(
        actor=actor, rows=[_new_customer(row) for row in rows])
    if not job.strict:
        checked = [_without_bad_contact_points(row, result, actor) if isinstance(result, DomainError) else result
                   for row, result in zip(rows, checked, strict=True)]
    bulk = create_customers_in_bulk(actor=actor, rows=[_new_customer(row) for row in rows], checked=checked)
    accepted = [row for index, row in enumerate(rows) if index not in bulk.rejected]
    for index, error in bulk.rejected.items():
        _reject(result, job, rows[index], _problems_of(error, rows[index].input))
    created = list(zip(accepted, bulk.created, strict=True))
    _report_likely_duplicates(created, result)
    _link_references(job, actor, [(customer.pk, row.input.external_ref) for row, customer in created
                                  if row.input.external_ref])
    _record_consents(actor, [(customer, row) for row, customer in created if row.input.consents], bulk=True)
    for row, customer in created:
        _post_opening_balance(job, row, customer, actor)
        result.created += 1
        result.rows.append(_line(job, row, RowOutcome.CREATED, customer=customer, result=result))
    return created


def _report_likely_duplicates(created: list[tuple[_Row, Customer]], result: BatchResult) -> None:
    """Report each new row likely the same as a stored customer (by account number and name) or
    as another new row of the batch (by row number), with the score and reasons (patron/duplicates).
    The dry run lists them row by row; after the real run the duplicate scan queues them."""
    found = likely_duplicates_of([customer.pk for _, customer in created])
    if not found:
        return
    row_of = {customer.pk: row for row, customer in created}
    others = {customer.pk: customer for customer in Customer.objects.filter(
        pk__in={other for matches in found.values() for other, _ in matches} - set(row_of)).only(
        "pk", "account_number", "name")}
    for row, customer in created:
        for other, match in found.get(customer.pk, []):
            if other in row_of:
                named = gettext("row %(row)s of this file") % {"row": row_of[other].source.number}
            else:
                named = f"{others[other].account_number} {others[other].name}"
            result.duplicates.append({"row": row.source.number, "line": row.source.line, "other": named,
                                      "score": match.score, "reasons": match.reasons})


# An error only about a phone number or an e-mail address ("phones.1.number", "emails.0.address").
_CONTACT_POINT_ERROR = re.compile(r"(?:phones\.\d+\.number|emails\.\d+\.address)")


def _drop_bad_contact_points(row: _Row, error: DomainError) -> bool:
    """Take the row's phones and e-mails that are invalid out of it, noting each as a warning, when
    ``error`` is only about phones and e-mails; False (the row unchanged) otherwise, or when none
    of the row's own values is the invalid one (an update's list also holds the stored ones)."""
    if not error.errors or not all(_CONTACT_POINT_ERROR.fullmatch(key) for key in error.errors):
        return False
    values, dropped = row.input.values, False
    for name, value_key, check in (("phones", "number", lambda raw: normalize_phone(raw, row.region)),
                                   ("emails", "address", normalize_email)):
        kept = []
        for index, item in enumerate(values.get(name) or []):
            try:
                check(item.get(value_key) or "")
            except InvalidValue as invalid:
                row.warnings.append({"column": row.input.column_of(f"{name}.{index}.{value_key}"),
                                     "value": item.get(value_key) or "", "message": str(invalid)})
                dropped = True
            else:
                kept.append(item)
        if name in values:
            values[name] = kept
    return dropped


def _without_bad_contact_points(row: _Row, error: DomainError, actor: Actor) -> NewCustomer | DomainError:
    """A new customer refused only for invalid phones or e-mails, checked again without them."""
    if not _drop_bad_contact_points(row, error):
        return error
    return check_new_customers(actor=actor, rows=[_new_customer(row)])[0]


def _new_customer(row: _Row) -> dict:
    return {"kind": row.input.kind, "values": row.input.values, "status": row.input.status,
            "addresses": row.input.addresses}


def _update(job: ImportJob, row: _Row, customer: Customer, actor: Actor, result: BatchResult,
            known: updates.Known) -> None:
    wants_balance = row.balance is not None or row.limit is not None
    if updates.is_unchanged(customer, row.input, known, wants_balance=wants_balance, region=row.region):
        result.unchanged += 1
        result.rows.append(_line(job, row, RowOutcome.UNCHANGED, customer=customer, result=result))
        return
    before = updates.restorable_state(customer)
    try:
        with transaction.atomic():
            customer = updates.apply_row(customer, row.input, actor, region=row.region)
            if row.input.external_ref and job.match_key != "external_ref":
                _link_references(job, actor, [(customer.pk, row.input.external_ref)], skip_linked=True)
            _record_consents(actor, [(customer, row)], bulk=False)
            if not _has_credit_account(customer):  # a balance is opened once, never added to
                _post_opening_balance(job, row, customer, actor)
    except DomainError as error:
        if not job.strict and _drop_bad_contact_points(row, error):  # imported without them, with warnings
            _update(job, row, customer, actor, result, known)
        else:
            _reject(result, job, row, _problems_of(error, row.input))
        return
    known.forget(customer.pk)  # a later row of the batch for this customer reads it afresh
    changed = updates.restorable_state(customer) != before
    result.updated += changed
    result.unchanged += not changed
    result.rows.append(_line(job, row, RowOutcome.UPDATED if changed else RowOutcome.UNCHANGED, customer=customer,
                             before=before if changed else None, result=result))


def _has_credit_account(customer: Customer) -> bool:
    from patron.credit.models import CreditAccount

    return CreditAccount.objects.filter(customer=customer).exists()


def _link_references(job: ImportJob, actor: Actor, pairs: list[tuple[int, str]], skip_linked: bool = False) -> None:
    if not pairs:
        return
    from patron.channels.actions import link_references
    from patron.channels.queries import channel_by_code, customer_ids_for_references

    channel = channel_by_code(job.channel_code)
    if skip_linked:
        known = customer_ids_for_references(channel, [ref for _, ref in pairs])
        pairs = [(pk, ref) for pk, ref in pairs if ref not in known]
    if pairs:
        link_references(actor=actor, channel=channel, pairs=pairs)


def _record_consents(actor: Actor, pairs: list[tuple[Customer, _Row]], *, bulk: bool) -> None:
    if not pairs:
        return
    from patron.marketing import actions as marketing

    if bulk:
        marketing.record_consents_in_bulk(actor=actor, entries=[
            {"customer_id": customer.pk, "channel": channel, "granted": granted, "source": "import",
             "proof": row.input.consent_proof.get(channel, ""), "occurred_at": None}
            for customer, row in pairs for channel, granted in row.input.consents.items()])
        return
    for customer, row in pairs:
        for channel, granted in row.input.consents.items():
            marketing.record_consent(actor=actor, customer=customer, channel=channel, granted=granted,
                                     source="import", proof=row.input.consent_proof.get(channel, ""))


def _post_opening_balance(job: ImportJob, row: _Row, customer: Customer, actor: Actor) -> None:
    """Open the credit account with the file's limit (at least the balance) and post the balance
    once, as an adjustment that names the import and the row."""
    if row.balance is None and row.limit is None:
        return
    from patron.credit.actions import post_adjustment, set_credit_limit

    limit = row.limit if row.limit is not None else max(row.balance or Decimal(0), Decimal(0))
    set_credit_limit(actor=actor, customer=customer, credit_limit=str(limit))
    if row.balance:
        post_adjustment(actor=actor, customer=customer, amount=str(row.balance),
                        note=f"Opening balance (import {job.pk}, row {row.source.number})")


# --- rollback -----------------------------------------------------------------------------------

@transaction.atomic
def rollback_job(*, actor: Actor, job: ImportJob) -> ImportJob:
    """Undo a whole import: customers it created go (or, when they have history since, are marked
    deleted with their opening balance reversed); customers it changed get their values back."""
    require(actor, "customers.import")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == ImportStatus.ROLLED_BACK:
        return job
    if job.is_busy:
        raise RuleViolation(gettext("The import is still running; wait for it to end."), code="import-busy")
    lines = (ImportRow.objects.filter(job=job, outcome__in=[RowOutcome.CREATED, RowOutcome.UPDATED],
                                      customer__isnull=False)
             .select_related("customer").order_by("-row_number"))
    for line in lines.iterator(chunk_size=500):
        if line.outcome == RowOutcome.CREATED:
            _undo_creation(job, line.customer, actor)
        else:
            updates.restore(line.customer, line.before, actor)
    job.status, job.finished_at = ImportStatus.ROLLED_BACK, timezone.now()
    job.save(update_fields=["status", "finished_at", "updated_at"])
    record_event(actor=actor, action="import.rolled_back", subject=job,
                 data={"created": job.created_count, "updated": job.updated_count})
    return job


def _undo_creation(job: ImportJob, customer: Customer, actor: Actor) -> None:
    from patron.credit.actions import reverse_entry
    from patron.credit.models import LedgerEntry

    for entry in LedgerEntry.objects.filter(account__customer=customer, note__startswith=f"Opening balance (import "
                                            f"{job.pk},", reverses__isnull=True, reversed_by__isnull=True):
        reverse_entry(actor=actor, entry=entry, note=f"Import {job.pk} rolled back")
    if history_of(customer):
        change_status(actor=actor, customer=customer, status="deleted", reason=f"Import {job.pk} rolled back")
    else:
        delete_customer(actor=actor, customer=customer)


# --- reading a job's outcome --------------------------------------------------------------------

def job_warnings(job: ImportJob, limit: int = MAX_REPORTED_PROBLEMS) -> list[dict]:
    """The values imported rows were left without (invalid phones and e-mails), by row: the real
    run's, or the dry run's report."""
    if job.status in (ImportStatus.CHECKED, ImportStatus.CHECKING) or not job.batches_committed:
        return list(job.check_report.get("warnings", []))[:limit]
    warnings = []
    for line in (ImportRow.objects.filter(job=job).exclude(warnings=[]).order_by("row_number")
                 .iterator(chunk_size=500)):
        warnings.extend({"row": line.row_number, "line": line.line, **item} for item in line.warnings)
        if len(warnings) >= limit:
            break
    return warnings[:limit]


def job_problems(job: ImportJob, limit: int = MAX_REPORTED_PROBLEMS) -> list[dict]:
    """Every problem of the real run's rejected rows (or the dry run's report), by row."""
    if job.status in (ImportStatus.CHECKED, ImportStatus.CHECKING) or not job.batches_committed:
        return list(job.check_report.get("problems", []))[:limit]
    problems = []
    for line in (ImportRow.objects.filter(job=job, outcome=RowOutcome.REJECTED).order_by("row_number")
                 .iterator(chunk_size=500)):
        problems.extend({"row": line.row_number, "line": line.line, **item} for item in line.problems)
        if len(problems) >= limit:
            break
    return problems[:limit]
