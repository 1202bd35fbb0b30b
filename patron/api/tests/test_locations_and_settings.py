"""Reading locations, location groups and the lists of valid values."""

import pytest

from patron.api.tests.conftest import assert_problem
from patron.customers import actions
from patron.locations.models import Location, LocationGroup

pytestmark = pytest.mark.django_db


def test_locations_with_their_parents(api):
    items = api.get("/locations").json()["items"]
    by_code = {item["code"]: item for item in items}
    store = Location.objects.get(code="S01")
    assert by_code["S01"]["parent"]["code"] == store.parent.code
    assert by_code[store.parent.code]["parent"] is None
    single = api.get(f"/locations/{store.uuid}")
    assert single.json() == by_code["S01"]
    assert_problem(api.get("/locations/01890000-0000-7000-8000-000000000000"), 404, "location-not-found")


def test_location_groups_with_their_locations(api):
    group = LocationGroup.objects.get()
    items = api.get("/location-groups").json()["items"]
    assert [(item["name"], item["is_default"]) for item in items] == [(group.name, group.is_default)]
    assert {location["code"] for location in items[0]["locations"]} == \
        set(group.locations.values_list("code", flat=True))
    assert api.get(f"/location-groups/{group.uuid}").json() == items[0]
    assert_problem(api.get("/location-groups/01890000-0000-7000-8000-000000000000"), 404,
                   "location-group-not-found")


def test_price_levels_tags_and_custom_fields_tell_integrators_the_valid_values(api, system):
    actions.save_custom_field(actor=system, key="shoe_size", label="Shoe size", field_type="number")
    actions.save_custom_field(actor=system, key="referral", label="Referral", field_type="choice",
                              choices=["Friend", "Web"], is_required=True)
    actions.save_custom_field(actor=system, key="old", label="Old", field_type="text", is_active=False)
    api.post("/customers", {"kind": "company", "name": "Acme", "tags": ["B2B"],
                            "custom_fields": {"referral": "Web", "shoe_size": "44"}})

    levels = api.get("/price-levels").json()["items"]
    assert [(level["code"], level["is_default"]) for level in levels] == [("A", True), ("B", False), ("C",
                                                                                                      False)]
    assert api.get("/tags").json()["items"] == [{"name": "B2B"}]
    fields = api.get("/custom-fields").json()["items"]
    assert [(item["key"], item["field_type"], item["choices"], item["is_required"]) for item in fields] == \
        [("referral", "choice", ["Friend", "Web"], True), ("shoe_size", "number", [], False)]


def test_locations_carry_their_own_and_inherited_country_and_time_zone(api):
    from patron.core.actors import system_actor
    from patron.locations.actions import update_location

    update_location(actor=system_actor(), location=Location.objects.get(code="HQ"), country="DE",
                    time_zone="Europe/Berlin")
    store = api.get(f"/locations/{Location.objects.get(code='S01').uuid}").json()
    assert {key: store[key] for key in ("country", "time_zone", "effective_country", "effective_time_zone")} == {
        "country": "", "time_zone": "", "effective_country": "DE", "effective_time_zone": "Europe/Berlin"}
