"""Customer imports: the built-in mappings on sample files of each source, any other layout mapped
by hand, match keys, the dry run, malformed files, opening balances, rollback and the CLI."""

import csv
import io
import shutil
import signal
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook

from patron.cli.main import main
from patron.core.actors import system_actor, user_actor
from patron.core.errors import PermissionDenied, ValidationFailed
from patron.core.permissions import Role
from patron.customers.models import Customer, CustomerKind, CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.staff.tests.factories import user_factory
from patron.transfer import exports
from patron.transfer.imports import files, jobs
from patron.transfer.models import ImportJob, ImportRow, ImportStatus, RowOutcome

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def _imports_dir(settings, tmp_path):
    settings.PATRON_IMPORTS_DIR = tmp_path / "imports"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def import_file(path: Path, *, actor=None, dry_run: bool = False, **options) -> ImportJob:
    actor = actor or system_actor("test")
    job = jobs.create_job(actor=actor, source=str(path), file_name=path.name, keep_source=True, **options)
    return (jobs.check_job if dry_run else jobs.run_job)(job, actor=actor)


def customer(**filters) -> Customer:
    return Customer.objects.get(**filters)


def emails(person: Customer) -> list[str]:
    return list(person.emails.order_by("position").values_list("address", flat=True))


def phones(person: Customer) -> list[str]:
    return list(person.phones.order_by("position").values_list("e164", flat=True))


def consents(person: Customer) -> dict:
    from patron.marketing.queries import latest_consents

    return {channel: event.granted for channel, event in latest_consents([person.pk]).get(person.pk, {}).items()}


# --- the built-in mappings ----------------------------------------------------------------------

def test_shopify_export_is_recognised_and_imported(tmp_path):
    job = import_file(FILES / "shopify.csv")
    assert (job.profile, job.match_key, job.status) == ("shopify", "email", ImportStatus.DONE)
    assert job.file_path and not files.exists(job.file_path)  # the copy of the file goes once it is done
    assert (job.created_count, job.rejected_count) == (2, 0)
    ada = customer(first_name="Ada")
    assert (ada.last_name, emails(ada), phones(ada)) == ("Lovelace", ["ada@example.com"], ["+447911123456"])
    assert sorted(ada.tags.values_list("name", flat=True)) == ["Newsletter", "VIP"]
    address = ada.addresses.get()
    assert (address.label, address.line1, address.city, address.postal_code, address.country) == (
        "Analytical Engines Ltd", "12 Baker Street", "London", "NW1 6XE", "GB")
    assert ada.notes == "Likes engines" and not ada.is_tax_exempt
    assert consents(ada) == {"email": True, "sms": False}
    grace = customer(first_name="Grace")
    assert grace.is_tax_exempt and phones(grace) == ["+12025550143"]  # the address' phone, apostrophe gone
    assert consents(grace) == {"email": False, "sms": True}


def test_square_directory_keeps_reference_id_as_account_number(tmp_path):
    job = import_file(FILES / "square.csv")
    assert (job.profile, job.created_count, job.rejected_count) == ("square", 2, 0)
    maria = customer(account_number="SQ-100")
    assert (maria.first_name, str(maria.birth_date), maria.notes) == ("Maria", "1985-04-12", "Prefers email")
    assert phones(maria) == ["+14155550132"] and consents(maria) == {"email": True}
    bakery = customer(account_number="SQ-101")
    assert (bakery.kind, bakery.name, consents(bakery)) == (CustomerKind.COMPANY, "Corner Bakery", {"email": False})
    assert phones(bakery) == ["+14155550177"] and bakery.phones.get().kind == "work"


def test_lightspeed_customers_with_both_addresses_groups_as_tags_and_balances(tmp_path):
    from patron.credit.actions import set_credit_enabled

    set_credit_enabled(actor=system_actor(), is_enabled=True)
    job = import_file(FILES / "lightspeed.csv")
    assert (job.profile, job.match_key, job.created_count, job.rejected_count) == (
        "lightspeed", "account_number", 2, 0), jobs.job_problems(job)
    tom = customer(account_number="LS-0001")
    assert phones(tom) == ["+442079460018", "+447400123456"]
    assert sorted(tom.addresses.values_list("kind", "city")) == [("billing", "London"), ("contact", "London")]
    assert tom.addresses.get(kind="contact").line3 == "Soho"
    assert list(tom.tags.values_list("name", flat=True)) == ["Trade"]
    assert tom.credit_account.balance == Decimal("25.50")
    sons = customer(account_number="LS-0002")
    assert (sons.kind, sons.name, consents(sons)) == (CustomerKind.COMPANY, "Baker & Sons", {"email": False})


def address_lines(person: Customer) -> list[tuple]:
    return sorted(person.addresses.values_list("kind", "line1", "postal_code", "city", "country"))


def test_lightspeed_ecom_export_with_english_headings_joins_prefix_street_and_house_number(tmp_path):
    job = import_file(FILES / "lightspeed_ecom_en.csv")
    assert (job.profile, job.match_key, job.created_count, job.rejected_count, job.warning_count) == (
        "lightspeed_ecom", "email", 3, 0, 0), (jobs.job_problems(job), jobs.job_warnings(job))
    sanne = customer(first_name="Sanne")
    assert (sanne.name_prefix, sanne.last_name, sanne.name, str(sanne.birth_date)) == (
        "van der", "Berg", "Sanne van der Berg", "1980-12-31")
    assert sanne.sort_name.startswith("berg sanne")  # sorted under B, as Dutch lists do
    assert phones(sanne) == ["+31201234567", "+31612345678"] and emails(sanne) == ["sanne.vanderberg@example.nl"]
    assert address_lines(sanne) == [("contact", "Keizersgracht 123A", "1015 CJ", "Amsterdam", "NL"),
                                    ("shipping", "Prinsengracht 263", "1016 GV", "Amsterdam", "NL")]
    assert sanne.addresses.get(kind="contact").region == "Noord-Holland"
    assert list(sanne.tags.values_list("name", flat=True)) == ["Stamklant"]
    jonas = customer(first_name="Jonas")
    assert (jonas.last_name, str(jonas.birth_date), phones(jonas)) == ("Müller", "1979-05-06", ["+491711234567"])
    assert address_lines(jonas) == [("contact", "Hauptstraße 5 II", "10115", "Berlin", "DE")]
    oliver = customer(first_name="Oliver")
    assert (oliver.kind, oliver.last_name, phones(oliver)) == (CustomerKind.PERSON, "Smith", ["+442079460958"])
    assert address_lines(oliver) == [("contact", "10 Downing Street", "SW1A 2AA", "London", "GB")]
    assert oliver.addresses.get().label == "Smith & Co"
    assert (oliver.tax_id_country, oliver.tax_id) == ("GB", "980780684")


def test_lightspeed_ecom_export_with_dutch_headings_is_recognised_too(tmp_path):
    job = import_file(FILES / "lightspeed_ecom_nl.csv")
    assert (job.profile, job.match_key, job.created_count, job.rejected_count, job.warning_count) == (
        "lightspeed_ecom", "email", 3, 0, 0), (jobs.job_problems(job), jobs.job_warnings(job))
    daan = customer(first_name="Daan")
    assert (daan.name_prefix, daan.last_name, str(daan.birth_date), phones(daan)) == (
        "de", "Vries", "1990-09-05", ["+31687654321"])
    assert address_lines(daan) == [("contact", "Oudegracht 45-2", "3511 AB", "Utrecht", "NL")]
    assert sorted(daan.tags.values_list("name", flat=True)) == ["Nieuwsbrief", "Stamklant"]
    emma = customer(first_name="Emma")
    assert (emma.name_prefix, emma.last_name, str(emma.birth_date), phones(emma)) == (
        "van", "Dijk", "1985-04-12", ["+31101234567"])
    assert address_lines(emma) == [("contact", "Coolsingel 40", "3011 AD", "Rotterdam", "NL")]
    lukas = customer(first_name="Lukas")
    assert (lukas.last_name, phones(lukas)) == ("Schmidt", ["+49301234567"])
    assert (lukas.tax_id_country, lukas.tax_id) == ("DE", "136695976")
    assert address_lines(lukas) == [("contact", "Friedrichstraße 43", "10117", "Berlin", "DE")]


def test_mailchimp_audience_gives_consent_with_its_proof(tmp_path):
    from patron.marketing.queries import latest_consents

    job = import_file(FILES / "mailchimp.csv")
    assert (job.profile, job.created_count, job.rejected_count) == ("mailchimp", 2, 0)
    lena = customer(first_name="Lena")
    assert sorted(lena.tags.values_list("name", flat=True)) == ["Blog", "VIP"]
    event = latest_consents([lena.pk])[lena.pk]["email"]
    assert event.granted and event.source == "import"
    assert "double opt-in confirmed 2024-01-05 10:05:00" in event.proof


@pytest.mark.parametrize("format_key, language", [("csv", "en"), ("xlsx", "en"), ("csv", "de"), ("xlsx", "de"),
                                                  ("csv", "nl"), ("csv", "fr")])
def test_patron_export_round_trip_loses_nothing(system, tmp_path, format_key, language):
    """In any language: the headings are the reader's, the importer knows them all (no mapping)."""
    customer_factory(first_name="Anna", last_name="Schmidt", account_number="C-1", birth_date="1990-02-03",
                     phones=[{"kind": "mobile", "number": "+49 171 1234567"},
                             {"kind": "work", "number": "+49 30 901820"}],
                     emails=[{"address": "anna@example.com"}, {"kind": "work", "address": "a.s@firm.example"}],
                     tags=["VIP", "=cmd"], notes='Line one, "quoted";\nline two _x0041_', tax_id="DE136695976",
                     tax_id_country="DE", default_discount="5", is_tax_exempt=True,
                     addresses=[{"kind": "contact", "line1": "Hauptstr. 1", "city": "Köln", "postal_code": "50667",
                                 "country": "DE"},
                                {"kind": "billing", "line1": "Postfach 9", "city": "Bonn", "country": "DE"}])
    customer_factory(CustomerKind.COMPANY, name="=HYPERLINK(1)", account_number="C-2", status=CustomerStatus.INACTIVE)
    customer_factory(CustomerKind.PLACEHOLDER, name="Walk-in", account_number="C-3")
    before = _comparable(exports.records(Customer.objects.all()))
    path = tmp_path / f"customers.{format_key}"
    with translation.override(language):
        path.write_bytes(b"".join(exports.export_customers(actor=system, customers=Customer.objects.all(),
                                                           format_key=format_key)))
    from patron.customers.actions import delete_customer

    for record in Customer.objects.all():
        delete_customer(actor=system, customer=record)

    job = import_file(path)

    assert (job.profile, job.created_count, job.rejected_count) == ("patron", 3, 0), jobs.job_problems(job)
    after = _comparable(exports.records(Customer.objects.all()))
    for old, new in zip(before, after, strict=True):
        assert {key: value for key, value in new.items() if value != old[key]} == {}


def _comparable(records) -> list[dict]:
    """A record as the round trip must keep it. Phones travel as E.164, so the typed layout of a
    number ("+49 171 1234567") comes back as its E.164 form."""
    ignored = {"id", "uuid", "created_at", "updated_at"}
    comparable = []
    for record in records:
        record = {key: value for key, value in record.items() if key not in ignored}
        record["phones"] = [{"kind": phone["kind"], "e164": phone["e164"]} for phone in record["phones"]]
        comparable.append(record)
    return sorted(comparable, key=lambda record: record["account_number"])


# --- any other file -----------------------------------------------------------------------------

def test_another_layout_is_mapped_by_hand_and_the_mapping_saved_and_reused(tmp_path):
    path = write(tmp_path, "legacy.csv", "Kundennr;Vorname;Nachname;Mail;Bemerkung;Stufe\n"
                                         "K1;Jörg;Müller;jm@example.de;Stammkunde;gold\n")
    mapping = {"Kundennr": "account_number", "Vorname": "first_name", "Nachname": "last_name", "Mail": "email",
               "Bemerkung": "notes", "Stufe": "tags"}
    job = import_file(path, mapping=mapping, )
    jobs.save_mapping(actor=system_actor(), name="Old POS", job=job)
    assert job.delimiter == ";" and job.created_count == 1
    joerg = customer(account_number="K1")
    assert (joerg.first_name, joerg.last_name, joerg.notes, emails(joerg)) == (
        "Jörg", "Müller", "Stammkunde", ["jm@example.de"])

    again = write(tmp_path, "legacy2.csv", "Kundennr;Vorname;Nachname;Mail;Bemerkung;Stufe\n"
                                           "K1;Jörg;Müller;jm@example.de;Stammkunde, zahlt bar;gold\n")
    second = import_file(again, saved_mapping="Old POS")
    assert (second.match_key, second.updated_count, second.created_count) == ("account_number", 1, 0)
    assert customer(account_number="K1").notes == "Stammkunde, zahlt bar"


def test_a_mapping_that_cannot_work_is_refused_with_every_reason(tmp_path):
    path = write(tmp_path, "x.csv", "a,b\n1,2\n")
    with pytest.raises(ValidationFailed) as refused:
        jobs.create_job(actor=system_actor(), source=str(path), file_name="x.csv", keep_source=True,
                        mapping={"a": "first_name", "b": "first_name", "c": "email"}, match_key="phone")
    problems = refused.value.errors["mapping"]
    assert "The file has no column 'c'." in problems
    assert any("Several columns fill First name" in problem for problem in problems)
    assert any("match key is phone" in problem for problem in problems)
    assert not ImportJob.objects.exists()


# --- match keys ---------------------------------------------------------------------------------

@pytest.mark.parametrize("match_key, header, value", [
    ("email", "email", "ANNA@example.com"),
    ("phone", "mobile", "0171 1234567"),
    ("account_number", "account", "c-1"),
    ("tax_id", "vat", "DE 136 695 976"),
])
def test_a_row_matching_by_the_key_updates_that_customer_and_adds_to_its_lists(tmp_path, settings, match_key,
                                                                               header, value):
    settings.PATRON_PHONE_REGION = "DE"
    anna = customer_factory(first_name="Anna", last_name="Schmidt", account_number="C-1", tax_id="DE136695976",
                            tax_id_country="DE", phones=[{"kind": "mobile", "number": "+49 171 1234567"}],
                            emails=[{"address": "anna@example.com"}], tags=["VIP"])
    extra = {"email": "work_email"}.get(match_key, "email")
    path = write(tmp_path, "m.csv", f"{header},last name,tags,extra\n{value},Schmidt-Weber,Gold,new@example.com\n")
    job = import_file(path, match_key=match_key, mapping={header: {"email": "email", "mobile": "mobile_phone",
                                                                   "account": "account_number",
                                                                   "vat": "tax_id"}[header],
                                                          "last name": "last_name", "tags": "tags", "extra": extra})
    assert (job.created_count, job.updated_count, job.rejected_count) == (0, 1, 0), jobs.job_problems(job)
    anna.refresh_from_db()
    assert anna.last_name == "Schmidt-Weber"
    assert sorted(anna.tags.values_list("name", flat=True)) == ["Gold", "VIP"]
    assert "new@example.com" in emails(anna) and "anna@example.com" in emails(anna)
    assert Customer.objects.count() == 1


def test_a_key_repeated_in_one_file_creates_once_then_updates(tmp_path):
    path = write(tmp_path, "d.csv", "email,first_name,last_name\nx@example.com,Xavier,One\nx@example.com,Xavier,Two\n")
    job = import_file(path, batch_size=10)
    assert (job.created_count, job.updated_count) == (1, 1)
    assert customer().last_name == "Two"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path):
    first = import_file(FILES / "shopify.csv")
    second = import_file(FILES / "shopify.csv")
    assert (first.created_count, second.created_count, second.updated_count, second.unchanged_count) == (2, 0, 0, 2)
    assert Customer.objects.count() == 2


# --- dry run and problems -----------------------------------------------------------------------

def test_dry_run_reports_every_problem_by_row_and_column_and_writes_nothing(tmp_path):
    from patron.core.models import AuditEvent

    path = write(tmp_path, "p.csv", "first_name,last_name,email,phone,birth_date\n"
                                    "Ann,Good,ann@example.com,+1 202 555 0143,1980-01-02\n"
                                    "Bob,Bad,not-an-email,12,2999-01-01\n"
                                    ",,,,\n"
                                    ",,,+1 202 555 0100,\n")
    audit_before = AuditEvent.objects.count()
    job = import_file(path, dry_run=True)
    assert job.status == ImportStatus.CHECKED
    report = job.check_report
    assert (report["created"], report["rejected"]) == (1, 2)
    problems = {(problem["line"], problem["column"]) for problem in report["problems"]}
    assert {(3, "email"), (3, "phone"), (3, "birth_date")} <= problems
    assert any(problem["line"] == 5 and "name" in problem["message"].lower() for problem in report["problems"])
    assert Customer.objects.count() == 0 and AuditEvent.objects.count() == audit_before + 1  # "import.created"

    job = jobs.run_job(job, actor=system_actor("test"))
    assert (job.created_count, job.rejected_count) == (1, 2)
    assert ImportRow.objects.filter(job=job, outcome=RowOutcome.REJECTED).count() == 2
    assert list(Customer.objects.values_list("last_name", flat=True)) == ["Good"]


def test_a_row_with_a_bidi_override_is_rejected_on_its_column_and_invisible_characters_are_dropped(tmp_path):
    path = write(tmp_path, "b.csv", "first_name,last_name,notes\n"
                                    "Ann,Smith\u202egpj.exe,\n"
                                    "\ufeffBen,Zero\u200bWidth,first\u2060 line\n")
    job = import_file(path)
    assert (job.created_count, job.rejected_count) == (1, 1)
    [problem] = jobs.job_problems(job)
    assert (problem["line"], problem["column"]) == (2, "last_name") and "U+202E" in problem["message"]
    person = customer()
    assert (person.first_name, person.last_name, person.notes) == ("Ben", "ZeroWidth", "first line")


def test_a_cashier_may_not_import(tmp_path):
    cashier = user_actor(user_factory(role=Role.CASHIER))
    with pytest.raises(PermissionDenied):
        import_file(FILES / "shopify.csv", actor=cashier)
    assert not ImportJob.objects.exists()


# --- files of every kind ------------------------------------------------------------------------

def test_legacy_encoding_needs_saying_and_then_reads_right(tmp_path):
    path = write(tmp_path, "cp.csv", "first_name;last_name;email\nJosé;Müller;jm@example.com\n", encoding="cp1252")
    with pytest.raises(ValidationFailed, match="Line 2 is not valid UTF-8 text.*cp1252"):
        import_file(path)
    job = import_file(path, encoding="cp1252")
    assert job.created_count == 1 and customer().name == "José Müller"


def test_bom_crlf_quoted_newlines_tabs_and_long_notes(tmp_path):
    note = "x" * 10_000
    text = ("\ufefffirst_name\tlast_name\tnotes\r\n"
            f'Ann\tLine\t"two\r\nlines"\r\nBen\tLong\t{note}\r\nCid\t{"y" * 101}\tshort\r\n')
    job = import_file(write(tmp_path, "t.tsv", text), )
    assert (job.delimiter, job.created_count, job.rejected_count) == ("\t", 2, 1)
    assert customer(first_name="Ann").notes == "two\nlines"
    assert customer(first_name="Ben").notes == note
    [problem] = jobs.job_problems(job)
    assert (problem["line"], problem["column"]) == (5, "last_name")


def test_formula_cells_are_stored_as_plain_text(tmp_path):
    path = write(tmp_path, "f.csv", 'first_name,last_name,notes\n=1+2,"@SUM(A1)",=HYPERLINK("http://x")\n')
    import_file(path)
    person = customer()
    assert (person.first_name, person.last_name, person.notes) == ("=1+2", "@SUM(A1)", '=HYPERLINK("http://x")')


def test_a_ragged_row_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, "r.csv", "first_name,last_name\nAnn,One\nBen,Two,extra,cells\nCid\n")
    job = import_file(path)
    assert (job.created_count, job.rejected_count) == (2, 1)  # missing cells at the end are blank
    [problem] = jobs.job_problems(job)
    assert problem["line"] == 3 and "2 cell(s) more than the header" in problem["message"]


def test_xlsx_is_read_like_csv(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Account", "First name", "Last name", "Birthday", "Balance"])
    sheet.append(["X-1", "Ann", "Sheet", __import__("datetime").date(1980, 5, 6), 12])
    sheet.append([None, None, None, None, None])
    sheet.append(["X-2", "Ben", "Sheet", None, None])
    path = tmp_path / "book.xlsx"
    book.save(path)
    job = import_file(path, mapping={"Balance": ""})
    assert (job.file_format, job.created_count, job.rejected_count) == ("xlsx", 2, 0)
    assert str(customer(account_number="X-1").birth_date) == "1980-05-06"
    assert ImportRow.objects.get(job=job, customer__account_number="X-2").line == 4


def test_a_zip_bomb_or_a_fake_xlsx_is_refused_before_unpacking(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    with pytest.raises(ValidationFailed, match="zip bomb"):
        import_file(bomb)
    fake = write(tmp_path, "fake.xlsx", "first_name\nAnn\n")
    with pytest.raises(ValidationFailed, match="not an XLSX file"):
        import_file(fake)
    with pytest.raises(ValidationFailed, match="CSV or XLSX"):
        import_file(write(tmp_path, "x.pdf", "%PDF"))


def test_a_damaged_workbook_is_refused_naming_the_file_but_not_where_the_server_keeps_it(tmp_path):
    good, damaged = tmp_path / "good.xlsx", tmp_path / "upload-7f3a.xlsx"
    Workbook().save(good)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/workbook.xml":
                data = data.replace(b'state="visible"', b'state="sideways"')
            target.writestr(member, data)
    with pytest.raises(ValidationFailed) as refused:
        import_file(damaged)
    assert refused.value.message.startswith("The workbook cannot be read:")
    assert "upload-7f3a.xlsx" in refused.value.message
    assert str(tmp_path) not in refused.value.message and "\n" not in refused.value.message


# --- opening balances and rollback --------------------------------------------------------------

@pytest.fixture
def credit_on(system):
    from patron.credit.actions import set_credit_enabled

    set_credit_enabled(actor=system, is_enabled=True)


def test_opening_balances_are_posted_once_and_a_rollback_undoes_the_whole_import(tmp_path, credit_on, system):
    from patron.credit.queries import ledger_problems

    kept = customer_factory(first_name="Kept", last_name="Before", account_number="A-9",
                            emails=[{"address": "kept@example.com"}])
    path = write(tmp_path, "b.csv", "account,first_name,last_name,email,balance,limit\n"
                                    "A-1,Owes,Money,owes@example.com,120.50,500\n"
                                    "A-2,Has,Credit,credit@example.com,-20.00,\n"
                                    "A-3,No,Balance,none@example.com,,\n"
                                    "A-9,Kept,Changed,kept@example.com,,\n")
    mapping = {"account": "account_number", "balance": "opening_balance", "limit": "credit_limit"}
    job = import_file(path, mapping=mapping, )
    assert (job.created_count, job.updated_count) == (3, 1)
    owes = customer(account_number="A-1")
    assert (owes.credit_account.balance, owes.credit_account.credit_limit) == (Decimal("120.50"), Decimal("500"))
    assert customer(account_number="A-2").credit_account.balance == Decimal("-20.00")
    assert import_file(path, mapping=mapping).unchanged_count == 4
    assert owes.credit_account.entries.count() == 1  # the second import posted nothing

    jobs.rollback_job(actor=system, job=job)

    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.ROLLED_BACK
    kept.refresh_from_db()
    assert kept.last_name == "Before"
    assert not Customer.objects.filter(account_number="A-3").exists()
    owes.refresh_from_db()  # it has a ledger now: kept, marked deleted, balance back to zero
    assert (owes.status, owes.credit_account.balance) == (CustomerStatus.DELETED, Decimal("0.00"))
    assert ledger_problems(owes.credit_account) == []
    assert jobs.rollback_job(actor=system, job=job).status == ImportStatus.ROLLED_BACK  # twice: a no-op


def test_a_bad_amount_rejects_its_row(tmp_path, credit_on):
    path = write(tmp_path, "a.csv", "account,last_name,balance\nA-1,Ok,10\nA-2,Bad,ten euros\n")
    job = import_file(path, mapping={"account": "account_number", "balance": "opening_balance"})
    assert (job.created_count, job.rejected_count) == (1, 1)
    assert jobs.job_problems(job)[0]["column"] == "balance"


# --- the command line ---------------------------------------------------------------------------

def test_cli_dry_run_then_import_then_rollback(tmp_path, capsys):
    path = tmp_path / "shop.csv"
    shutil.copyfile(FILES / "shopify.csv", path)
    assert main(["import", "customers", str(path), "--dry-run"]) == 0
    out = capsys.readouterr()
    assert "recognised: shopify" in out.err and "2 would be created" in out.out and not Customer.objects.exists()

    assert main(["import", "customers", str(path), "--map", "Note=", "--save-mapping", "shopify-no-notes"]) == 0
    out = capsys.readouterr().out
    assert "2 created" in out and customer(first_name="Ada").notes == ""
    job = ImportJob.objects.filter(status=ImportStatus.DONE).get()

    assert main(["import", "rollback", str(job.pk)]) == 0
    assert "rolled back" in capsys.readouterr().out
    assert Customer.objects.exclude(status=CustomerStatus.DELETED).count() == 0


def test_cli_reports_a_bad_file_in_one_line(tmp_path, capsys):
    path = write(tmp_path, "bad.csv", "first_name\nAnn\n", encoding="utf-16")
    assert main(["import", "customers", str(path)]) != 0
    assert "not valid UTF-8" in capsys.readouterr().err


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_job_whose_worker_died_is_marked_failed_and_resumes(tmp_path):
    actor = system_actor("test")
    job = jobs.create_job(actor=actor, source=str(FILES / "shopify.csv"), file_name="shopify.csv", keep_source=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, worker_pid=dead.pid)
    job = jobs.note_if_stalled(ImportJob.objects.get(pk=job.pk))
    assert job.status == ImportStatus.FAILED and "Resume it" in job.error
    assert jobs.run_job(job, actor=actor).created_count == 2


def _job_with_worker(status: str, worker: subprocess.Popen) -> ImportJob:
    job = jobs.create_job(actor=system_actor("test"), source=str(FILES / "shopify.csv"), file_name="shopify.csv",
                          keep_source=True)
    ImportJob.objects.filter(pk=job.pk).update(status=status, worker_pid=worker.pid)
    return ImportJob.objects.get(pk=job.pk)


def _killed(worker: subprocess.Popen) -> subprocess.Popen:
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    return worker


def test_the_cli_says_a_job_whose_worker_was_killed_is_stalled_and_how_to_resume_it(capsys):
    # given: an import whose worker is alive, and one whose worker was killed with SIGKILL
    alive = subprocess.Popen(["sleep", "60"])
    try:
        working = _job_with_worker(ImportStatus.RUNNING, alive)
        stalled = _job_with_worker(ImportStatus.RUNNING, _killed(subprocess.Popen(["sleep", "60"])))
        assert (working.is_stalled, working.is_busy, stalled.is_stalled, stalled.is_busy) == (False, True, True, False)

        # when / then: the list says which one stalled and how it goes on
        assert main(["import", "list"]) == 0
        lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
        assert "stalled" in lines[str(stalled.pk)] and f"resume with `patron import resume {stalled.pk}`" in lines[
            str(stalled.pk)]
        assert "Importing" in lines[str(working.pk)] and "stalled" not in lines[str(working.pk)]

        assert main(["import", "show", str(stalled.pk)]) == 1
        out = capsys.readouterr()
        assert f"Import {stalled.pk}: stalled;" in out.out
        assert f"resume with `patron import resume {stalled.pk}`" in out.err
        assert main(["import", "show", str(working.pk)]) == 0
        assert "importing;" in capsys.readouterr().out
        # the one still worked on is not taken over
        assert main(["import", "resume", str(working.pk), "--jobs", "1", "--quiet"]) == 1
        assert "being worked on right now" in capsys.readouterr().err
    finally:
        _killed(alive)
    # the resume the CLI names goes on with the stalled job
    assert main(["import", "resume", str(stalled.pk), "--jobs", "1", "--quiet"]) == 0
    assert ImportJob.objects.get(pk=stalled.pk).status == ImportStatus.DONE


def test_a_job_queued_for_its_worker_is_not_stalled(capsys):
    # given: the back office's start: the status set, the worker not started yet
    job = jobs.create_job(actor=system_actor("test"), source=str(FILES / "shopify.csv"), file_name="shopify.csv",
                          keep_source=True)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING, worker_pid=None)
    job = ImportJob.objects.get(pk=job.pk)
    # then
    assert not job.is_stalled and not job.is_busy
    assert jobs.note_if_stalled(job).status == ImportStatus.CHECKING
    assert main(["import", "list"]) == 0
    assert "stalled" not in capsys.readouterr().out


def test_a_stalled_dry_run_is_checked_again_not_imported(capsys):
    job = _job_with_worker(ImportStatus.CHECKING, _killed(subprocess.Popen(["sleep", "60"])))
    assert main(["import", "list"]) == 0
    line = capsys.readouterr().out
    assert " stalled " in line and line.rstrip().endswith(f"check again with `patron import run {job.pk} --check`")


def test_two_rows_for_one_customer_in_a_batch_both_apply(tmp_path):
    customer_factory(first_name="Dora", last_name="Double", emails=[{"address": "dora@example.com"}])
    path = write(tmp_path, "two.csv", "email,mobile,tags\ndora@example.com,+1 202 555 0143,A\n"
                                      "dora@example.com,+1 202 555 0199,B\n")
    job = import_file(path, mapping={"mobile": "mobile_phone"})
    assert (job.updated_count, job.unchanged_count) == (2, 0)
    dora = customer(first_name="Dora")
    assert phones(dora) == ["+12025550143", "+12025550199"]
    assert sorted(dora.tags.values_list("name", flat=True)) == ["A", "B"]


def test_a_file_imported_again_leaves_its_customers_and_the_audit_trail_alone(tmp_path):
    from patron.core.models import AuditEvent

    first = import_file(FILES / "lightspeed.csv", mapping={"balance": ""})
    versions = list(Customer.objects.order_by("pk").values_list("version", flat=True))
    audit = AuditEvent.objects.exclude(object_type="importjob").count()
    second = import_file(FILES / "lightspeed.csv", mapping={"balance": ""})
    assert (first.created_count, second.unchanged_count, second.updated_count) == (2, 2, 0)
    assert list(Customer.objects.order_by("pk").values_list("version", flat=True)) == versions
    assert AuditEvent.objects.exclude(object_type="importjob").count() == audit


# --- rows read and checked ahead by worker processes --------------------------------------------

@pytest.mark.django_db(transaction=True)  # the workers read on connections of their own
@pytest.mark.parametrize("dry_run", [False, True])
def test_workers_checking_ahead_give_the_outcome_of_one_process(tmp_path, dry_run):
    customer_factory(first_name="Old", last_name="Timer", account_number="A-9",
                     emails=[{"address": "old@example.com"}])
    path = write(tmp_path, "w.csv", "account_number,first_name,last_name,email,phone\n"
                                    ",Ann,One,ann@example.com,+1 202 555 0143\n"
                                    ",Bob,Two,bob@example.com,12\n"  # a bad phone: left out, with a warning
                                    "A-9,Carl,Three,carl@example.com,\n"  # a number in use
                                    ",Dora,Four,ann@example.com,\n"  # Ann's e-mail: updates her
                                    ",Old,Timer,old@example.com,+1 202 555 0100\n"  # updates a customer
                                    "B-1,Eve,Five,eve@example.com,\n"
                                    "b-1,Fay,Six,fay@example.com,\n"  # B-1 typed twice
                                    ",,,,\n"  # empty: skipped
                                    ",Gus,Seven,,\n")
    outcomes = {}
    for workers in (1, 3):
        actor = system_actor("test")
        job = jobs.create_job(actor=actor, source=str(path), file_name=path.name, keep_source=True,
                              match_key="email", batch_size=2)
        job = (jobs.check_job if dry_run else jobs.run_job)(job, actor=actor, workers=workers)
        if dry_run:
            outcomes[workers] = job.check_report
        else:
            rows = ImportRow.objects.filter(job=job).order_by("row_number")
            outcomes[workers] = ([(row.row_number, row.outcome, [p["column"] for p in row.problems + row.warnings])
                                  for row in rows],
                                 sorted(Customer.objects.values_list("first_name", "last_name", "emails__address")))
            jobs.rollback_job(actor=actor, job=job)
    assert outcomes[3] == outcomes[1]
    if dry_run:
        # each batch of 2 is rolled back, so a row does not see the batches before it (Ann, B-1)
        assert (outcomes[1]["created"], outcomes[1]["updated"], outcomes[1]["rejected"]) == (6, 1, 1)
        assert outcomes[1]["warned"] == 1 and outcomes[1]["warnings"][0]["value"] == "12"
    else:
        lines, customers = outcomes[1]
        assert [outcome for _, outcome, _ in lines] == [
            "created", "created", "rejected", "updated", "updated", "created", "rejected", "created"]
        assert lines[1][2] == ["phone"] and lines[2][2] == ["account_number"]
        assert ("Dora", "Four", "ann@example.com") in customers  # the row's name, by Ann's e-mail
        assert lines[6][2] == ["account_number"]  # b-1: B-1 typed by the row before


@pytest.mark.django_db(transaction=True)
def test_workers_checking_ahead_report_the_likely_duplicates_of_one_process(tmp_path):
    customer_factory(first_name="Ann", last_name="One", phones=[{"number": "+1 202 555 0143"}])
    path = write(tmp_path, "d.csv", "first_name,last_name,email,phone\n"
                                    "Ann,One,ann.one@example.com,+1 202 555 0143\n"  # the stored Ann
                                    "Bob,Two,bob@example.com,+1 202 555 0188\n"
                                    "Bob,Two,bobby@example.com,+1 202 555 0188\n")  # the row before
    reports = {}
    for workers in (1, 2):
        actor = system_actor("test")
        job = jobs.create_job(actor=actor, source=str(path), file_name=path.name, keep_source=True,
                              match_key="none")
        job = jobs.check_job(job, actor=actor, workers=workers)
        reports[workers] = [(item["row"], item["other"]) for item in job.check_report["duplicates"]]
    assert reports[2] == reports[1]
    assert reports[1] == [(1, "C000001 Ann One"), (2, "row 3 of this file"), (3, "row 2 of this file")]


# --- invalid phones and e-mails: warnings, or rejections with --strict --------------------------

BAD_PHONES = {("Lukas", "'12"), ("Emma", "call me"), ("Daan", "'0000")}


def test_a_bad_phone_leaves_the_customer_in_without_it_and_the_report_warns(tmp_path, settings):
    settings.PATRON_PHONE_REGION = "US"
    job = import_file(FILES / "shopify_12.csv")
    assert (job.profile, job.created_count, job.rejected_count, job.warning_count) == ("shopify", 12, 0, 3)
    warnings = jobs.job_warnings(job)
    assert sorted((warning["line"], warning["column"], warning["value"]) for warning in warnings) == [
        (8, "Phone", "12"), (9, "Phone", "call me"), (10, "Phone", "0000")]
    assert all(warning["message"] for warning in warnings)
    for first_name in ("Lukas", "Emma", "Daan"):
        assert phones(customer(first_name=first_name)) == []
        assert emails(customer(first_name=first_name)) != []  # the rest of the row is in
    # every national number read in its row's own country
    assert phones(customer(first_name="Jonas")) == ["+491711234567"]
    assert phones(customer(first_name="Camille")) == ["+33612345678"]
    assert phones(customer(first_name="Oliver")) == ["+442079460958"]
    assert phones(customer(first_name="Sanne")) == ["+31612345678"]
    assert ImportRow.objects.filter(job=job).exclude(warnings=[]).count() == 3


def test_strict_rejects_the_rows_with_a_bad_phone(tmp_path, settings):
    settings.PATRON_PHONE_REGION = "US"
    job = import_file(FILES / "shopify_12.csv", strict=True)
    assert (job.created_count, job.rejected_count, job.warning_count) == (9, 3, 0)
    assert sorted((problem["line"], problem["column"]) for problem in jobs.job_problems(job)) == [
        (8, "Phone"), (9, "Phone"), (10, "Phone")]
    assert not Customer.objects.filter(first_name__in=["Lukas", "Emma", "Daan"]).exists()


def test_the_dry_run_counts_the_warnings_and_a_bad_e_mail_warns_too(tmp_path):
    path = write(tmp_path, "e.csv", "email,first_name,last_name,phone\nnot-an-address,Ann,One,\n"
                                    "bob@example.com,Bob,Two,+1 202 555 0143\n")
    report = import_file(path, dry_run=True, match_key="none").check_report
    assert (report["created"], report["rejected"], report["warned"]) == (2, 0, 1)
    assert [(warning["line"], warning["column"], warning["value"]) for warning in report["warnings"]] == [
        (2, "email", "not-an-address")]


def test_an_update_with_a_bad_phone_keeps_the_rest_and_warns(tmp_path):
    anna = customer_factory(first_name="Anna", last_name="Schmidt", emails=[{"address": "anna@example.com"}])
    path = write(tmp_path, "u.csv", "email,last_name,phone\nanna@example.com,Schmidt-Weber,12\n")
    job = import_file(path, match_key="email")
    assert (job.updated_count, job.rejected_count, job.warning_count) == (1, 0, 1), jobs.job_problems(job)
    anna.refresh_from_db()
    assert anna.last_name == "Schmidt-Weber" and phones(anna) == []
    strict = import_file(write(tmp_path, "u2.csv", "email,last_name,phone\nanna@example.com,Weber,12\n"),
                         match_key="email", strict=True)
    assert (strict.updated_count, strict.rejected_count) == (0, 1)
    anna.refresh_from_db()
    assert anna.last_name == "Schmidt-Weber"


def test_cli_strict_and_show_list_the_warnings(tmp_path, capsys, settings):
    settings.PATRON_PHONE_REGION = "US"
    assert main(["import", "customers", str(FILES / "shopify_12.csv"), "--quiet", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "12 created" in out and "3 warnings" in out
    assert "WARNING line 9 (row 8) [Phone] 'call me' left out" in out
    job = ImportJob.objects.get()
    assert main(["import", "show", str(job.pk)]) == 0
    assert "WARNING line 8 (row 7) [Phone] '12' left out" in capsys.readouterr().out
    assert main(["import", "customers", str(FILES / "shopify_12.csv"), "--strict", "--quiet", "--jobs", "1",
                 "--match-key", "none"]) == 0
    out = capsys.readouterr().out
    assert "9 created" in out and "3 rejected" in out and "WARNING" not in out
