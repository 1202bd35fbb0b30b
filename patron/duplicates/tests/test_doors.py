"""Every door that creates customers: the webshop channel links a strong match instead of
creating a second customer."""

import pytest

from patron.channels.models import ExternalReference
from patron.channels.tests.support import customer_body, deliver
from patron.core.models import AuditEvent
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db


def test_webshop_delivery_of_a_known_customer_is_linked_not_created(client, shop):
    known = customer_factory(first_name="Maren", last_name="Holt", emails=[{"address": "Maren+shop@Example.com"}])
    response = deliver(client, "webshop", shop.test_secret, customer_body())
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "linked" and response.json()["customer_id"] == str(known.uuid)
    assert Customer.objects.count() == 1
    assert ExternalReference.objects.get().customer == known
    linked = AuditEvent.objects.get(action="channel.customer_linked")
    assert linked.data["reasons"] == ["same_email", "same_name"]
    # the webshop's later changes now reach the known customer
    later = deliver(client, "webshop", shop.test_secret, customer_body(updated_at="2026-11-21T10:00:00Z",
                                                                       note="Leave at the door"))
    assert later.json()["outcome"] == "updated" and later.json()["customer_id"] == str(known.uuid)


def test_webshop_delivery_of_a_namesake_makes_a_new_customer(client, shop):
    customer_factory(first_name="Maren", last_name="Holt", emails=[{"address": "other@example.com"}])
    response = deliver(client, "webshop", shop.test_secret, customer_body())
    assert response.status_code == 201 and response.json()["outcome"] == "created"
    assert Customer.objects.count() == 2


# --- imports ----------------------------------------------------------------------------------------

@pytest.fixture
def imports_dir(settings, tmp_path):
    settings.PATRON_IMPORTS_DIR = tmp_path / "imports"


def _import(tmp_path, text: str, *, dry_run: bool):
    from patron.core.actors import system_actor
    from patron.transfer.imports import jobs

    path = tmp_path / "people.csv"
    path.write_text(text)
    actor = system_actor("test")
    job = jobs.create_job(actor=actor, source=str(path), file_name=path.name, keep_source=True, match_key="none")
    return (jobs.check_job if dry_run else jobs.run_job)(job, actor=actor)


def test_import_dry_run_lists_likely_duplicates_row_by_row(tmp_path, imports_dir):
    known = customer_factory(first_name="Maren", last_name="Holt", phones=[{"number": "+1 202 555 0143"}])
    job = _import(tmp_path, "first_name,last_name,email,phone\n"
                            "Otto,Krause,otto@example.com,\n"
                            "MAREN,holt,,202-555-0143\n"
                            "Lea,Weber,lea@example.com,\n"
                            "Lea,Webber,LEA@example.com,\n", dry_run=True)
    report = job.check_report
    assert report["duplicated"] == 3 and Customer.objects.count() == 1
    listed = {(item["line"], item["other"]) for item in report["duplicates"]}
    assert listed == {(3, f"{known.account_number} Maren Holt"), (4, "row 4 of this file"), (5, "row 3 of this file")}
    maren = next(item for item in report["duplicates"] if item["line"] == 3)
    assert maren["reasons"] == "same phone, same name" and maren["score"] >= 0.8


def test_import_reports_likely_duplicates_and_the_scan_queues_them(tmp_path, imports_dir):
    from patron.duplicates.models import DuplicatePair
    from patron.duplicates.scan import incremental_scan

    known = customer_factory(first_name="Maren", last_name="Holt", phones=[{"number": "+1 202 555 0143"}])
    _import(tmp_path, "first_name,last_name,phone\nMaren,Holt,(202) 555-0143\n", dry_run=False)
    done = AuditEvent.objects.get(action="import.done")
    assert done.data["likely_duplicates"] == 1 and Customer.objects.count() == 2
    incremental_scan()
    assert DuplicatePair.objects.get().first == known
