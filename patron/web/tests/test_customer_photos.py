"""Customer photos: upload, errors, removal and the authenticated photo view (O18)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.web.tests.customer_support import client_for, field_error, store_state

pytestmark = pytest.mark.django_db


def png(size=(64, 48), color="red") -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, format="PNG")
    return SimpleUploadedFile("me.png", output.getvalue(), content_type="image/png")


def url(name: str, customer) -> str:
    return reverse(f"web:{name}", args=[customer.uuid])


@pytest.fixture
def cashier():
    return client_for(Role.CASHIER)


@pytest.fixture
def customer():
    return customer_factory(first_name="Anna", last_name="Schmidt")


def test_uploaded_photo_is_shown_and_served_as_private_webp(cashier, customer):
    response = cashier.post(url("customer_photo_upload", customer), {"photo": png()})
    customer.refresh_from_db()
    assert response.url == reverse("web:customer_detail", args=[customer.uuid])
    assert customer.photo_version == 1
    page = cashier.get(url("customer_detail", customer)).content.decode()
    assert f'{url("customer_photo", customer)}?v=1' in page
    served = cashier.get(url("customer_photo", customer), {"v": "1"})
    body = b"".join(served.streaming_content)
    assert served["Content-Type"] == "image/webp" and body[8:12] == b"WEBP"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"].startswith("private")
    assert "no-cache" in cashier.get(url("customer_photo", customer), {"v": "0"})["Cache-Control"]


@pytest.mark.parametrize("upload, limits, message", [
    (png(), {"PATRON_PHOTO_MAX_BYTES": 100}, "larger than"),
    (SimpleUploadedFile("me.jpg", b"<?php echo 1; ?> not an image", content_type="image/jpeg"), {}, "not a JPEG"),
    (png(size=(200, 200)), {"PATRON_PHOTO_MAX_PIXELS": 1000}, "too many pixels"),
])
def test_bad_uploads_are_refused_at_the_photo_field(cashier, customer, settings, upload, limits, message):
    for name, value in limits.items():
        setattr(settings, name, value)
    before = store_state()
    response = cashier.post(url("customer_photo_upload", customer), {"photo": upload})
    assert response.status_code == 422
    assert message in field_error(response.content.decode(), "id_photo")
    assert store_state() == before


def test_remove_photo(cashier, customer):
    cashier.post(url("customer_photo_upload", customer), {"photo": png()})
    cashier.post(url("customer_photo_remove", customer))
    customer.refresh_from_db()
    assert customer.photo == ""
    assert cashier.get(url("customer_photo", customer)).status_code == 404


def test_photo_view_needs_login(client, cashier, customer):
    cashier.post(url("customer_photo_upload", customer), {"photo": png()})
    response = client.get(url("customer_photo", customer))
    assert response.status_code == 302 and response.url.startswith(reverse("web:login"))


# --- bodies the server cannot read --------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_a_form_without_a_multipart_boundary_is_a_400_page_not_a_500(cashier, content_type):
    customer = customer_factory()
    response = cashier.generic("POST", url("customer_photo_upload", customer), data=b"--B\r\n\r\n--B--\r\n",
                               content_type=content_type)
    assert response.status_code == 400
    customer.refresh_from_db()
    assert (customer.photo, customer.version) == ("", 1)


def test_a_chunked_form_is_411_in_the_back_office(cashier):
    customer = customer_factory()
    response = cashier.generic("POST", url("customer_photo_upload", customer), data=b"x=1",
                               content_type="application/x-www-form-urlencoded",
                               HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH="")
    assert response.status_code == 411
    customer.refresh_from_db()
    assert (customer.photo, customer.version) == ("", 1)
