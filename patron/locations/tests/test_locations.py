"""The location hierarchy and the groups that decide where a customer is available."""

import pytest

from patron.core.errors import PermissionDenied, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers.queries import CustomerFilter, filter_customers
from patron.customers.tests.factories import customer_factory
from patron.locations.actions import create_location, save_location_group, update_location
from patron.locations.models import Location, LocationGroup
from patron.locations.queries import ancestor_ids, covering_group_ids, groups_covering, location_tree
from patron.staff.tests.factories import actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(system):
    hq = Location.objects.get(code="HQ")
    north = create_location(actor=system, code="N", name="North branch", kind="branch", parent=hq)
    leeds = create_location(actor=system, code="S10", name="Leeds", kind="store", parent=north)
    york = create_location(actor=system, code="S11", name="York", kind="store", parent=north)
    return hq, north, leeds, york


def test_hierarchy_and_tree(chain):
    hq, north, leeds, _ = chain
    assert ancestor_ids(leeds) == [leeds.pk, north.pk, hq.pk]
    assert [(location.code, depth) for location, depth in location_tree()] == [
        ("HQ", 0), ("S01", 1), ("N", 1), ("S10", 2), ("S11", 2)]


@pytest.mark.parametrize("values, field", [
    ({"code": "X", "name": "Lost", "kind": "store", "parent": None}, "parent"),
    ({"code": "X", "name": "Nested", "kind": "company", "parent": "HQ"}, "parent"),
    ({"code": "hq", "name": "Twin", "kind": "company", "parent": None}, "code"),
    ({"code": "", "name": "", "kind": "store", "parent": "HQ"}, "code"),
    ({"code": "X", "name": "Odd", "kind": "warehouse", "parent": "HQ"}, "kind"),
])
def test_bad_locations_are_refused(system, values, field):
    parent = Location.objects.get(code=values.pop("parent")) if values.get("parent") else None
    values.pop("parent", None)
    with pytest.raises(ValidationFailed) as raised:
        create_location(actor=system, parent=parent, **values)
    assert field in raised.value.errors
    assert Location.objects.count() == 2


def test_a_location_cannot_move_under_its_own_descendant(chain, system):
    hq, north, leeds, _ = chain
    with pytest.raises(ValidationFailed):
        update_location(actor=system, location=north, parent=north)
    branch_two = create_location(actor=system, code="B2", name="Branch two", kind="branch", parent=hq)
    update_location(actor=system, location=leeds, parent=branch_two)
    leeds.refresh_from_db()
    assert leeds.parent == branch_two
    assert AuditEvent.objects.filter(action="location.updated").get().changes == {"parent": ["North branch",
                                                                                            "Branch two"]}


def test_group_covers_the_stores_beneath_its_locations(chain, system):
    hq, north, leeds, york = chain
    northern = save_location_group(actor=system, name="Northern stores", locations=[north])
    leeds_only = save_location_group(actor=system, name="Leeds only", locations=[leeds])
    assert set(groups_covering(york)) == {northern, LocationGroup.objects.get(name="All stores")}
    assert set(groups_covering(leeds)) == {northern, leeds_only, LocationGroup.objects.get(name="All stores")}
    for store in (york, leeds, hq):  # the till's one-query form agrees
        assert covering_group_ids(store) == tuple(sorted(group.pk for group in groups_covering(store)))


def test_coverage_follows_moves_and_group_changes(chain, system):
    """The coverage rows the till reads are what a walk up the hierarchy finds, after every kind
    of change: a location created, moved, a group created and changed."""
    hq, north, leeds, york = chain
    northern = save_location_group(actor=system, name="Northern stores", locations=[north])
    south = create_location(actor=system, code="SOUTH", name="South branch", kind="branch", parent=hq)
    assert northern in groups_covering(leeds)
    update_location(actor=system, location=leeds, parent=south)
    assert northern not in groups_covering(leeds)
    southern = save_location_group(actor=system, name="Southern stores", locations=[south])
    save_location_group(actor=system, name="Northern stores", locations=[north, south], group=northern)
    dover = create_location(actor=system, code="S12", name="Dover", kind="store", parent=south)
    for location in Location.objects.all():
        walked = set(LocationGroup.objects.filter(locations__in=ancestor_ids(location)))
        assert set(groups_covering(location)) == walked, location.code
    assert set(groups_covering(dover)) == {southern, northern, LocationGroup.objects.get(name="All stores")}


def test_customer_is_available_only_where_its_groups_reach(chain, system):
    hq, north, leeds, york = chain
    leeds_only = save_location_group(actor=system, name="Leeds only", locations=[leeds])
    local = customer_factory(last_name="Local", location_groups=[leeds_only])
    everywhere = customer_factory(last_name="Everywhere")
    at_york = filter_customers(CustomerFilter(available_at=york))
    at_leeds = filter_customers(CustomerFilter(available_at=leeds))
    assert list(at_york) == [everywhere]
    assert set(at_leeds) == {local, everywhere}


def test_group_needs_a_unique_name_and_locations(system):
    with pytest.raises(ValidationFailed) as raised:
        save_location_group(actor=system, name="all STORES", locations=[])
    assert set(raised.value.errors) == {"name", "locations"}


def test_only_admins_manage_locations(chain):
    hq = chain[0]
    with pytest.raises(PermissionDenied):
        create_location(actor=actor_for(Role.MANAGER), code="Z", name="Z", kind="branch", parent=hq)


def _place(location: Location) -> tuple[str, str]:
    location.refresh_from_db()
    return location.effective_country, location.effective_time_zone


def test_country_and_time_zone_are_inherited_from_the_location_above(chain, system):
    hq, north, leeds, york = chain
    update_location(actor=system, location=hq, country="uk", time_zone="europe/london")
    hq.refresh_from_db()
    assert (hq.country, hq.time_zone) == ("GB", "Europe/London")  # stored as ISO code and IANA name
    assert _place(leeds) == _place(york) == ("GB", "Europe/London")
    update_location(actor=system, location=north, country="IE", time_zone="")
    assert _place(leeds) == ("IE", "Europe/London")  # the nearest location with a value decides
    assert _place(hq) == ("GB", "Europe/London")
    update_location(actor=system, location=york, country="NL", time_zone="Europe/Amsterdam")
    assert _place(york) == ("NL", "Europe/Amsterdam")
    new = create_location(actor=system, code="S12", name="Cork", kind="store", parent=north)
    assert (new.effective_country, new.effective_time_zone) == ("IE", "Europe/London")


def test_a_move_or_a_cleared_value_recomputes_the_descendants(chain, system):
    hq, north, leeds, _ = chain
    update_location(actor=system, location=north, country="DE", time_zone="Europe/Berlin")
    dutch = create_location(actor=system, code="NLB", name="Dutch branch", kind="branch", parent=hq,
                            country="NL", time_zone="Europe/Amsterdam")
    update_location(actor=system, location=leeds, parent=dutch)
    assert _place(leeds) == ("NL", "Europe/Amsterdam")
    update_location(actor=system, location=dutch, country="", time_zone="")
    assert _place(leeds) == ("", "")  # nothing above says: the installation's defaults
    assert AuditEvent.objects.filter(action="location.updated").order_by("pk").last().changes == {
        "country": ["NL", ""], "time_zone": ["Europe/Amsterdam", ""]}


def test_an_unknown_country_or_time_zone_is_refused_and_nothing_changes(chain, system):
    hq, north, leeds, _ = chain
    update_location(actor=system, location=north, country="DE", time_zone="Europe/Berlin")
    before = list(Location.objects.order_by("pk").values())
    with pytest.raises(ValidationFailed) as raised:
        update_location(actor=system, location=north, country="Atlantis", time_zone="Mars/Olympus")
    assert set(raised.value.errors) == {"country", "time_zone"}
    with pytest.raises(ValidationFailed):
        create_location(actor=system, code="X", name="X", kind="store", parent=hq, time_zone="../../etc/passwd")
    assert list(Location.objects.order_by("pk").values()) == before
