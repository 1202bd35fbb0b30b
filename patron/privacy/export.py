"""Subject-access export (GDPR Art. 15 and 20): everything Patron holds about one customer, in one zip.

The inventory decides what goes in: every ``personal`` and ``financial-record`` field (with the
row's ``id`` so parts can be joined) of every row that belongs to the customer (``relations.py``):
the record, phones, e-mails, addresses, contacts, representations, messages, custom fields, tags,
consent history, sales and their lines and payments, orders, credit and points ledgers, and the
audit entries about the customer. ``operational`` fields (staff names, versions, index rows) stay
out. Each table is one JSON part and one CSV part (text cells spreadsheet-safe, test S7); the
photo file is added as it is stored. Rows are read in chunks by id, so a ledger of many
thousands of entries never sits in memory as a whole.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from patron.core.actors import Actor
from patron.core.audit import record_event
from patron.core.jsonable import jsonable
from patron.core.permissions import require
from patron.customers.models import Customer
from patron.privacy import inventory
from patron.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from patron.privacy.relations import customer_models, rows_of
from patron.transfer.exports import spreadsheet_safe

CHUNK = 2000
EXPORTED = (inventory.PERSONAL, inventory.FINANCIAL_RECORD)


def export_customer(*, actor: Actor, customer: Customer, stream, now: datetime.datetime | None = None) -> dict:
    """Write the customer's zip to a binary ``stream``; record and audit the request. Returns the manifest."""
    require(actor, "privacy.manage")
    now = now or timezone.now()
    manifest = write_archive(customer, stream, now=now)
    with transaction.atomic():
        request = PrivacyRequest.objects.create(
            kind=RequestKind.EXPORT, customer=customer, customer_uuid=customer.uuid, status=RequestStatus.DONE,
            requested_by=actor.label[:150], received_at=now, completed_at=now)
        record_event(actor=actor, action="privacy.exported", subject=request, customer=customer,
                     data={"parts": len(manifest["parts"])})
    return manifest


def export_pieces(*, actor: Actor, customer: Customer) -> Iterator[bytes]:
    """The zip as pieces to stream (built in a temporary file first: a zip's directory comes last).
    The permission is checked before the first piece."""
    require(actor, "privacy.manage")
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the generator that reads it out
    try:
        export_customer(actor=actor, customer=customer, stream=stream)
    except BaseException:
        stream.close()
        raise
    stream.seek(0)

    def pieces():
        with stream:
            while piece := stream.read(256 * 1024):
                yield piece

    return pieces()


def archive_name(customer: Customer) -> str:
    return f"privacy-export-{customer.uuid}.zip"


def write_archive(customer: Customer, stream, *, now: datetime.datetime) -> dict:
    manifest = {"customer_id": str(customer.uuid), "generated_at": jsonable(now), "parts": []}
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model in customer_models():
            columns = exported_columns(model)
            if len(columns) <= 1:  # nothing but the id
                continue
            name = f"{model._meta.app_label}.{model.__name__}"
            count = _write_part(archive, name, model, customer, columns)
            if count:
                manifest["parts"].append({"table": name, "rows": count, "json": f"{name}.json", "csv": f"{name}.csv",
                                          "fields": {field.name: inventory.class_of(model, field) or "key"
                                                     for field in columns}})
        if customer.photo and default_storage.exists(customer.photo):
            with default_storage.open(customer.photo, "rb") as photo:
                archive.writestr(f"photo/{os.path.basename(customer.photo)}", photo.read())
            manifest["photo"] = f"photo/{os.path.basename(customer.photo)}"
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return manifest


def exported_columns(model: type[models.Model]) -> list[models.Field]:
    """The row's id, then every personal and financial-record field."""
    return [model._meta.pk] + [field for field in inventory.fields_of_class(model, *EXPORTED)
                               if not field.primary_key]


def _write_part(archive: zipfile.ZipFile, name: str, model, customer: Customer, columns) -> int:
    """Write the JSON part straight into the zip and the CSV part beside it (a zip takes one part at
    a time), then copy the CSV in."""
    count = 0
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as csv_part:
        with archive.open(f"{name}.json", "w") as json_part:
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            text.write("\ufeff")
            writer.writerow([field.name for field in columns])
            json_part.write(b"[")
            for record in _records(model, customer, columns):
                line = json.dumps(jsonable(record), ensure_ascii=False).encode()
                json_part.write((b",\n" if count else b"\n") + line)
                writer.writerow([_cell(record[field.name]) for field in columns])
                count += 1
                if count % 500 == 0:
                    csv_part.write(_drain(text))
            json_part.write(b"\n]\n")
            csv_part.write(_drain(text))
        csv_part.seek(0)
        with archive.open(f"{name}.csv", "w") as target:
            shutil.copyfileobj(csv_part, target, 256 * 1024)
    return count


def _records(model, customer: Customer, columns) -> Iterator[dict]:
    plain = [field for field in columns if not field.many_to_many]
    sets = [field for field in columns if field.many_to_many]
    names = {field.attname: field.name for field in plain}
    last = None
    rows = rows_of(model, customer)
    while True:
        chunk = rows if last is None else rows.filter(pk__gt=last)
        chunk = list(chunk.values(*names)[:CHUNK])
        if not chunk:
            return
        members = {field.name: _members(model, field, [row["id"] for row in chunk]) for field in sets}
        for row in chunk:
            record = {names[key]: value for key, value in row.items()}
            for field in sets:
                record[field.name] = members[field.name].get(row["id"], [])
            yield record
        last = chunk[-1]["id"]


def _members(model, field: models.ManyToManyField, ids: list[int]) -> dict[int, list[str]]:
    """The names of a many-to-many set (a customer's tags) per row."""
    through = field.remote_field.through
    source = field.m2m_field_name()
    target = field.m2m_reverse_field_name()
    pairs = list(through.objects.filter(**{f"{source}_id__in": ids}).values_list(f"{source}_id", f"{target}_id"))
    names = {member.pk: str(member) for member in
             field.related_model._default_manager.filter(pk__in={member for _, member in pairs})}
    found: dict[int, list[str]] = {}
    for row_id, member in pairs:
        found.setdefault(row_id, []).append(names[member])
    for members in found.values():
        members.sort()
    return found


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return spreadsheet_safe(json.dumps(jsonable(value), ensure_ascii=False))
    if isinstance(value, (int, datetime.date, datetime.datetime)) or hasattr(value, "as_tuple"):
        return str(jsonable(value))
    return spreadsheet_safe(str(jsonable(value)))


def _drain(text: io.StringIO) -> bytes:
    data = text.getvalue().encode()
    text.seek(0)
    text.truncate()
    return data
