"""The OpenAPI document says what the server checks, no looser: what it calls valid is not refused
for its form (test_schemathesis.py runs generated requests; these are the cases it found)."""

import json
import re

import pytest

from patron.api.etag import IF_MATCH_PATTERN
from patron.api.tests.conftest import assert_problem, key, pointers
from patron.core.actors import system_actor
from patron.customers.tests.factories import customer_factory
from patron.loyalty.models import PointsEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(api) -> dict:
    return json.loads(api.get("/openapi.json").content)


def _without_null(schema: dict) -> dict:
    assert "anyOf" not in schema, f"nullable: {schema}"
    return schema


def test_sales_and_orders_need_a_source_and_a_number(document):
    schemas = document["components"]["schemas"]
    for name in ("SaleIn", "OrderIn"):
        for field in ("source", "number"):
            assert schemas[name]["properties"][field]["minLength"] == 1, (name, field)


def test_segment_fields_that_cannot_be_emptied_are_not_nullable_and_a_new_one_needs_a_name(document, api):
    fields = document["components"]["schemas"]["SegmentFields"]["properties"]
    for name in ("name", "description", "statuses", "tags", "newsletter_tag"):
        _without_null(fields[name])
    assert "anyOf" in fields["last_purchase_after"]  # null clears a bound
    assert document["components"]["schemas"]["SegmentIn"]["required"] == ["name"]
    problem = assert_problem(api.post("/segments", {"name": "Everyone", "statuses": None}, headers=key()), 422,
                             "validation-failed")
    assert pointers(problem) == {"/statuses"}


def test_if_match_has_the_etag_form_and_patch_and_delete_require_it(document):
    customer = document["paths"]["/api/v1/customers/{customer_id}"]
    for method in ("patch", "delete"):
        header = next(parameter for parameter in customer[method]["parameters"] if parameter["name"] == "If-Match")
        assert header["required"] is True
        assert _without_null(header["schema"])["pattern"] == IF_MATCH_PATTERN
    status = document["paths"]["/api/v1/customers/{customer_id}/status"]["post"]
    assert next(parameter for parameter in status["parameters"] if parameter["name"] == "If-Match")[
        "required"] is False


@pytest.mark.parametrize("value, valid", [('"3"', True), ("*", True), (' \t"3" ', True), ('W/"3"', False),
                                          ('"3", "4"', False), ("3", False), ('"٣"', False), ('\n"3"', False)])
def test_the_server_reads_if_match_as_the_document_says(api, value, valid):
    assert bool(re.fullmatch(IF_MATCH_PATTERN, value)) is valid
    customer = customer_factory()
    response = api.patch(f"/customers/{customer.uuid}", {"notes": "x"}, if_match=value)
    if valid:
        assert response.status_code in (200, 412), response.content
    else:
        assert_problem(response, 400, "invalid-if-match")


def test_a_representative_is_one_person_either_existing_or_new(document, api):
    schema = document["components"]["schemas"]["RepresentativeIn"]
    assert schema["oneOf"] == [{"required": ["person_id"]}, {"required": ["person"]}]
    company = customer_factory("company")
    problem = assert_problem(api.post(f"/customers/{company.uuid}/representatives", {}), 422, "validation-failed")
    assert pointers(problem) == {""}


def test_whole_points_may_be_written_as_a_json_number_with_a_zero_fraction(api):
    customer = customer_factory(actor=system_actor())
    path = f"/customers/{customer.uuid}/points/adjustments"
    added = api.post(path, {"points": 5.0, "note": "Welcome"}, headers=key("p-1"))
    assert added.status_code == 201, added.content
    assert added.json()["points"] == 5
    for points in (5.5, "5", True):
        problem = assert_problem(api.post(path, {"points": points, "note": "x"}, headers=key(f"p-{points}")), 422,
                                 "validation-failed")
        assert pointers(problem) == {"/points"}
    assert PointsEntry.objects.count() == 1


def test_the_json_export_is_declared_as_a_json_array(document):
    content = document["paths"]["/api/v1/exports/customers"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"type": "array", "items": {"type": "object"}}
    assert content["text/csv"]["schema"] == {"type": "string", "format": "binary"}


def _refusing_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [name for name, _ in pairs]
    repeated = {name for name in keys if keys.count(name) > 1}
    if repeated:
        raise ValueError(f"repeated keys: {sorted(repeated)}")
    return dict(pairs)


def test_the_document_has_no_repeated_keys_and_the_photo_says_its_image_type(api):
    """Swagger UI (and YAML parsers) refuse an object that names a key twice: ninja keyed the
    generated 200 by number and the photo's description by text, and both were written."""
    document = json.loads(api.get("/openapi.json").content, object_pairs_hook=_refusing_repeated_keys)
    photo = document["paths"]["/api/v1/customers/{customer_id}/photo"]
    assert set(photo["get"]["responses"]["200"]["content"]) == {"image/webp"}
    assert "CustomerOut" in photo["post"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    for operations in document["paths"].values():
        for operation in operations.values():
            assert all(isinstance(status, str) for status in operation["responses"])
