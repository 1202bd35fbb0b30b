"""The back office in German and in Dutch in a real browser (issue 16): a staff user whose
language is set creates a customer, sees a field error and the success message in it, and gives
credit with an amount typed with a decimal comma, shown back the way the language writes money."""

import re

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import system_actor, user_actor
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.credit.models import CreditAccount
from patron.staff import actions as staff
from patron.staff.tests.factories import PASSWORD, user_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NBSP = "\u00a0"

WORDS = {
    "de": {"customers": "Kunden", "dashboard": "Übersicht", "main": "Hauptmenü",
           "new": "+ Neuer Kunde", "kind": "Privatperson", "create": "Privatperson anlegen",
           "first": "Vorname", "last": "Nachname",
           "missing": "Geben Sie den Namen des Kunden ein (Vorname, Nachname oder beides).",
           "created": r"Anna Schmidt wurde mit der Kundennummer \S+ angelegt\.", "limit": "Kreditlimit",
           "open": "Konto eröffnen", "limit_set": f"Das Kreditlimit beträgt 1.234,50{NBSP}€.",
           "shown": f"1.234,50{NBSP}€", "wrong": "Geben Sie einen Betrag wie 1.234,50 ein."},
    "nl": {"customers": "Klanten", "dashboard": "Dashboard", "main": "Hoofdmenu",
           "new": "+ Nieuwe klant", "kind": "Particulier", "create": "Particulier aanmaken",
           "first": "Voornaam", "last": "Achternaam",
           "missing": "Vul de naam van de klant in (voornaam, achternaam of beide).",
           "created": r"Anna Schmidt is aangemaakt met klantnummer \S+\.", "limit": "Kredietlimiet",
           "open": "Rekening openen", "limit_set": f"De kredietlimiet is €{NBSP}1.234,50.",
           "shown": f"€{NBSP}1.234,50", "wrong": "Vul een bedrag in zoals 1.234,50."},
}


@pytest.mark.parametrize("language", ["de", "nl"])
def test_the_back_office_in_the_users_language(page: Page, live_server, settings, language):
    settings.PATRON_CURRENCY = "EUR"
    words = WORDS[language]
    credit.set_credit_enabled(actor=system_actor(), is_enabled=True)
    user = user_factory(Role.MANAGER)
    staff.set_user_language(actor=user_actor(user), user=user, language=language)
    page.set_default_timeout(10_000)

    # the login page follows the browser (English here); after it, the user's own language
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=words["dashboard"], exact=True)).to_be_visible()  # a manager's home
    page.get_by_role("navigation", name=words["main"]).get_by_role("link", name=words["customers"]).click()
    expect(page.get_by_role("heading", name=words["customers"], exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)

    # a customer without a name is refused at the field, in the user's language
    page.get_by_role("link", name=words["new"]).click()
    page.locator(".kind-choice a", has_text=words["kind"]).click()
    page.get_by_role("button", name=words["create"]).click()
    field = page.locator(".field", has=page.locator("#id_last_name"))
    expect(field.locator(".errorlist")).to_have_text(words["missing"])

    # then created, with the success message in the user's language
    page.get_by_label(words["first"]).fill("Anna")
    page.get_by_label(words["last"]).fill("Schmidt")
    page.get_by_role("button", name=words["create"]).click()
    expect(page.locator(".messages")).to_have_text(re.compile(words["created"]))

    # an amount in English notation is refused; with the decimal comma it is taken and shown the language's way
    page.goto(page.url.split("#")[0] + "#account")
    limit = page.get_by_label(words["limit"])
    limit.fill("1234.50")
    page.get_by_role("button", name=words["open"]).click()
    expect(page.locator(".field", has=page.locator("#id_limit-credit_limit")).locator(".errorlist")).to_have_text(
        words["wrong"])
    page.get_by_label(words["limit"]).fill("1.234,50")
    page.get_by_role("button", name=words["open"]).click()
    expect(page.locator(".messages")).to_have_text(words["limit_set"])
    expect(page.locator("#account-limit")).to_have_text(words["shown"])
    assert str(CreditAccount.objects.get().credit_limit) == "1234.50"
