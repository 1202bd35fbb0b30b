"""Photos and import files in an S3-compatible object store (PATRON_S3_BUCKET), tested against an
S3-speaking server on loopback (moto's server): the photo is stored, served and removed through the
store; an import's file is kept there, read by a worker of "another machine" (a fresh local
folder) and deleted when the import is done."""

from __future__ import annotations

import boto3
import pytest
from django.urls import reverse

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.customers import actions
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory
from patron.transfer.imports import files, jobs
from patron.web.tests.customer_support import client_for
from patron.web.tests.test_customer_photos import png
from tests.cli_support import free_port

pytestmark = pytest.mark.django_db
BUCKET = "patron-test"


@pytest.fixture
def bucket(settings, tmp_path):
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="patron",
                      aws_secret_access_key="patron-secret")
    s3.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "us-east-1", "access_key": "patron",
        "secret_key": "patron-secret", "default_acl": "private", "file_overwrite": False}}}
    settings.PATRON_IMPORTS_DIR = tmp_path / "this-machine"
    try:
        yield s3
    finally:
        server.stop()


def _keys(s3) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_a_photo_is_kept_served_and_removed_through_the_object_store(bucket, django_capture_on_commit_callbacks):
    customer = customer_factory(first_name="Anna", last_name="Schmidt")
    cashier = client_for(Role.CASHIER)
    cashier.post(reverse("web:customer_photo_upload", args=[customer.uuid]), {"photo": png()})
    customer.refresh_from_db()
    assert _keys(bucket) == [customer.photo] and customer.photo.startswith("photos/")
    served = cashier.get(reverse("web:customer_photo", args=[customer.uuid]), {"v": "1"})
    assert b"".join(served.streaming_content)[8:12] == b"WEBP"
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_photo(actor=system_actor(), customer=customer)
    assert _keys(bucket) == []


def test_an_import_file_is_kept_in_the_store_and_read_by_any_machine(bucket, tmp_path, settings):
    source = tmp_path / "customers.csv"
    source.write_text("first_name,last_name,email\nAda,Lovelace,ada@example.com\nAlan,Turing,alan@example.com\n",
                      encoding="utf-8")
    job = jobs.create_job(actor=system_actor(), source=str(source), file_name="customers.csv", match_key="email")
    assert _keys(bucket) == [job.file_path] and job.file_path.startswith("imports/")
    assert not source.exists()  # moved into the store, no local copy left behind
    settings.PATRON_IMPORTS_DIR = tmp_path / "another-machine"  # the worker runs elsewhere
    done = jobs.run_job(job, actor=system_actor())
    assert (done.status, done.created_count) == ("done", 2)
    assert set(Customer.objects.values_list("last_name", flat=True)) == {"Lovelace", "Turing"}
    assert _keys(bucket) == [] and not files.exists(job.file_path)  # personal data gone once done
    assert not any((tmp_path / "another-machine" / "copies").iterdir())
