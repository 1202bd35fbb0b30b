"""The Import pages through Django's test client: upload, mapping step, dry run, run, rollback, and
who may use them. The work runs in a thread of the test server (PATRON_JOBS_RUN=thread)."""

import subprocess
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patron.core.permissions import Role
from patron.customers.models import Customer
from patron.transfer.models import ImportJob, ImportStatus
from patron.web.tests.customer_support import client_for

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (b"Kundennr;Vorname;Nachname;Mail\n"
       b"K1;Ann;Import;ann@example.com\n"
       b"K2;Ben;Import;not-an-e-mail\n")


@pytest.fixture(autouse=True)
def _thread_worker(settings, tmp_path):
    settings.PATRON_JOBS_RUN = "thread"
    settings.PATRON_IMPORTS_DIR = tmp_path / "imports"


def _wait_for(job: ImportJob, *statuses: str) -> ImportJob:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.05)
    raise AssertionError(f"import stayed {job.status}")


def _upload(client, content: bytes = CSV, name: str = "kunden.csv", **fields):
    return client.post(reverse("web:import_start"), {"file": SimpleUploadedFile(name, content), **fields})


def _mapping_post(job: ImportJob, **extra) -> dict:
    targets = {"Kundennr": "account_number", "Vorname": "first_name", "Nachname": "last_name", "Mail": "email"}
    return {**{f"column_{index}": targets[column] for index, column in enumerate(job.mapping)},
            "match_key": "account_number", "channel_code": "", "save_as": "", **extra}


def test_upload_map_dry_run_then_import_then_roll_back():
    client = client_for(Role.MANAGER)
    response = _upload(client, strict="on")  # "Reject rows with an invalid phone or e-mail"
    job = ImportJob.objects.get()
    assert job.strict
    assert response.status_code == 302 and response.url == reverse("web:import_job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "How the columns are read" in page and "Ann" in page  # the preview
    assert job.delimiter == ";"

    client.post(response.url, _mapping_post(job, check="1", save_as="Kunden"))
    job = _wait_for(job, ImportStatus.CHECKED)
    assert (job.check_report["created"], job.check_report["rejected"]) == (1, 1)
    assert not Customer.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Nothing was written" in page and "Mail" in page and "line" in page.lower()

    client.post(reverse("web:import_run", args=[job.pk]))
    job = _wait_for(job, ImportStatus.DONE)
    assert list(Customer.objects.values_list("account_number", flat=True)) == ["K1"]
    progress = client.get(reverse("web:import_progress", args=[job.pk]) + "?from=working")
    assert progress["HX-Refresh"] == "true"

    client.post(reverse("web:import_rollback", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.ROLLED_BACK and not Customer.objects.exists()


def test_a_file_that_cannot_be_read_is_refused_on_the_form_and_not_kept(settings):
    client = client_for(Role.MANAGER)
    response = _upload(client, "Name\nJosé\n".encode("cp1252"), "old.csv")
    assert response.status_code == 200
    assert "is not valid UTF-8 text" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert list(settings.PATRON_IMPORTS_DIR.iterdir()) == []


def test_a_bad_mapping_is_shown_and_nothing_starts():
    client = client_for(Role.MANAGER)
    job = ImportJob.objects.get(pk=int(_upload(client).url.rstrip("/").split("/")[-1]))
    data = _mapping_post(job, check="1")
    data["column_1"] = "last_name"  # Vorname and Nachname both fill the last name
    response = client.post(reverse("web:import_job", args=[job.pk]), data)
    assert response.status_code == 200 and "Several columns fill Last name" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.PENDING


@pytest.mark.parametrize("role, status", [(Role.CASHIER, 403), (Role.MANAGER, 200), (Role.ADMIN, 200)])
def test_only_managers_and_admins_may_import(role, status):
    assert client_for(role).get(reverse("web:import_start")).status_code == status


def test_the_list_of_imports_says_which_one_stalled():
    # given: an uploaded import whose worker was killed while it ran
    client = client_for(Role.MANAGER)
    _upload(client)
    job = ImportJob.objects.get()
    worker = subprocess.Popen(["sleep", "60"])
    worker.kill()
    worker.wait()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, worker_pid=worker.pid)
    # when / then
    row = client.get(reverse("web:import_start")).content.decode().split(f">{job.pk}</a>")[1].split("</tr>")[0]
    assert "Stalled: open it to resume" in row and "Importing" not in row
    page = client.get(reverse("web:import_job", args=[job.pk])).content.decode()
    assert "Resume it" in page
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.FAILED


def test_a_bad_e_mail_is_a_warning_on_the_report_and_the_customer_comes_in_without_it():
    client = client_for(Role.MANAGER)
    response = _upload(client)
    job = ImportJob.objects.get()
    assert not job.strict
    client.post(response.url, _mapping_post(job, check="1"))
    job = _wait_for(job, ImportStatus.CHECKED)
    assert (job.check_report["created"], job.check_report["rejected"], job.check_report["warned"]) == (2, 0, 1)
    client.post(reverse("web:import_run", args=[job.pk]))
    job = _wait_for(job, ImportStatus.DONE)
    assert (job.created_count, job.rejected_count, job.warning_count) == (2, 0, 1)
    assert not Customer.objects.get(account_number="K2").emails.exists()
    page = client.get(response.url).content.decode()
    warnings = page.split('id="import-warnings"')[1].split("</section>")[0]
    assert "not-an-e-mail" in warnings and "Mail" in warnings and "<td>3</td>" in warnings  # line 3 of the file
    assert 'id="import-problems"' not in page
