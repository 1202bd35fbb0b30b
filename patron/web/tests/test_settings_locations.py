"""Settings > Locations: the hierarchy as a tree, adding and changing locations and groups."""

import pytest
from django.urls import reverse

from patron.core.permissions import Role
from patron.locations.models import Location, LocationGroup
from patron.web.tests.settings_support import assert_form_rejected, audit_actions, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    log_in(client)
    return client


def _locations() -> list[tuple]:
    return list(Location.objects.order_by("pk").values_list("code", "name", "kind", "parent__code"))


def _uuid(code: str) -> str:
    return str(Location.objects.get(code=code).uuid)


def _add_location(client, **values):
    return client.post(reverse("web:settings_location_add"), values)


def test_the_tree_lists_locations_under_their_parents_with_their_depth(client, system):
    from patron.locations import actions

    company = Location.objects.get(code="HQ")
    north = actions.create_location(actor=system, code="N", name="North", kind="branch", parent=company)
    actions.create_location(actor=system, code="S09", name="Aberdeen", kind="store", parent=north)
    log_in(client, Role.CASHIER)
    response = client.get(reverse("web:settings_locations"))
    assert [(location.code, depth) for location, depth in response.context["tree"]] == [
        ("HQ", 0), ("S01", 1), ("N", 1), ("S09", 2)]
    assert b"All stores" in response.content
    assert b"Add location" not in response.content  # a cashier only sees


def test_adding_a_store_under_the_company(admin_client):
    response = _add_location(admin_client, code="S02", name="Harbour store", kind="store", parent=_uuid("HQ"))
    assert response.status_code == 302
    assert Location.objects.get(code="S02").parent.code == "HQ"
    assert audit_actions()[-1] == "location.created"


def test_editing_a_location_changes_it(admin_client):
    response = admin_client.post(reverse("web:settings_location_edit", args=[_uuid("S01")]),
                                 {"code": "S01", "name": "High Street", "kind": "store",
                                  "parent": _uuid("HQ")})
    assert response.status_code == 302
    assert Location.objects.get(code="S01").name == "High Street"
    assert audit_actions()[-1] == "location.updated"


def test_a_duplicate_location_code_is_refused_on_the_code_field(admin_client):
    before = (_locations(), audit_actions())
    response = _add_location(admin_client, code="s01", name="Second store", kind="store", parent=_uuid("HQ"))
    assert_form_rejected(response, "code", "Another location already uses this code",
                         kept={"code": "s01", "name": "Second store"})
    assert (_locations(), audit_actions()) == before


def test_a_store_without_a_parent_is_refused_on_the_parent_field(admin_client):
    before = (_locations(), audit_actions())
    response = _add_location(admin_client, code="S02", name="Lonely store", kind="store", parent="")
    assert_form_rejected(response, "parent", "A store must sit under",
                         kept={"code": "S02", "name": "Lonely store"})
    assert (_locations(), audit_actions()) == before


def test_a_location_cannot_move_under_its_own_descendant(admin_client, system):
    from patron.locations import actions

    north = actions.create_location(actor=system, code="N", name="North", kind="branch",
                                    parent=Location.objects.get(code="HQ"))
    south = actions.create_location(actor=system, code="SO", name="South", kind="company")
    actions.update_location(actor=system, location=north, parent=south)
    before = (_locations(), audit_actions())
    # moving the company South under its own branch North would make a cycle
    response = admin_client.post(reverse("web:settings_location_edit", args=[str(south.uuid)]),
                                 {"code": "SO", "name": "South", "kind": "branch", "parent": str(north.uuid)})
    assert_form_rejected(response, "parent", "cannot sit under itself or one of its own locations")
    # and a branch under itself
    response = admin_client.post(reverse("web:settings_location_edit", args=[str(north.uuid)]),
                                 {"code": "N", "name": "North", "kind": "branch", "parent": str(north.uuid)})
    assert_form_rejected(response, "parent", "cannot sit under itself", kept={"name": "North"})
    assert (_locations(), audit_actions()) == before


def test_adding_a_location_group_with_its_locations(admin_client):
    response = admin_client.post(reverse("web:settings_location_group_add"), {
        "name": "Head office only", "locations": [_uuid("HQ"), _uuid("S01")], "is_default": "on"})
    assert response.status_code == 302
    group = LocationGroup.objects.get(name="Head office only")
    assert sorted(location.code for location in group.locations.all()) == ["HQ", "S01"]
    assert group.is_default
    assert audit_actions()[-1] == "location_group.created"


def test_editing_a_location_group_replaces_its_locations(admin_client):
    group = LocationGroup.objects.get(name="All stores")
    response = admin_client.post(reverse("web:settings_location_group_edit", args=[str(group.uuid)]),
                                 {"name": "Main store only", "locations": [_uuid("S01")]})
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, [location.code for location in group.locations.all()], group.is_default) == (
        "Main store only", ["S01"], False)
    assert audit_actions()[-1] == "location_group.updated"


def test_a_group_without_locations_is_refused_on_the_locations_field(admin_client):
    before = (LocationGroup.objects.count(), audit_actions())
    response = admin_client.post(reverse("web:settings_location_group_add"), {"name": "Empty group"})
    assert_form_rejected(response, "locations", "Choose at least one location", kept={"name": "Empty group"})
    assert (LocationGroup.objects.count(), audit_actions()) == before


def test_an_unknown_location_in_a_form_is_a_field_error_not_a_crash(admin_client):
    before = (_locations(), audit_actions())
    response = _add_location(admin_client, code="S02", name="Store", kind="store",
                             parent="00000000-0000-7000-8000-000000000000")
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    assert (_locations(), audit_actions()) == before


def test_a_location_gets_a_country_and_time_zone_its_stores_inherit(admin_client):
    response = admin_client.post(reverse("web:settings_location_edit", args=[_uuid("HQ")]),
                                 {"code": "HQ", "name": "Head office", "kind": "company", "parent": "",
                                  "country": "Nederland", "time_zone": "Europe/Amsterdam"})
    assert response.status_code == 302
    hq, store = Location.objects.get(code="HQ"), Location.objects.get(code="S01")
    assert (hq.country, hq.time_zone) == ("NL", "Europe/Amsterdam")
    assert (store.country, store.effective_country, store.effective_time_zone) == ("", "NL", "Europe/Amsterdam")
    page = admin_client.get(reverse("web:settings_locations")).content.decode()
    assert "Europe/Amsterdam" in page and "(inherited)" in page
    form = admin_client.get(reverse("web:settings_location_edit", args=[_uuid("HQ")])).content.decode()
    assert 'value="NL"' in form and 'value="Europe/Amsterdam"' in form


def test_an_unknown_time_zone_is_refused_on_its_field(admin_client):
    before = (list(Location.objects.values()), audit_actions())
    response = admin_client.post(reverse("web:settings_location_edit", args=[_uuid("S01")]),
                                 {"code": "S01", "name": "Store", "kind": "store", "parent": _uuid("HQ"),
                                  "time_zone": "Europe/Atlantis"})
    assert_form_rejected(response, "time_zone", "Unknown time zone", kept={"time_zone": "Europe/Atlantis"})
    assert (list(Location.objects.values()), audit_actions()) == before
