"""What hangs off a customer: contacts, addresses, representatives, messages and the photo."""

import io

import pytest
from PIL import Image

from patron.api.tests.conftest import assert_problem, pointers
from patron.core.models import AuditEvent
from patron.customers.models import Address, Contact, Customer, Message, Representation
from patron.customers.tests.factories import customer_factory

pytestmark = pytest.mark.django_db


def _image(fmt: str = "PNG", size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


# --- contacts -------------------------------------------------------------------------------

def test_contact_lifecycle(api):
    customer = customer_factory()
    base = f"/customers/{customer.uuid}/contacts"
    created = api.post(base, {"first_name": "Eva", "last_name": "Lind", "role": "spouse",
                              "mobile_phone": "202 555 0143", "is_authorized_buyer": True})
    assert created.status_code == 201, created.content
    contact = created.json()
    assert created["Location"] == f"/api/v1{base}/{contact['id']}"
    assert (contact["role"], contact["is_authorized_buyer"], created["ETag"]) == ("spouse", True, '"1"')

    assert api.get(f"{base}/{contact['id']}").json() == contact
    assert [item["id"] for item in api.get(base).json()["items"]] == [contact["id"]]

    assert_problem(api.patch(f"{base}/{contact['id']}", {"is_active": False}), 428, "precondition-required")
    changed = api.patch(f"{base}/{contact['id']}", {"is_active": False}, if_match=1)
    assert (changed.json()["is_active"], changed["ETag"]) == (False, '"2"')
    assert_problem(api.patch(f"{base}/{contact['id']}", {"role": "ex"}, if_match=1), 412, "stale-version")

    assert api.delete(f"{base}/{contact['id']}", if_match=2).status_code == 204
    assert not Contact.objects.exists()


def test_contact_of_another_customer_is_not_found(api):
    owner, stranger = customer_factory(), customer_factory()
    contact = api.post(f"/customers/{owner.uuid}/contacts", {"last_name": "Lind"}).json()
    assert_problem(api.get(f"/customers/{stranger.uuid}/contacts/{contact['id']}"), 404, "contact-not-found")
    assert_problem(api.delete(f"/customers/{stranger.uuid}/contacts/{contact['id']}", if_match=1),
                   404, "contact-not-found")
    assert Contact.objects.count() == 1


def test_bad_contact_is_422_and_nothing_is_saved(api):
    customer = customer_factory()
    problem = assert_problem(api.post(f"/customers/{customer.uuid}/contacts",
                                      {"last_name": "Lind", "email": "not-an-email", "is_admin": True}),
                             422, "validation-failed")
    assert pointers(problem) == {"/is_admin"}
    response = api.post(f"/customers/{customer.uuid}/contacts", {"last_name": "Lind", "email": "no-email"})
    problem = assert_problem(response, 422, "validation-failed")
    assert pointers(problem) == {"/email"}
    assert not Contact.objects.exists()


# --- addresses ------------------------------------------------------------------------------

def test_address_lifecycle_and_copy_to_billing(api):
    customer = customer_factory()
    base = f"/customers/{customer.uuid}/addresses"
    created = api.post(base, {"kind": "contact", "line1": "1 Main St", "city": "Springfield",
                              "country": "usa"})
    assert created.status_code == 201, created.content
    address = created.json()
    assert (address["country"], created["ETag"]) == ("US", '"1"')

    billing = api.post(f"{base}/copy-contact-to-billing")
    assert billing.status_code == 200, billing.content
    assert (billing.json()["kind"], billing.json()["line1"]) == ("billing", "1 Main St")
    assert sorted(item["kind"] for item in api.get(base).json()["items"]) == ["billing", "contact"]

    changed = api.patch(f"{base}/{address['id']}", {"city": "Shelbyville"}, if_match=1)
    assert (changed.json()["city"], changed["ETag"]) == ("Shelbyville", '"2"')
    # every change of what a customer embeds moves the customer's ETag too
    assert api.get(f"/customers/{customer.uuid}").json()["version"] == 4
    assert api.delete(f"{base}/{address['id']}", if_match=2).status_code == 204
    assert list(Address.objects.values_list("kind", flat=True)) == ["billing"]


def test_second_contact_address_and_bad_country_are_refused(api):
    customer = customer_factory(addresses=[{"kind": "contact", "city": "Town"}])
    base = f"/customers/{customer.uuid}/addresses"
    problem = assert_problem(api.post(base, {"kind": "contact", "city": "Elsewhere"}), 409,
                             "address-kind-taken")
    assert pointers(problem) == {"/kind"}
    problem = assert_problem(api.post(base, {"kind": "shipping", "city": "X", "country": "Atlantis"}),
                             422, "validation-failed")
    assert pointers(problem) == {"/country"}
    assert Address.objects.count() == 1


def test_copy_without_contact_address_is_409(api):
    customer = customer_factory()
    assert_problem(api.post(f"/customers/{customer.uuid}/addresses/copy-contact-to-billing"), 409,
                   "no-contact-address")
    assert not Address.objects.exists()


# --- representatives ------------------------------------------------------------------------

def test_new_representative_becomes_a_customer_linked_to_the_company(api):
    company = customer_factory("company", name="Mug Shop")
    response = api.post(f"/customers/{company.uuid}/representatives", {
        "role": "Buyer", "person": {"first_name": "Rita", "last_name": "Rep",
                                    "phones": [{"number": "202 555 0143"}]},
    })
    assert response.status_code == 201, response.content
    link = response.json()
    assert (link["name"], link["role"]) == ("Rita Rep", "Buyer")
    person = Customer.objects.get(uuid=link["id"])
    assert person.home_location == company.home_location
    assert api.get(f"/customers/{company.uuid}").json()["representatives"][0]["id"] == link["id"]
    assert api.get(f"/customers/{person.uuid}").json()["companies"][0]["name"] == "Mug Shop"
    assert [item["id"] for item in api.get(f"/customers/{company.uuid}/representatives").json()["items"]] == \
        [link["id"]]


def test_existing_person_is_linked_and_unlinked_with_the_company_etag(api):
    company = customer_factory("company", name="Mug Shop")
    person = customer_factory(last_name="Lee")
    linked = api.post(f"/customers/{company.uuid}/representatives", {"person_id": str(person.uuid),
                                                                     "role": "Owner"})
    assert linked.status_code == 201, linked.content
    path = f"/customers/{company.uuid}/representatives/{person.uuid}"
    assert_problem(api.delete(path), 428, "precondition-required")
    assert_problem(api.delete(path, if_match=1), 412, "stale-version")
    company.refresh_from_db()
    assert api.delete(path, if_match=company.version).status_code == 204
    assert not Representation.objects.exists()
    assert Customer.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize("body, pointer", [
    ({"role": "Owner"}, ""),
    ({"person_id": "01890000-0000-7000-8000-000000000000", "person": {"last_name": "X"}}, ""),
    ({"person": {"last_name": "\x00"}}, "/person/last_name"),
    ({"person": {"last_name": "Lee", "phones": [{"number": "12"}]}}, "/person/phones/0/number"),
    ({"person_id": "01890000-0000-7000-8000-000000000000"}, "/person_id"),
])
def test_bad_representative_is_422_and_nothing_is_saved(api, body, pointer):
    company = customer_factory("company", name="Mug Shop")
    customers = Customer.objects.count()
    problem = assert_problem(api.post(f"/customers/{company.uuid}/representatives", body), 422,
                             "validation-failed")
    assert pointer in pointers(problem)
    assert (Customer.objects.count(), Representation.objects.count()) == (customers, 0)


def test_only_companies_have_representatives_and_only_persons_represent(api):
    person, other = customer_factory(), customer_factory()
    company = customer_factory("company", name="Acme")
    assert_problem(api.post(f"/customers/{person.uuid}/representatives", {"person_id": str(other.uuid)}),
                   422, "not-a-company")
    problem = assert_problem(api.post(f"/customers/{company.uuid}/representatives",
                                      {"person_id": str(customer_factory("company", name="B").uuid)}),
                             422, "not-a-person")
    assert pointers(problem) == {"/person_id"}
    assert not Representation.objects.exists()


# --- messages -------------------------------------------------------------------------------

def test_messages_are_logged_and_listed_newest_first(api):
    customer = customer_factory()
    base = f"/customers/{customer.uuid}/messages"
    first = api.post(base, {"channel": "phone", "direction": "inbound", "subject": "Order",
                            "occurred_at": "2026-01-02T10:00:00+01:00"})
    assert first.status_code == 201, first.content
    assert first.json()["occurred_at"] == "2026-01-02T09:00:00Z"
    api.post(base, {"channel": "email", "direction": "outbound", "body": "Thanks"})
    items = api.get(base).json()["items"]
    assert [item["channel"] for item in items] == ["email", "phone"]
    assert items[0]["author"].startswith("API: ")


@pytest.mark.parametrize("body, pointer", [
    ({"channel": "pigeon", "direction": "inbound", "body": "x"}, "/channel"),
    ({"channel": "phone", "direction": "inbound"}, "/body"),
    ({"channel": "phone", "direction": "inbound", "body": "x", "occurred_at": "2026-01-02T10:00:00"},
     "/occurred_at"),
    ({"channel": "phone", "direction": "inbound", "body": "x", "occurred_at": "2999-01-01T00:00:00Z"},
     "/occurred_at"),
])
def test_bad_message_is_422(api, body, pointer):
    customer = customer_factory()
    problem = assert_problem(api.post(f"/customers/{customer.uuid}/messages", body), 422, "validation-failed")
    assert pointer in pointers(problem)
    assert not Message.objects.exists()


# --- photo ----------------------------------------------------------------------------------

def test_photo_upload_as_raw_body_is_served_as_webp(api):
    customer = customer_factory()
    path = f"/customers/{customer.uuid}/photo"
    response = api.post(path, raw=_image("JPEG"), content_type="image/jpeg")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["photo_version"], body["photo_url"]) == (1, f"/api/v1{path}?v=1")
    served = api.get(f"{path}?v=1")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == f'inline; filename="{customer.uuid}.webp"'
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).format == "WEBP"


def test_photo_upload_as_multipart_and_removal(api, client):
    customer = customer_factory()
    path = f"/api/v1/customers/{customer.uuid}/photo"
    upload = io.BytesIO(_image("PNG"))
    upload.name = "me.png"
    response = client.post(path, {"photo": upload}, headers={"Authorization": api.client_auth})
    assert response.status_code == 200, response.content
    assert_problem(api.delete(f"/customers/{customer.uuid}/photo"), 428, "precondition-required")
    removed = api.delete(f"/customers/{customer.uuid}/photo", if_match=response.json()["version"])
    assert (removed.status_code, removed.json()["photo_url"]) == (200, None)
    assert_problem(api.get(f"/customers/{customer.uuid}/photo"), 404, "photo-not-found")


@pytest.mark.parametrize("data, content_type, status, code", [
    (b"GIF89a" + b"\x00" * 100, "image/png", 422, "invalid-photo"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "image/png", 422,
     "invalid-photo"),
    (b"hello", "text/plain", 415, "unsupported-media-type"),
])
def test_fake_images_are_refused_and_nothing_changes(api, data, content_type, status, code):
    customer = customer_factory()
    response = api.post(f"/customers/{customer.uuid}/photo", raw=data, content_type=content_type)
    problem = assert_problem(response, status, code)
    if status == 422:
        assert pointers(problem) == {"/photo"}
    customer.refresh_from_db()
    assert (customer.photo, customer.photo_version, customer.version) == ("", 0, 1)


def test_oversized_photo_is_413_photo_too_large_as_raw_body_or_multipart(api, client, settings):
    settings.PATRON_PHOTO_MAX_BYTES = 1000
    customer = customer_factory()
    events = AuditEvent.objects.count()
    response = api.post(f"/customers/{customer.uuid}/photo", raw=b"\xff" * 1001, content_type="image/jpeg")
    assert pointers(assert_problem(response, 413, "photo-too-large")) == {"/photo"}
    upload = io.BytesIO(b"\xff" * 1001)
    upload.name = "me.jpg"
    response = client.post(f"/api/v1/customers/{customer.uuid}/photo", {"photo": upload},
                           headers={"Authorization": api.client_auth})
    assert pointers(assert_problem(response, 413, "photo-too-large")) == {"/photo"}
    assert AuditEvent.objects.count() == events
