"""Test set-up shared by the whole suite (both engines: DATABASE_URL picks SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would refuse ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_ALL = os.environ.get("PATRON_REQUIRE_ALL") == "1"
CHROMIUM = os.environ.get("PATRON_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
_browser_tests_passed = 0


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    """Passwords are still hashed with Argon2 as in production, at its lowest cost in this process:
    the production cost is meant to be slow and to use every core, and the suite makes a user for
    most tests, so each engine's run slowed the other's. Hashes and logins in child processes
    (`patron serve`, the CLI) keep the production cost."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    production = (Argon2PasswordHasher.time_cost, Argon2PasswordHasher.memory_cost,
                  Argon2PasswordHasher.parallelism)
    Argon2PasswordHasher.time_cost, Argon2PasswordHasher.memory_cost, Argon2PasswordHasher.parallelism = 1, 8, 1
    yield
    Argon2PasswordHasher.time_cost, Argon2PasswordHasher.memory_cost, Argon2PasswordHasher.parallelism = production


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Pages link their static files by name: tests run without collectstatic's manifest."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _no_random_rate_count_purge(monkeypatch):
    """A new minute's first API request deletes expired rate counts by chance; tests that count a
    request's queries must not meet that chance. Tests of the purge set it themselves."""
    from patron.ops import ratelimit

    monkeypatch.setattr(ratelimit, "PURGE_CHANCE", 0)


@pytest.fixture(autouse=True)
def _keep_db_connection_open():
    """Raw WSGI calls would close the test's PostgreSQL connection inside its transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="session", autouse=True)
def _flush_may_empty_append_only_tables():
    """Tests that commit (browser tests) end with Django's flush, which must be able to empty the
    append-only audit table; the product itself never can."""
    from django.core.management.commands import flush

    from patron.core.db import append_only_unlocked

    original = flush.Command.handle

    def handle(self, *args, **options):
        with append_only_unlocked():
            return original(self, *args, **options)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


# Data migrations that give a fresh install its defaults (stores, settings rows, price levels).
DEFAULT_DATA = ("patron.locations.migrations.0002_default_locations",
                "patron.customers.migrations.0002_default_settings",
                "patron.credit.migrations.0002_settings_and_append_only",
                "patron.loyalty.migrations.0002_settings_and_append_only")


@pytest.fixture(autouse=True)
def _shop_defaults_in_committed_tests(request):
    """Tests that commit (browser, concurrency) end with a flush that empties every table, the
    migrations' defaults included: put them back before each such test, with what is derived from
    them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    import importlib

    from django.apps import apps

    from patron.locations.coverage import refresh_coverage

    request.getfixturevalue("_django_db_helper")
    for module in DEFAULT_DATA:
        importlib.import_module(module).create_defaults(apps, None)
    refresh_coverage()  # the groups covering each location, as the coverage migration filled them


@pytest.fixture
def system():
    from patron.core.actors import system_actor

    return system_actor()


@pytest.fixture(scope="session")  # pytest-playwright's browser is session-scoped
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if REQUIRE_ALL:
            pytest.fail(f"Chromium is required (PATRON_REQUIRE_ALL=1) but {CHROMIUM} is missing")
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def pytest_runtest_logreport(report):
    global _browser_tests_passed
    if report.when == "call" and report.passed and "browser" in report.keywords:
        _browser_tests_passed += 1


def pytest_sessionfinish(session, exitstatus):
    """With PATRON_REQUIRE_ALL=1 (CI), a run that skipped the browser or used the wrong engine fails."""
    if not REQUIRE_ALL or exitstatus != 0:
        return
    from django.db import connection

    expected = os.environ.get("PATRON_EXPECT_ENGINE")
    problems = []
    if expected and connection.vendor != expected:
        problems.append(f"expected the {expected} engine, ran on {connection.vendor}")
    selected_browser = any("browser" in item.keywords for item in session.items)
    if selected_browser and _browser_tests_passed == 0:
        problems.append("no browser test passed")
    if os.environ.get("PATRON_REQUIRE_BROWSER") == "1" and not selected_browser:
        problems.append("no browser test was selected")
    if problems:
        print("\nPATRON_REQUIRE_ALL: " + "; ".join(problems))
        session.exitstatus = 1


class SmtpInbox:
    """What a real local SMTP server received: (recipients, parsed message) per message."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email

        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server (aiosmtpd) on a free local port, with Django's mail settings pointing at it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.DEFAULT_FROM_EMAIL = "shop@patron.example"
    yield inbox
    controller.stop()


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `patron ARGS` in this process: (exit status, stdout, stderr)."""
    import io
    import sys

    from patron.cli.main import main

    def run(*args: str, stdin: str = ""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            status = main(list(args))
        except SystemExit as stopped:  # argparse: --help and usage errors
            status = stopped.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def webhook_receiver():
    """A webhook endpoint on loopback that answers as told and keeps what it got (patron/events)."""
    from patron.events.tests.receiver import Receiver

    running = Receiver()
    yield running
    running.stop()
