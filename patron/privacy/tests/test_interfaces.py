"""The doors to the privacy duties: the `patron privacy` commands, the API and the customer page;
and the report that flags requests open more than 25 days (P4)."""

import datetime
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patron.api.tests.conftest import ApiClient, assert_problem
from patron.cli.main import main
from patron.core.permissions import Role
from patron.customers.models import Customer
from patron.privacy import erasure
from patron.privacy.models import PrivacyRequest
from patron.privacy.queries import request_report
from patron.privacy.tests.conftest import CANARY
from patron.staff.tests.factories import token_factory, user_factory

pytestmark = pytest.mark.django_db


def test_cli_exports_erases_lists_and_runs_due(rich, tmp_path, capsys, django_capture_on_commit_callbacks):
    number = rich.customer.account_number
    output = tmp_path / "export.zip"
    assert main(["privacy", "export", number, "--output", str(output)]) == 0
    with zipfile.ZipFile(output) as archive:
        assert CANARY["email"] in archive.read("customers.CustomerEmail.json").decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert main(["privacy", "erase", number, "--reason", "request by letter"]) == 0
    assert "Erased" in capsys.readouterr().out
    assert Customer.objects.get(pk=rich.customer.pk).name.startswith("Erased customer #")
    assert main(["privacy", "requests", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {(row["kind"], row["status"]) for row in listed} == {("export", "done"), ("erasure", "done")}
    assert main(["privacy", "run-due"]) == 0
    assert "Carried out 0 erasures" in capsys.readouterr().out
    assert main(["privacy", "erase", "NOPE-1", "--reason", "x"]) == 1


def test_requests_open_more_than_25_days_are_flagged(system):
    from patron.privacy.tests.conftest import make_rich_customer

    sold = timezone.now() - datetime.timedelta(days=5)
    customer = make_rich_customer(sale_at=sold).customer
    received = timezone.now() - datetime.timedelta(days=26)
    erasure.erase_customer(actor=system, customer=customer, reason="by e-mail", now=received)
    [line] = request_report(actor=system, open_only=True)
    assert line.is_late and line.days_open == 26 and line.request.status == "queued"
    [line] = request_report(actor=system, now=received + datetime.timedelta(days=25))
    assert not line.is_late


def test_api_downloads_the_zip_and_erases_with_an_idempotency_key(rich, client, django_capture_on_commit_callbacks):
    _, secret = token_factory(Role.ADMIN)
    api = ApiClient(client, secret)
    path = f"/customers/{rich.customer.uuid}"
    response = api.get(path + "/privacy-export")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert CANARY["tax_id"] in archive.read("customers.Customer.json").decode()
    headers = {"Idempotency-Key": "erase-1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(path + "/erasure", {"reason": "request by e-mail"}, headers=headers)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "done" and first.json()["customer_id"] == str(rich.customer.uuid)
    replay = api.post(path + "/erasure", {"reason": "request by e-mail"}, headers=headers)
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    assert PrivacyRequest.objects.filter(kind="erasure").count() == 1
    assert_problem(api.post(path + "/erasure", {"reason": "x", "extra": 1}), 422, "validation-failed")


def test_api_queues_an_erasure_with_202(system, client):
    from patron.privacy.tests.conftest import make_rich_customer

    customer = make_rich_customer(settle=False).customer
    _, secret = token_factory(Role.ADMIN)
    response = ApiClient(client, secret).post(f"/customers/{customer.uuid}/erasure", {"reason": "by letter"})
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued" and "credit balance" in response.json()["waiting_for"]


def test_the_customer_page_offers_export_and_erasure_to_admins_only(rich, django_capture_on_commit_callbacks):
    page = reverse("web:customer_detail", args=[rich.customer.uuid])
    export = reverse("web:customer_privacy_export", args=[rich.customer.uuid])
    erase = reverse("web:customer_erase", args=[rich.customer.uuid])
    for role in (Role.CASHIER, Role.MANAGER):
        client = Client()
        client.force_login(user_factory(role))
        assert export not in client.get(page).content.decode()
        assert client.get(export).status_code == 403
        assert client.post(erase, {"reason": "x"}).status_code == 403
    admin = Client()
    admin.force_login(user_factory(Role.ADMIN))
    html = admin.get(page).content.decode()
    assert export in html and erase in html and "data-confirm" in html
    response = admin.get(export)
    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("manifest.json")
    assert admin.post(erase, {"reason": ""}).status_code == 302
    assert not PrivacyRequest.objects.filter(kind="erasure").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(erase, {"reason": "request at the counter"}, follow=True)
    assert "personal data was erased" in response.content.decode()
    assert Customer.objects.get(pk=rich.customer.pk).name.startswith("Erased customer #")
    assert CANARY["last_name"] not in admin.get(page).content.decode()

