"""Request bodies at the API's edge: malformed multipart, bodies over the limit refused before they
are read, and chunked bodies (here as gunicorn hands them over: no length, the input ended at the
body's end; tests/test_serve.py sends them to a real server)."""

import io
import json

import pytest

from patron.api.tests.conftest import PREFIX, assert_problem, key
from patron.api.tests.test_customer_parts import _image
from patron.core.models import AuditEvent
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db

MULTIPART = "multipart/form-data; boundary=B"


class Input(io.RawIOBase):
    """A request's input stream that counts what was read from it; ``size`` bytes of ``fill``."""

    def __init__(self, size: int, fill: bytes = b"\0", data: bytes = b""):
        self.data, self.size, self.fill, self.taken = data, size, fill, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        left = self.size - self.taken
        size = left if size is None or size < 0 else min(size, left)
        start, self.taken = self.taken, self.taken + size
        if self.data:
            return self.data[start:self.taken]
        return self.fill * size

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _multipart(fields: dict[str, bytes], files: dict[str, bytes] | None = None) -> bytes:
    parts = [b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (name.encode(), value)
             for name, value in fields.items()]
    parts += [b'--B\r\nContent-Disposition: form-data; name="%s"; filename="p.png"\r\n'
              b"Content-Type: image/png\r\n\r\n%s\r\n" % (name.encode(), value)
              for name, value in (files or {}).items()]
    return b"".join(parts) + b"--B--\r\n"


def _unchanged(customer: Customer, events: int) -> bool:
    customer.refresh_from_db()
    return (customer.photo, customer.version) == ("", 1) and AuditEvent.objects.count() == events


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=",
                                          'multipart/form-data; boundary="a\x7fb"'])
def test_multipart_without_a_valid_boundary_is_400_not_500(api, content_type):
    customer = customer_factory()
    events = AuditEvent.objects.count()
    response = api.post(f"/customers/{customer.uuid}/photo", raw=_multipart({}, {"photo": _image()}),
                        content_type=content_type)
    problem = assert_problem(response, 400, "bad-request")
    assert "boundary" in problem["detail"]
    assert _unchanged(customer, events)


def test_multipart_with_more_fields_than_allowed_is_400_not_500(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    customer = customer_factory()
    events = AuditEvent.objects.count()
    body = _multipart({f"field{number}": b"x" for number in range(60)}, {"photo": _image()})
    response = api.post(f"/customers/{customer.uuid}/photo", raw=body, content_type=MULTIPART, headers=key())
    problem = assert_problem(response, 400, "bad-request")
    assert problem["detail"] == "The body has more fields than this server accepts."
    assert _unchanged(customer, events)


def test_a_photo_upload_over_the_limit_is_refused_by_its_length_before_it_is_read(api, client, settings):
    # given: a multipart upload claiming far more than a photo may have
    settings.PATRON_PHOTO_MAX_BYTES = 1000
    customer = customer_factory()
    events = AuditEvent.objects.count()
    body = Input(50 * 1024 * 1024)
    # when
    response = client.generic("POST", f"{PREFIX}/customers/{customer.uuid}/photo", data=b"-",
                              content_type=MULTIPART, headers={"Authorization": api.client_auth},
                              CONTENT_LENGTH=str(body.size), **{"wsgi.input": body})
    # then: 413 at once, not a byte of the body read (Django would have spooled all of it)
    assert_problem(response, 413, "photo-too-large")
    assert body.taken == 0
    assert _unchanged(customer, events)


def test_a_json_body_over_the_limit_is_refused_by_its_length_before_it_is_read(api, client):
    body = Input(100 * 1024 * 1024)
    response = client.generic("POST", f"{PREFIX}/customers", data=b"{", content_type="application/json",
                              headers={"Authorization": api.client_auth}, CONTENT_LENGTH=str(body.size),
                              **{"wsgi.input": body})
    assert_problem(response, 413, "request-too-large")
    assert body.taken == 0 and not Customer.objects.exists()


def test_a_photo_within_the_limit_still_goes_in_as_multipart(api):
    customer = customer_factory()
    response = api.post(f"/customers/{customer.uuid}/photo", raw=_multipart({}, {"photo": _image()}),
                        content_type=MULTIPART)
    assert response.status_code == 200, response.content
    assert response.json()["photo_version"] == 1


# --- chunked bodies ---------------------------------------------------------------------------

def _chunked(api, client, path: str, data: bytes, content_type: str, *, terminated: bool = True,
             size: int | None = None, headers: dict | None = None):
    """A request as gunicorn gives a chunked one to the application: no Content-Length, the
    chunks taken apart, and (``terminated``) the input ending at the body's end."""
    body = Input(len(data) if size is None else size, data=data)
    extra = {"wsgi.input": body, "HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_LENGTH": ""}
    if terminated:
        extra["wsgi.input_terminated"] = True
    response = client.generic("POST", PREFIX + path, data=b"-", content_type=content_type,
                              headers={"Authorization": api.client_auth, **(headers or {})}, **extra)
    return response, body


def test_a_chunked_json_body_is_read(api, client):
    data = json.dumps({"kind": "company", "name": "Chunked & Co"}).encode()
    response, _ = _chunked(api, client, "/customers", data, "application/json")
    assert response.status_code == 201, response.content
    assert Customer.objects.get().name == "Chunked & Co"


def test_a_chunked_photo_is_read_as_raw_body_and_as_multipart(api, client):
    customer = customer_factory()
    response, _ = _chunked(api, client, f"/customers/{customer.uuid}/photo", _image("JPEG"), "image/jpeg")
    assert response.status_code == 200, response.content
    response, _ = _chunked(api, client, f"/customers/{customer.uuid}/photo",
                           _multipart({}, {"photo": _image("PNG")}), MULTIPART)
    assert (response.status_code, response.json()["photo_version"]) == (200, 2)


def test_a_chunked_body_over_the_limit_is_refused_once_the_limit_is_passed(api, client, settings):
    settings.PATRON_PHOTO_MAX_BYTES = 100 * 1024
    customer = customer_factory()
    events = AuditEvent.objects.count()
    response, body = _chunked(api, client, f"/customers/{customer.uuid}/photo", b"", "image/jpeg",
                              size=50 * 1024 * 1024)
    assert_problem(response, 413, "photo-too-large")
    assert body.taken <= settings.PATRON_PHOTO_MAX_BYTES + 64 * 1024  # stopped reading at the limit
    assert _unchanged(customer, events)


def test_a_chunked_body_a_server_cannot_end_is_411(api, client):
    data = json.dumps({"kind": "company", "name": "Endless"}).encode()
    response, body = _chunked(api, client, "/customers", data, "application/json", terminated=False)
    assert_problem(response, 411, "length-required")
    assert body.taken == 0 and not Customer.objects.exists()
