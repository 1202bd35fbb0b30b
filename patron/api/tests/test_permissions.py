"""The permission matrix through the API, cell by cell, and the rules every operation follows."""

import re
from types import SimpleNamespace

import pytest

from patron.api.site import api as patron_api
from patron.api.tests.conftest import assert_problem
from patron.api.tests.test_money_permissions import PERMISSIONS_COVERED as MONEY_PERMISSIONS_COVERED
from patron.core.models import AuditEvent
from patron.core.permissions import PERMISSIONS, Role, allows
from patron.customers.models import Customer, Message
from patron.customers.tests.factories import customer_factory
from patron.duplicates.models import DuplicatePair

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(system):
    from patron.customers import actions

    person = customer_factory(addresses=[{"kind": "contact", "city": "Town"}])
    company = customer_factory("company", name="Acme")
    contact = actions.add_contact(actor=system, customer=person, values={"last_name": "Lind"})
    person.refresh_from_db()
    twin = customer_factory(last_name="Twin")
    namesakes = [customer_factory(first_name=person.first_name, last_name=person.last_name, birth_date="1980-01-02",
                                  phones=[{"number": "+1 415 555 0199"}]) for _ in range(2)]
    pair = DuplicatePair.objects.create(first=namesakes[0], second=namesakes[1], score=1.0,
                                        reasons=",same_phone,same_name,")
    return SimpleNamespace(person=person, company=company, contact=contact, twin=twin, pair=pair)


def _person(records) -> str:
    return f"/customers/{records.person.uuid}"


# (permission, what a client does that needs it)
_CELLS = [
    ("customers.view", lambda api, r: api.get("/customers")),
    ("customers.view", lambda api, r: api.get(_person(r))),
    ("customers.view", lambda api, r: api.get(_person(r) + "/contacts")),
    ("customers.view", lambda api, r: api.get(_person(r) + f"/contacts/{r.contact.uuid}")),
    ("customers.view", lambda api, r: api.get(_person(r) + "/addresses")),
    ("customers.view", lambda api, r: api.get(_person(r) + "/messages")),
    ("customers.view", lambda api, r: api.get(_person(r) + "/status-changes")),
    ("customers.view", lambda api, r: api.get(f"/customers/{r.company.uuid}/representatives")),
    ("customers.view", lambda api, r: api.get("/price-levels")),
    ("customers.view", lambda api, r: api.get("/tags")),
    ("customers.view", lambda api, r: api.get("/custom-fields")),
    ("customers.view_audit", lambda api, r: api.get(_person(r) + "/audit")),
    ("customers.export", lambda api, r: api.get("/exports/customers?format=json")),
    ("customers.create", lambda api, r: api.post("/customers", {"kind": "person", "last_name": "New"})),
    ("customers.create", lambda api, r: api.post(f"/customers/{r.company.uuid}/representatives",
                                                 {"person": {"last_name": "Rep"}})),
    ("customers.edit", lambda api, r: api.patch(_person(r), {"notes": "Prefers e-mail"},
                                                if_match=r.person.version)),
    ("customers.edit", lambda api, r: api.post(_person(r) + "/contacts", {"last_name": "Kid"})),
    ("customers.edit", lambda api, r: api.post(_person(r) + "/addresses", {"kind": "shipping",
                                                                           "city": "Port"})),
    ("customers.edit", lambda api, r: api.post(_person(r) + "/addresses/copy-contact-to-billing")),
    ("customers.edit", lambda api, r: api.post(f"/customers/{r.company.uuid}/representatives",
                                               {"person_id": str(r.person.uuid)})),
    ("customers.edit_terms", lambda api, r: api.patch(_person(r), {"default_discount": "10"},
                                                      if_match=r.person.version)),
    ("customers.edit_terms", lambda api, r: api.post("/customers", {"kind": "person", "last_name": "Staff",
                                                                    "is_employee": True})),
    ("customers.change_status", lambda api, r: api.post(_person(r) + "/status", {"status": "credit_hold"})),
    ("customers.delete", lambda api, r: api.delete(f"/customers/{r.company.uuid}",
                                                   if_match=r.company.version)),
    ("messages.log", lambda api, r: api.post(_person(r) + "/messages",
                                             {"channel": "phone", "direction": "inbound", "body": "Called"})),
    ("locations.view", lambda api, r: api.get("/locations")),
    ("locations.view", lambda api, r: api.get("/location-groups")),
    ("customers.view", lambda api, r: api.get(_person(r) + "/consent")),
    ("consent.record", lambda api, r: api.post(_person(r) + "/consent", {"channel": "email", "granted": True,
                                                                         "source": "pos"})),
    ("segments.manage", lambda api, r: api.get("/segments")),
    ("segments.manage", lambda api, r: api.post("/segments", {"name": "Regulars"})),
    ("webhooks.manage", lambda api, r: api.get("/webhooks")),
    ("webhooks.manage", lambda api, r: api.post("/webhooks", {"url": "https://pos.example.com/hooks"})),
    ("customers.merge", lambda api, r: api.post("/customers/merge", {"survivor": str(r.person.uuid),
                                                                     "others": [str(r.twin.uuid)]},
                                                headers={"Idempotency-Key": "merge-1"})),
    ("privacy.manage", lambda api, r: api.get(_person(r) + "/privacy-export")),
    ("privacy.manage", lambda api, r: api.post(_person(r) + "/erasure", {"reason": "request by letter"})),
    ("customers.view", lambda api, r: api.post("/customers/duplicate-check", {"kind": "person", "last_name": "Lind"})),
    ("duplicates.review", lambda api, r: api.get("/duplicates")),
    ("duplicates.review", lambda api, r: api.get(f"/duplicates/{r.pair.pk}")),
    ("duplicates.review", lambda api, r: api.post(f"/duplicates/{r.pair.pk}/not-same")),
]
CELLS = [pytest.param(permission, call, id=f"{permission}-{index}") for index, (permission,
                                                                                call) in enumerate(_CELLS)]


def _state() -> tuple:
    return (AuditEvent.objects.count(), Customer.objects.count(), Message.objects.count(),
            list(Customer.objects.order_by("pk").values_list("version", "status")))


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission, call", CELLS)
def test_each_cell_of_the_matrix(api_as, records, role, permission, call):
    api = api_as(role)
    before = _state()
    response = call(api, records)
    if allows(role, permission):
        assert response.status_code < 300, response.content
    else:
        assert_problem(response, 403, "permission-denied")
        assert _state() == before


def _operations():
    return [operation for router in patron_api._get_bound_routers()
            for view in router.path_operations.values() for operation in view.operations]


def test_every_operation_declares_its_permission_and_the_matrix_covers_them():
    declared = set()
    for operation in _operations():
        permission, where = operation.view_func.api_permission  # AttributeError: an undeclared operation
        assert permission in PERMISSIONS and where in ("endpoint", "action")
        assert where == "endpoint" or operation.methods != ["GET"], "reads check their permission themselves"
        declared.add(permission)
    assert declared <= {permission for permission, _ in _CELLS} | MONEY_PERMISSIONS_COVERED


def test_every_post_accepts_an_idempotency_key():
    posts = [operation for operation in _operations() if "POST" in operation.methods]
    assert posts and all(getattr(operation.view_func, "idempotency", None) for operation in posts)


def test_every_patch_and_delete_requires_if_match(api, records, system):
    from patron.customers import actions
    from patron.locations.queries import default_location
    from patron.sales.actions import record_order

    actions.set_photo(actor=system, customer=records.person, data=_png())
    actions.link_representative(actor=system, company=records.company, person=records.person)
    address = records.person.addresses.get()
    order = record_order(actor=system, customer=records.person, source="till-1", number="W-1", kind="layaway",
                         location=default_location(), amount_due="10.00")
    ids = {"customer_id": records.person.uuid, "contact_id": records.contact.uuid, "address_id": address.uuid,
           "person_id": records.person.uuid, "order_id": order.uuid,
           "segment_id": _segment(system).uuid, "subscription_id": _subscription(system).uuid}
    checked = 0
    for operation in _operations():
        for method in set(operation.methods) & {"PATCH", "DELETE"}:
            path = re.sub(r"\{\w+:(\w+)\}", lambda match: str(ids[match.group(1)]), operation.path)
            if "representatives" in path:
                path = path.replace(f"/customers/{records.person.uuid}/",
                                    f"/customers/{records.company.uuid}/", 1)
            before = _state()
            assert_problem(api.request(method, path, {}), 428, "precondition-required")
            assert _state() == before
            checked += 1
    assert checked == 13


def _png() -> bytes:
    from patron.api.tests.test_customer_parts import _image

    return _image()


def _subscription(system):
    from patron.events.actions import create_subscription

    return create_subscription(actor=system, url="https://pos.example.com/hooks")[0]


def _segment(system):
    from patron.marketing.actions import create_segment

    return create_segment(actor=system, values={"name": "Everyone"})
