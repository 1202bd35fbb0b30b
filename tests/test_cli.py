"""The `patron` command line: run in-process against the test database, and `patron serve` for real."""

from __future__ import annotations

import csv
import io
import json
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager

import pytest
from django.db import connection

from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers import actions
from patron.customers.models import Customer, CustomerKind
from patron.customers.tests.factories import customer_factory
from patron.locations.actions import update_location
from patron.locations.models import Location
from patron.staff.actions import authenticate_token
from patron.staff.models import ApiToken, User
from patron.staff.tests.factories import token_factory
from tests.cli_support import environment, free_port, patron, patron_ok

PASSWORD = "correct horse battery staple"


def _is_one_line_error(err: str) -> bool:
    return err.count("\n") == 1 and "error: " in err and "Traceback" not in err


# --- help -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("command, mentions", [
    ([], "customers"),
    (["serve"], "--workers"),
    (["migrate"], "migration"),
    (["demo"], "--if-empty"),
    (["user", "create"], "--password-stdin"),
    (["user", "list"], "usage: patron user list"),
    (["token", "create"], "--store"),
    (["token", "list"], "usage: patron token list"),
    (["token", "revoke"], "PREFIX_OR_ID"),
    (["customers", "list"], "--format"),
    (["customers", "show"], "ACCOUNT_NUMBER_OR_UUID"),
    (["till-cache"], "change feed"),
    (["till-cache", "sync"], "--token"),
    (["till-cache", "lookup"], "--format"),
    (["reindex"], "lookup index"),
    (["export", "customers"], "--format"),
    (["backup"], "integrity_check"),
    (["restore"], "--yes"),
    (["manage"], "changepassword"),
])
def test_every_command_explains_itself_with_help(cli, command, mentions):
    status, out, _ = cli(*command, "--help")
    assert status == 0
    assert mentions in out


def test_a_usage_error_is_one_line_pointing_to_help(cli):
    status, _, err = cli("customers", "list", "--format", "xml")
    assert status == 2
    assert _is_one_line_error(err) and "(see patron customers list --help)" in err


# --- users and tokens -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_user_create_reads_the_password_from_stdin_and_is_audited_as_the_cli(cli):
    status, out, _ = cli("user", "create", "erika", "--role", "manager", "--store", "s01", "--password-stdin",
                         stdin=PASSWORD + "\n")
    assert (status, out) == (0, "Created manager erika at S01.\n")
    erika = User.objects.get(username="erika")
    assert (erika.role, erika.location.code, erika.check_password(PASSWORD)) == ("manager", "S01", True)
    assert AuditEvent.objects.get(action="staff.user_created").actor_label == "cli"


@pytest.mark.django_db
@pytest.mark.parametrize("args, stdin, status, message", [
    (["--role", "boss", "--password-stdin"], PASSWORD, 2, "invalid choice: 'boss'"),
    (["--role", "admin", "--password-stdin"], "short", 1, "password: This password is too short"),
    (["--role", "admin", "--store", "S99", "--password-stdin"], PASSWORD, 1, "No location has the code"),
    (["--role", "admin", "--password-stdin"], "", 1, "No password on standard input"),
    (["--role", "admin"], PASSWORD, 1, "no terminal to ask for the password"),
])
def test_user_create_refusals_say_why_in_one_line_and_create_nobody(cli, args, stdin, status, message):
    result = cli("user", "create", "erika", *args, stdin=stdin)
    assert result[0] == status
    assert _is_one_line_error(result[2]) and message in result[2]
    assert not User.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["<script>x</script>", "ops/admin", "er\u200bika", "erika\u202e", "erika smith"])
def test_user_create_refuses_a_username_beyond_letters_digits_and_a_few_marks(cli, username):
    status, _, err = cli("user", "create", username, "--role", "admin", "--password-stdin", stdin=PASSWORD)
    assert status == 1 and _is_one_line_error(err)
    assert "username: Use only letters, digits and . _ - @ +" in err
    assert not User.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_token_secret_is_printed_once_and_revoking_by_prefix_stops_it(cli):
    # when
    status, out, err = cli("token", "create", "Till 1", "--role", "cashier", "--store", "S01")
    secret = out.strip()
    # then
    assert status == 0 and "shown only this once" in err and secret not in err
    token = authenticate_token(secret)
    assert (token.name, token.role, token.location.code) == ("Till 1", "cashier", "S01")
    _, listing, _ = cli("token", "list")
    assert token.prefix in listing and secret not in listing
    # when
    status, out, _ = cli("token", "revoke", token.prefix)
    # then
    assert status == 0 and out.startswith("Revoked: API token 'Till 1'")
    assert authenticate_token(secret) is None
    assert cli("token", "revoke", str(token.pk))[1].startswith("Already revoked")


@pytest.mark.django_db
@pytest.mark.parametrize("reference, message", [
    ("999", "No API token has the id or prefix “999”"),
    ("ptn_", "whole 12-character prefix"),
    ("ptn_nosuchtoken", "No API token"),
])
def test_revoking_an_unknown_token_changes_nothing(cli, reference, message):
    cli("token", "create", "Webshop", "--role", "manager")
    status, _, err = cli("token", "revoke", reference)
    assert status == 1 and _is_one_line_error(err) and message in err
    assert ApiToken.objects.get().revoked_at is None


# --- customers ------------------------------------------------------------------------------------

@pytest.fixture
def three_customers(system):
    anna = customer_factory(first_name="Anna", last_name="Müller", phones=[{"number": "+49 30 1234567"}],
                            emails=[{"address": "anna@example.com"}])
    shop = customer_factory(CustomerKind.COMPANY, name="Mug Shop Ltd")
    actions.link_representative(actor=system, company=shop, person=anna, role="Buyer")
    walk_in = customer_factory(CustomerKind.PLACEHOLDER, name="Walk-in", account_number="WALKIN",
                               track_sales=False)
    actions.change_status(actor=system, customer=walk_in, status="inactive", reason="Closed")
    return anna, shop, walk_in


@pytest.mark.django_db
def test_customers_list_in_every_format(cli, three_customers):
    anna, shop, walk_in = three_customers
    # json
    _, out, _ = cli("customers", "list", "--format", "json")
    rows = json.loads(out)
    assert [row["name"] for row in rows] == ["Mug Shop Ltd", "Anna Müller", "Walk-in"]
    assert rows[1] == {"account_number": anna.account_number, "name": "Anna Müller", "kind": "person",
                       "status": "active", "phone": "+49 30 1234567", "email": "anna@example.com",
                       "home": "S01", "uuid": str(anna.uuid)}
    # csv: a cell a spreadsheet would run as a formula ("+49 ...") starts with an apostrophe (S7)
    _, out, _ = cli("customers", "list", "--format", "csv")
    assert list(csv.DictReader(io.StringIO(out))) == [{**row, "phone": f"'{row['phone']}" if row["phone"] else ""}
                                                      for row in rows]
    # table
    _, out, _ = cli("customers", "list")
    assert out.splitlines()[0].split() == list(rows[0])
    assert "Anna Müller" in out and len(out.splitlines()) == 4


@pytest.mark.django_db
@pytest.mark.parametrize("options, names", [
    (["--search", "muller"], ["Anna Müller"]),
    (["--search", "1234567"], ["Anna Müller"]),
    (["--status", "inactive"], ["Walk-in"]),
    (["--status", "active", "--kind", "company"], ["Mug Shop Ltd"]),
    (["--sort=-name", "--limit", "2"], ["Walk-in", "Anna Müller"]),
    (["--search", "nobody"], []),
])
def test_customers_list_filters(cli, three_customers, options, names):
    status, out, _ = cli("customers", "list", "--format", "json", *options)
    assert status == 0
    assert [row["name"] for row in json.loads(out)] == names


@pytest.mark.django_db
def test_customers_list_search_is_the_lookup_and_says_what_matched(cli, three_customers):
    customer_factory(first_name="Anne", last_name="Muller-Lang")
    _, out, _ = cli("customers", "list", "--format", "json", "--search", "mulelr")
    assert [(row["name"], row["matched_on"]) for row in json.loads(out)] == [
        ("Anna Müller", "name (similar spelling)"), ("Anne Muller-Lang", "name (similar spelling)")]
    _, out, _ = cli("customers", "list", "--search", "+49-30-123-4567")
    assert out.splitlines()[0].split()[-1] == "matched_on" and out.splitlines()[1].endswith("phone")


@pytest.mark.django_db
def test_customers_show_finds_by_account_number_in_any_case_or_by_uuid(cli, three_customers):
    anna, shop, walk_in = three_customers
    # when
    by_number = cli("customers", "show", f" {shop.account_number.lower()} ", "--format", "json")
    by_uuid = cli("customers", "show", str(shop.uuid), "--format", "json")
    # then
    assert by_number == by_uuid
    document = json.loads(by_number[1])
    assert (document["name"], document["kind"]) == ("Mug Shop Ltd", "company")
    assert document["representatives"] == [{"account_number": anna.account_number, "name": "Anna Müller",
                                            "role": "Buyer"}]
    walk_in_document = json.loads(cli("customers", "show", "walkin", "--format", "json")[1])
    assert (walk_in_document["status"], walk_in_document["track_sales"]) == ("inactive", False)


@pytest.mark.django_db
def test_customers_show_as_text_has_the_record_sections(cli, three_customers):
    anna, shop, _ = three_customers
    status, out, _ = cli("customers", "show", anna.account_number)
    assert status == 0
    assert out.startswith(f"Anna Müller ({anna.account_number})\n")
    expected = ["Status:          Active", "Phones:\n  mobile: +49 30 1234567", "E-mails:\n  personal: anna@",
                f"Represents:\n  Mug Shop Ltd ({shop.account_number}) Buyer"]
    assert all(part in out for part in expected)


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["C999999", "not-a-uuid", "01900000-0000-7000-8000-000000000000", ""])
def test_customers_show_of_an_unknown_customer_is_a_one_line_error(cli, three_customers, reference):
    status, out, err = cli("customers", "show", reference)
    assert (status, out) == (1, "")
    assert _is_one_line_error(err) and "No customer has the account number or id" in err


# --- the lookup: reindex and the till cache -------------------------------------------------------

@pytest.mark.django_db
def test_reindex_rebuilds_the_lookup_index_and_says_how_long_it_took(cli, three_customers):
    def found(query: str) -> list[tuple[str, str]]:
        rows = json.loads(cli("customers", "list", "--search", query, "--format", "json")[1])
        return [(row["name"], row["matched_on"]) for row in rows]

    with connection.cursor() as cursor:  # as if customers had been written into the database directly
        cursor.execute("DELETE FROM customers_searchterm")
    assert found("mulelr") == [] and found("muller") == [("Anna Müller", "name (part)")]
    # when
    status, out, _ = cli("reindex")
    # then
    assert status == 0 and re.fullmatch(r"Indexed 3 customers in \d+\.\d s\.\n", out)
    assert found("mulelr") == [("Anna Müller", "name (similar spelling)")]
    assert found("muller") == [("Anna Müller", "name")]


@pytest.mark.django_db(transaction=True)  # the server thread reads what the test committed
def test_till_cache_follows_the_server_and_answers_offline(cli, live_server, tmp_path, system):
    anna = customer_factory(first_name="Anna", last_name="Müller", phones=[{"number": "+49 30 1234567"}],
                            account_number="A-1")
    customer_factory(first_name="Gone", last_name="Inactive", status="inactive")  # never served at a till
    _, secret = token_factory(Role.CASHIER)
    cache = str(tmp_path / "till.sqlite3")
    sync = ("till-cache", "sync", "--url", live_server.url, "--token", secret, "--db", cache)
    # when
    status, out, _ = cli(*sync, "--page-size", "1")
    # then
    assert (status, out) == (0, "Synced 3 pages: 1 upsert, 1 removal. The cache holds 1 customer.\n")
    actions.update_customer(actor=system, customer=anna, values={"last_name": "Langford"})
    assert cli(*sync)[1] == "Synced 1 page: 1 upsert, 0 removals. The cache holds 1 customer.\n"
    for query, matched_on in (("+49-30-123-4567", "phone"), ("4567", "phone (last digits)"), ("a-1", "account number"),
                              ("langford anna", "name"), ("Lnagford", "name (similar spelling)")):
        status, out, _ = cli("till-cache", "lookup", "--db", cache, query, "--format", "json")
        assert status == 0
        assert [(found["name"], found["matched_on"]) for found in json.loads(out)] == [("Anna Langford", matched_on)], \
            query
    status, out, err = cli("till-cache", "lookup", "--db", cache, "müller")
    assert (status, out, err) == (0, "", "No customer matches.\n")  # the old name is gone
    table = cli("till-cache", "lookup", "--db", cache, "anna")[1].splitlines()
    assert table[0].split() == ["account_number", "name", "status", "phone", "email", "matched_on"]
    assert table[1].split() == ["A-1", "Anna", "Langford", "active", "+49", "30", "1234567", "name"]


@pytest.mark.django_db(transaction=True)
def test_till_cache_reads_a_national_number_in_the_country_of_the_tills_store(cli, live_server, tmp_path, system):
    store = update_location(actor=system, location=Location.objects.get(code="S01"), country="NL")
    customer_factory(first_name="Daan", name_prefix="de", last_name="Vries", phones=[{"number": "+31 6 12345678"}])
    _, secret = token_factory(Role.CASHIER, location=store)
    cache = str(tmp_path / "till.sqlite3")
    assert cli("till-cache", "sync", "--url", live_server.url, "--token", secret, "--db", cache)[0] == 0
    status, out, _ = cli("till-cache", "lookup", "--db", cache, "06 12345678", "--format", "json")
    assert status == 0 and [(found["name"], found["matched_on"]) for found in json.loads(out)] == [
        ("Daan de Vries", "phone")]  # read as +31 6..., as the server reads it at that store


@pytest.mark.django_db
def test_till_cache_failures_are_one_line_and_touch_no_other_file(cli, tmp_path):
    not_a_cache = tmp_path / "patron.sqlite3"
    with closing(sqlite3.connect(not_a_cache)) as other:
        other.execute("CREATE TABLE customers_customer (id INTEGER PRIMARY KEY, name TEXT)")
    before = not_a_cache.read_bytes()
    unreachable = f"http://127.0.0.1:{free_port()}"
    cases = [
        (("sync", "--url", unreachable, "--token", "ptn_x", "--db", str(tmp_path / "new.sqlite3")), "Cannot reach"),
        (("sync", "--url", unreachable, "--token", "ptn_x", "--db", str(not_a_cache)), "is not a till cache"),
        (("lookup", "--db", str(not_a_cache), "anna"), "is not a till cache"),
        (("lookup", "--db", str(tmp_path / "missing.sqlite3"), "anna"), "run `patron till-cache sync"),
    ]
    for args, message in cases:
        status, out, err = cli("till-cache", *args)
        assert (status, out) == (1, ""), args
        assert _is_one_line_error(err) and message in err, err
    assert not_a_cache.read_bytes() == before
    assert not (tmp_path / "missing.sqlite3").exists()
    status, _, err = cli("till-cache", "sync", "--url", "file:///etc/passwd", "--token", "x", "--db", "x")
    assert status == 2 and "is not an http:// or https:// address" in err


@pytest.mark.django_db(transaction=True)
def test_till_cache_sync_refused_by_the_server_keeps_the_cache(cli, live_server, tmp_path):
    customer_factory(first_name="Anna", last_name="Müller")
    _, secret = token_factory(Role.CASHIER)
    cache = str(tmp_path / "till.sqlite3")
    cli("till-cache", "sync", "--url", live_server.url, "--token", secret, "--db", cache)
    status, _, err = cli("till-cache", "sync", "--url", live_server.url, "--token", "ptn_revoked", "--db", cache)
    last_line = err.splitlines()[-1]  # (the server, in this process, logs the 401 before it)
    assert status == 1 and last_line.startswith("patron: error: The server refused the feed request: 401 Send a")
    assert [found["name"] for found in json.loads(cli("till-cache", "lookup", "--db", cache, "anna",
                                                      "--format", "json")[1])] == ["Anna Müller"]


# --- demo, migrate, manage ------------------------------------------------------------------------

@pytest.mark.django_db
def test_demo_creates_the_users_once_and_prints_a_login_that_works(cli):
    # when
    status, out, _ = cli("demo", "--count", "12", "--seed", "4")
    # then
    assert status == 0 and Customer.objects.count() == 12
    assert "Loaded the demo data set" in out and "12 customers" in out
    password = re.search(r"Log in as admin with password (\S+)", out).group(1)
    assert User.objects.get(username="admin").check_password(password)
    assert set(User.objects.values_list("role", flat=True)) == {"admin", "manager", "cashier"}
    # when loading more
    status, out, _ = cli("demo", "--count", "5")
    # then
    assert status == 0 and Customer.objects.count() == 17 and User.objects.count() == 3
    assert "no demo users were created" in out and "password" not in out


@pytest.mark.django_db
def test_demo_if_empty_leaves_a_database_with_customers_alone(cli):
    customer_factory()
    events = AuditEvent.objects.count()
    status, out, _ = cli("demo", "--if-empty")
    assert status == 0 and "not loaded" in out and "patron user create" in out
    assert Customer.objects.count() == 1 and AuditEvent.objects.count() == events
    assert not User.objects.exists()


@pytest.mark.django_db
def test_migrate_and_manage_pass_through_to_django(cli):
    status, out, _ = cli("migrate")
    assert status == 0 and "No migrations to apply." in out
    status, out, _ = cli("manage", "check")
    assert status == 0 and "System check identified no issues" in out


@pytest.mark.django_db
def test_restore_without_yes_refuses_before_reading_anything(cli, tmp_path):
    status, _, err = cli("restore", str(tmp_path / "missing.backup"))
    assert status == 1 and _is_one_line_error(err) and "Run again with --yes" in err


# --- serve, for real ------------------------------------------------------------------------------

def test_serve_refuses_a_database_that_is_not_migrated(tmp_path):
    env = environment(tmp_path / "var", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = patron("serve", "--port", str(free_port()), env=env)
    assert result.returncode == 1
    assert result.stderr == "patron: error: The database is not up to date: run `patron migrate` first.\n"


@contextmanager
def _serving(tmp_path):
    """`patron serve` on a fresh SQLite database: yields its address, the announcement it printed and
    a queue of the lines it prints next (access log and errors)."""
    env = environment(tmp_path / "var", f"sqlite:///{tmp_path / 'patron.sqlite3'}")
    patron_ok("migrate", env=env)
    port = free_port()
    command = [sys.executable, "-m", "patron.cli", "serve", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    lines = _lines_of(server)
    try:
        announcement = _wait_for(lines, "Patron is running")
        yield f"http://127.0.0.1:{port}", announcement, lines
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_serve_runs_gunicorn_with_pages_and_static_files_and_debug_off(tmp_path):
    with _serving(tmp_path) as (base, announcement, _):
        # then
        assert announcement == f"Patron is running: log in at {base}/login/ (press Ctrl+C to stop)\n"
        status, html = _get(f"{base}/login/")
        assert status == 200 and 'name="csrfmiddlewaretoken"' in html
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        assert any("htmx" in asset for asset in assets) and any(asset.endswith(".css") for asset in assets)
        for asset in assets + ["/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"]:
            assert _get(base + asset)[0] == 200, asset
        status, html = _get(f"{base}/no-such-page/")
        assert status == 404 and "Django tried these URL patterns" not in html  # DEBUG is off
        assert (tmp_path / "var" / "static" / "staticfiles.json").exists()


def test_serve_logs_requests_without_their_query_string_or_referer(tmp_path):
    """Searches carry names, phones and e-mail addresses: personal data stays out of the access log."""
    with _serving(tmp_path) as (base, _, lines):
        # when
        lookup = urllib.request.Request(f"{base}/api/v1/lookup?q=Anna+Schmidt+202-555-0143&limit=5",
                                        headers={"Referer": f"{base}/till/?q=anna.schmidt%40example.com"})
        assert _get(lookup)[0] == 401
        # then
        printed = _lines_until(lines, '"GET /api/v1/lookup')
        assert '"GET /api/v1/lookup HTTP/1.1" 401' in printed[-1]
        assert not [line for line in printed if re.search(r"schmidt|0143|q=|example", line, re.I)], printed


def _lines_of(process: subprocess.Popen) -> queue.Queue:
    """The process's output lines, read by a thread so the pipe never fills up."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            break
        if text in line:
            return line
    raise AssertionError(f"the server did not print {text!r} within {timeout} s")


def _lines_until(lines: queue.Queue, text: str, timeout: float = 30) -> list[str]:
    """The lines printed up to and including the first one containing ``text``."""
    printed = [_wait_for(lines, "", timeout)]
    while text not in printed[-1]:
        printed.append(_wait_for(lines, "", timeout))
    return printed


def _get(url: str | urllib.request.Request) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
