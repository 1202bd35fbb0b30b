"""A national phone number (and a tax ID without a country prefix) is read in the country of the
customer's address, else the country of the store where it is typed, else PATRON_PHONE_REGION;
a "+" always wins. The same rule at every door (issue 16): back office, API, till lookup,
imports and webshop channels. The store here, S01, is in the Netherlands."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from patron.channels.actions import create_channel
from patron.channels.tests.support import customer_body, deliver
from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.customers.models import Customer
from patron.customers.regions import phone_region
from patron.customers.tests.factories import customer_factory
from patron.locations.actions import update_location
from patron.locations.models import Location, LocationGroup
from patron.staff.tests.factories import token_factory, user_factory
from patron.transfer.imports import jobs

pytestmark = pytest.mark.django_db

# (installation default, the address's country or "" for none, as typed, stored)
CASES = [
    pytest.param("US", "DE", "0171 1234567", "+491711234567", id="german-address-at-a-dutch-store"),
    pytest.param("DE", "", "06 12345678", "+31612345678", id="dutch-store-no-address"),
    pytest.param("NL", "DE", "+44 20 7946 0958", "+442079460958", id="plus-wins"),
]


@pytest.fixture
def dutch_store(db):
    store = Location.objects.get(code="S01")
    update_location(actor=system_actor(), location=store, country="NL", time_zone="Europe/Amsterdam")
    return store


def _address(country: str) -> list[dict]:
    return [{"kind": "contact", "line1": "Hauptstraße 1", "city": "Berlin", "country": country}] if country else []


def _stored(last_name: str) -> list[str]:
    return list(Customer.objects.get(last_name=last_name).phones.values_list("e164", flat=True))


def test_the_rule():
    assert phone_region("DE", "NL") == "DE"
    assert phone_region("", "nl") == "NL"


@pytest.mark.parametrize("default, country, typed, e164", CASES)
def test_the_back_office_form(dutch_store, settings, default, country, typed, e164):
    settings.PATRON_PHONE_REGION = default
    staff = Client()
    staff.force_login(user_factory(Role.CASHIER, location=dutch_store))
    address = {"address_line1": "Hauptstraße 1", "address_city": "Berlin", "address_country": country}
    address = address if country else {}
    response = staff.post(reverse("web:customer_create", args=["person"]), {
        "home_location": dutch_store.pk, "location_groups": [group.pk for group in LocationGroup.objects.all()],
        "last_name": "Form", "mobile_phone": typed, **address})
    assert response.status_code == 302
    assert _stored("Form") == [e164]


@pytest.mark.parametrize("default, country, typed, e164", CASES)
def test_the_api_create_and_update(dutch_store, client, settings, default, country, typed, e164):
    settings.PATRON_PHONE_REGION = default
    _, secret = token_factory(Role.MANAGER, location=dutch_store)
    headers = {"Authorization": f"Bearer {secret}"}
    created = client.post("/api/v1/customers", json.dumps({
        "kind": "person", "last_name": "Api", "phones": [{"number": typed}], "addresses": _address(country)}),
        content_type="application/json", headers=headers)
    assert created.status_code == 201, created.content
    assert [phone["e164"] for phone in created.json()["phones"]] == [e164]
    updated = client.patch(f"/api/v1/customers/{created.json()['id']}", json.dumps({
        "phones": [{"number": "+1 202 555 0143"}, {"number": typed}]}), content_type="application/json",
        headers={**headers, "If-Match": created["ETag"]})
    assert updated.status_code == 200, updated.content
    assert [phone["e164"] for phone in updated.json()["phones"]] == ["+12025550143", e164]


@pytest.mark.parametrize("default, typed, e164", [
    ("DE", "06 12345678", "+31612345678"),  # read in the calling store's country, not the default
    ("NL", "+44 20 7946 0958", "+442079460958"),
])
def test_the_till_lookup(dutch_store, client, settings, default, typed, e164):
    settings.PATRON_PHONE_REGION = default
    customer_factory(last_name="Till", phones=[{"number": e164}])
    customer_factory(last_name="Other", phones=[{"number": "+49 612 345678"}])  # what the default would read
    _, secret = token_factory(Role.CASHIER, location=dutch_store)
    for scope in ("till", "all"):
        found = client.get("/api/v1/lookup", {"q": typed, "scope": scope},
                           headers={"Authorization": f"Bearer {secret}"}).json()["items"]
        assert [(item["customer"]["last_name"], item["matched_on"]) for item in found][:1] == [("Till", "phone")]
    staff = Client()
    staff.force_login(user_factory(Role.CASHIER, location=dutch_store))
    page = staff.get(reverse("web:till"), {"q": typed})
    assert [found.customer.last_name for found in page.context["results"]][:1] == ["Till"]


@pytest.mark.parametrize("default, country, typed, e164", CASES)
def test_an_import_reads_each_row_in_its_own_country(dutch_store, settings, tmp_path, default, country, typed,
                                                     e164):
    settings.PATRON_PHONE_REGION = default
    settings.PATRON_IMPORTS_DIR = tmp_path / "imports"
    path = tmp_path / "rows.csv"
    path.write_text(f"last_name,phone,city,country\nImport,{typed},{'Berlin' if country else ''},{country}\n")
    actor = system_actor("test", location_id=dutch_store.pk)
    job = jobs.create_job(actor=actor, source=str(path), file_name=path.name, keep_source=True,
                          mapping={"last_name": "last_name", "phone": "mobile_phone", "city": "contact.city",
                                   "country": "contact.country"})
    job = jobs.run_job(job, actor=actor)
    assert (job.created_count, job.rejected_count) == (1, 0), jobs.job_problems(job)
    assert _stored("Import") == [e164]
    again = tmp_path / "again.csv"  # matching by phone reads the key by the same rule
    city = "Berlin" if country else ""
    again.write_text(f"last_name,phone,city,country,tags\nImport,{typed},{city},{country},again\n")
    job = jobs.create_job(actor=actor, source=str(again), file_name=again.name, keep_source=True,
                          match_key="phone",
                          mapping={"last_name": "last_name", "phone": "mobile_phone", "city": "contact.city",
                                   "country": "contact.country", "tags": "tags"})
    job = jobs.run_job(job, actor=actor)
    assert (job.created_count, job.updated_count, job.rejected_count) == (0, 1, 0), jobs.job_problems(job)
    assert _stored("Import") == [e164]


@pytest.mark.parametrize("default, country, typed, e164", CASES)
def test_the_webshop_channel(dutch_store, client, settings, default, country, typed, e164):
    settings.PATRON_PHONE_REGION = default
    channel, secret = create_channel(actor=system_actor(), code="shop", name="Shop", location=dutch_store)
    addresses = [{"id": 1, "default": True, "address1": "Hauptstraße 1", "city": "Berlin",
                  "country_code": country}] if country else []
    body = customer_body(last_name="Webshop", phone=typed, addresses=addresses)
    response = deliver(client, "shop", secret, body)
    assert response.status_code in (200, 201), response.content
    assert _stored("Webshop") == [e164]
    later = customer_body(last_name="Webshop", phone="+1 202 555 0143", addresses=addresses,
                          updated_at="2026-11-21T10:00:00+01:00")
    assert deliver(client, "shop", secret, later).status_code == 200
    assert _stored("Webshop") == ["+12025550143"]  # the old number, read by the same rule, was replaced


@pytest.mark.parametrize("country, typed, stored", [
    ("DE", "136695976", ("136695976", "DE")),  # a German VAT number without its prefix, German address
    ("", "004495445B01", ("004495445B01", "NL")),  # a Dutch one at the Dutch store, no address
    ("DE", "NL004495445B01", ("004495445B01", "NL")),  # the prefix wins
])
def test_a_tax_id_without_a_country_follows_the_same_rule(dutch_store, client, settings, country, typed, stored):
    settings.PATRON_PHONE_REGION = "US"
    _, secret = token_factory(Role.MANAGER, location=dutch_store)
    created = client.post("/api/v1/customers", json.dumps({
        "kind": "person", "last_name": "Tax", "tax_id": typed, "addresses": _address(country)}),
        content_type="application/json", headers={"Authorization": f"Bearer {secret}"})
    assert created.status_code == 201, created.content
    assert (created.json()["tax_id"], created.json()["tax_id_country"]) == stored
