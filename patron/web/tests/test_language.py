"""The back office in the staff user's language (issue 16): the user's choice, else the browser's,
pages, form errors, messages and amounts in that language; the API stays English and locale-free."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from patron.api.tests.conftest import ApiClient
from patron.core.actors import system_actor, user_actor
from patron.core.errors import PermissionDenied, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.credit.models import CreditAccount
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory
from patron.staff import actions as staff
from patron.staff.tests.factories import token_factory, user_factory
from patron.web.tests.customer_support import field_error
from patron.web.tests.money_support import switch_credit_on, url
from patron.web.tests.test_customer_create import form_data

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def client_of(user, **headers) -> Client:
    client = Client(headers=headers)
    client.force_login(user)
    return client


def speaking(language: str, role: str = Role.MANAGER):
    user = user_factory(role)
    staff.set_user_language(actor=user_actor(user), user=user, language=language)
    return user


def test_a_german_user_gets_the_back_office_in_german_whatever_the_browser_asks():
    client = client_of(speaking("de"), accept_language="fr-FR,fr;q=0.9")
    html = client.get(reverse("web:customer_list")).content.decode()
    assert '<html lang="de">' in html and "<h1>Kunden</h1>" in html and "+ Neuer Kunde" in html
    assert ">Abmelden</button>" in html and "Customers" not in html
    assert translation.get_language() == "en"  # put back after the request: nothing else inherits it


def test_without_a_choice_the_browsers_language_is_used():
    client = client_of(user_factory(Role.CASHIER), accept_language="nl-NL,nl;q=0.9,en;q=0.5")
    html = client.get(reverse("web:customer_list")).content.decode()
    assert '<html lang="nl">' in html and "<h1>Klanten</h1>" in html
    english = client_of(user_factory(Role.CASHIER), accept_language="ja").get(reverse("web:customer_list"))
    assert "<h1>Customers</h1>" in english.content.decode()  # a language Patron does not speak: the default


def test_the_login_page_follows_the_browser():
    assert ">Se connecter</button>" in Client(headers={"accept_language": "fr"}).get("/login/").content.decode()
    assert ">Log in</button>" in Client().get("/login/").content.decode()


def test_a_form_error_and_the_success_message_in_german():
    client = client_of(speaking("de", Role.CASHIER))
    create = reverse("web:customer_create", args=["person"])
    refused = client.post(create, form_data(first_name="", last_name=""))
    assert refused.status_code == 422 and Customer.objects.count() == 0
    assert field_error(refused.content.decode(), "id_last_name") == \
        "Geben Sie den Namen des Kunden ein (Vorname, Nachname oder beides)."
    created = client.post(create, form_data(first_name="Anna", last_name="Schmidt"), follow=True)
    customer = Customer.objects.get()
    assert f"Anna Schmidt wurde mit der Kundennummer {customer.account_number} angelegt." in created.content.decode()


def test_a_money_amount_typed_with_a_decimal_comma_is_shown_the_german_way(settings):
    settings.PATRON_CURRENCY = "EUR"
    switch_credit_on()
    customer = customer_factory()
    client = client_of(speaking("de"))
    response = client.post(url("customer_credit_limit", customer), {"limit-credit_limit": "1.234,50"}, follow=True)
    assert CreditAccount.objects.get(customer=customer).credit_limit == Decimal("1234.50")
    html = response.content.decode()
    assert f"Das Kreditlimit beträgt 1.234,50{NBSP}€." in html
    assert f'id="account-limit">1.234,50{NBSP}€<' in html


def test_an_english_notation_is_refused_in_german_and_nothing_changes():
    switch_credit_on()
    customer = customer_factory()
    client = client_of(speaking("de"))
    events = AuditEvent.objects.count()
    response = client.post(url("customer_credit_limit", customer), {"limit-credit_limit": "1234.50"})
    assert response.status_code == 422
    assert field_error(response.content.decode(), "id_limit-credit_limit") == \
        "Geben Sie einen Betrag wie 1.234,50 ein."
    assert not CreditAccount.objects.filter(customer=customer).exists() and AuditEvent.objects.count() == events


def test_my_account_sets_the_language_and_says_so_in_it():
    user = user_factory(Role.CASHIER)
    client = client_of(user)
    response = client.post(reverse("web:account"), {"language": "nl"}, follow=True)
    user.refresh_from_db()
    assert user.language == "nl" and "Taal opgeslagen." in response.content.decode()
    refused = client.post(reverse("web:account"), {"language": "xx"})
    user.refresh_from_db()
    assert refused.status_code == 200 and user.language == "nl"
    client.post(reverse("web:account"), {"language": ""})
    user.refresh_from_db()
    assert user.language == ""


def test_an_admin_sets_anyones_language_a_cashier_only_their_own():
    admin, cashier, other = user_factory(Role.ADMIN), user_factory(Role.CASHIER), user_factory(Role.CASHIER)
    client_of(admin).post(reverse("web:settings_user_language", args=[other.username]), {"language": "fr"})
    other.refresh_from_db()
    assert other.language == "fr"
    with pytest.raises(PermissionDenied):
        staff.set_user_language(actor=user_actor(cashier), user=other, language="de")
    with pytest.raises(ValidationFailed):
        staff.set_user_language(actor=system_actor(), user=other, language="xx")
    other.refresh_from_db()
    assert other.language == "fr"


def test_the_api_stays_english_and_locale_free_whatever_the_accept_language(client):
    _token, secret = token_factory(Role.MANAGER)
    api = ApiClient(client, secret)
    refused = api.post("/customers", {"kind": "person"}, headers={"Accept-Language": "de"})
    assert refused.status_code == 422
    assert "Enter the customer's name" in refused.json()["detail"]
    customer = customer_factory(first_name="Anna", last_name="Schmidt")
    switch_credit_on()
    from patron.credit import actions as credit

    credit.set_credit_limit(actor=system_actor(), customer=customer, credit_limit="1234.50")
    body = api.get(f"/customers/{customer.uuid}/credit", headers={"Accept-Language": "de"}).json()
    assert body["credit_limit"] == "1234.50"


def test_times_are_shown_in_the_time_zone_of_the_users_store_inherited_from_above(client):
    from patron.locations import actions as locations

    admin = system_actor("test")
    company = locations.create_location(actor=admin, code="NLHQ", name="Winkels NL", kind="company",
                                        time_zone="Europe/Amsterdam")
    store = locations.create_location(actor=admin, code="AMS", name="Amsterdam", kind="store", parent=company)
    at_store = user_factory(Role.MANAGER)
    at_store.location = store
    at_store.save(update_fields=["location"])
    customer = customer_factory()
    Customer.objects.filter(pk=customer.pk).update(created_at=datetime.datetime(2026, 7, 1, 10, 5, tzinfo=datetime.UTC))
    page = reverse("web:customer_detail", args=[customer.uuid])

    assert "12:05" in client_of(at_store).get(page).content.decode()  # 10:05 UTC is 12:05 in Amsterdam (CEST)
    elsewhere = client_of(user_factory(Role.MANAGER)).get(page).content.decode()
    assert "10:05" in elsewhere and "12:05" not in elsewhere  # no store: the installation's zone (UTC here)
    _token, secret = token_factory(Role.MANAGER, location=store)
    api = ApiClient(client, secret).get(f"/customers/{customer.uuid}")
    assert api.json()["created_at"].startswith("2026-07-01T10:05")  # the API stays in UTC


def test_an_address_country_typed_in_dutch_is_shown_in_the_readers_language():
    customer = customer_factory(addresses=[{"kind": "contact", "line1": "Hauptstraße 1", "city": "Berlin",
                                            "postal_code": "10115", "country": "Duitsland"}])
    page = reverse("web:customer_detail", args=[customer.uuid])
    assert "Duitsland" in client_of(speaking("nl")).get(page).content.decode()
    assert "Deutschland" in client_of(speaking("de")).get(page).content.decode()
    assert "Germany" in client_of(speaking("en")).get(page).content.decode()
