"""Every error is a problem document: bad bodies, unknown addresses and methods, unexpected failures."""

import pytest

from patron.api.tests.conftest import assert_problem
from patron.customers.models import Customer
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db


def test_malformed_json_is_400(api):
    response = api.post("/customers", raw=b'{"kind": "person", ', content_type="application/json")
    problem = assert_problem(response, 400, "invalid-json")
    assert "line 1" in problem["detail"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize("raw", [b'{"kind": "person", "last_name": NaN}', b'{"kind": Infinity}',
                                 b"\xff\xfe{}"])
def test_non_standard_json_is_400(api, raw):
    assert_problem(api.post("/customers", raw=raw, content_type="application/json"), 400, "invalid-json")


def test_deeply_nested_json_is_400(api):
    raw = b'{"kind": "person", "custom_fields": ' + b"[" * 25 + b"]" * 25 + b"}"
    assert_problem(api.post("/customers", raw=raw, content_type="application/json"), 400, "invalid-json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/json; charset=latin-1"])
def test_json_endpoints_refuse_other_media_types_with_415(api, content_type):
    response = api.post("/customers", raw=b'{"kind": "company", "name": "Acme"}', content_type=content_type)
    assert_problem(response, 415, "unsupported-media-type")
    assert not Customer.objects.exists()


def test_body_over_the_limit_is_413(api, settings):
    settings.PATRON_API_MAX_JSON_BYTES = 1000
    assert_problem(api.post("/customers", {"kind": "company", "name": "x", "notes": "n" * 2000}),
                   413, "request-too-large")
    settings.PATRON_API_MAX_JSON_BYTES = 1024 * 1024
    body = {"kind": "company", "name": "x", "notes": "n" * (3 * 1024 * 1024)}  # over Django's own limit too
    assert_problem(api.post("/customers", body), 413, "request-too-large")
    assert not Customer.objects.exists()


def test_missing_body_is_422(api):
    problem = assert_problem(api.post("/customers"), 422, "validation-failed")
    assert problem["detail"] == "A JSON body is required."


def test_unknown_address_under_the_api_is_a_404_problem(api, anonymous):
    for path in ("/nothing-here", "/customers/", "/", "/customers/0189/contacts/x"):
        assert_problem(api.get(path), 404, "not-found")
    assert_problem(anonymous.post("/nothing-here", {}), 404, "not-found")


def test_unsupported_method_is_a_405_problem_naming_the_allowed_ones(api):
    customer = customer_factory()
    response = api.request("PUT", f"/customers/{customer.uuid}", {"notes": "x"})
    assert_problem(response, 405, "method-not-allowed")
    assert set(response["Allow"].split(", ")) == {"GET", "PATCH", "DELETE"}
    assert_problem(api.request("DELETE", "/customers"), 405, "method-not-allowed")


def test_unexpected_failure_is_a_generic_500_without_internals(api, monkeypatch, caplog):
    from django.core.files.storage import default_storage

    from patron.api.tests.test_customer_parts import _image

    customer = customer_factory()
    assert api.post(f"/customers/{customer.uuid}/photo", raw=_image(),
                    content_type="image/png").status_code == 200

    def broken_open(name, mode="rb"):
        raise OSError(f"disk on fire at /srv/patron/var/media/{name} (SELECT * FROM customers_customer)")

    monkeypatch.setattr(default_storage, "open", broken_open)
    response = api.get(f"/customers/{customer.uuid}/photo")
    problem = assert_problem(response, 500, "internal-error")
    text = response.content.decode()
    assert "/srv" not in text and "SELECT" not in text and "Traceback" not in text
    assert response["X-Request-ID"] in problem["detail"]
    assert "disk on fire" in caplog.text  # the details go to the log instead
