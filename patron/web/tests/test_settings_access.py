"""Who may open which Settings page: the cells of docs/permissions.md for settings.manage,
locations.view, locations.manage and staff.manage, walked through the web UI."""

import pytest
from django.test import Client
from django.urls import reverse

from patron.core.permissions import Role, allows
from patron.customers.models import CustomerSettings, PriceLevel
from patron.customers.tests.factories import customer_factory
from patron.locations.models import Location, LocationGroup
from patron.staff.models import ApiToken, User
from patron.staff.tests.factories import token_factory, user_factory
from patron.web.tests.settings_support import audit_actions, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(system):
    """One record of each kind a Settings page shows, so every URL has something to open."""
    from patron.customers import actions

    customer_factory(tags=["VIP"])
    actions.save_custom_field(actor=system, key="shoe_size", label="Shoe size", field_type="number")
    token, _ = token_factory(name="Till 1")
    return {
        "price_level": "A",
        "tag": "VIP",
        "custom_field": "shoe_size",
        "location": Location.objects.get(code="S01").uuid,
        "group": LocationGroup.objects.get(name="All stores").uuid,
        "user": user_factory(Role.CASHIER, username="carl").username,
        "token": token.prefix,
    }


# (URL name, key of ``records`` for its argument, permission needed to open it)
PAGES = [
    ("web:settings_customers", None, "settings.manage"),
    ("web:settings_price_levels", None, "settings.manage"),
    ("web:settings_price_level_add", None, "settings.manage"),
    ("web:settings_price_level_edit", "price_level", "settings.manage"),
    ("web:settings_tags", None, "settings.manage"),
    ("web:settings_tag_rename", "tag", "settings.manage"),
    ("web:settings_custom_fields", None, "settings.manage"),
    ("web:settings_custom_field_add", None, "settings.manage"),
    ("web:settings_custom_field_edit", "custom_field", "settings.manage"),
    ("web:settings_credit_loyalty", None, "settings.manage"),
    ("web:settings_locations", None, "locations.view"),
    ("web:settings_location_add", None, "locations.manage"),
    ("web:settings_location_edit", "location", "locations.manage"),
    ("web:settings_location_group_add", None, "locations.manage"),
    ("web:settings_location_group_edit", "group", "locations.manage"),
    ("web:settings_staff", None, "staff.manage"),
    ("web:settings_user_add", None, "staff.manage"),
    ("web:settings_user", "user", "staff.manage"),
    ("web:settings_tokens", None, "staff.manage"),
    ("web:settings_token_add", None, "staff.manage"),
]

# Buttons and forms that change something: (URL name, key of ``records``, permission, form data)
CHANGES = [
    ("web:settings_customers", None, "settings.manage",
     {"account_number_pattern": "K####", "next_account_number": "5", "initial_status": "prospect"}),
    ("web:settings_price_level_add", None, "settings.manage", {"code": "D", "name": "", "position": "3"}),
    ("web:settings_price_level_delete", "price_level", "settings.manage", {}),
    ("web:settings_tag_rename", "tag", "settings.manage", {"name": "Gold"}),
    ("web:settings_tag_delete", "tag", "settings.manage", {}),
    ("web:settings_custom_field_add", None, "settings.manage",
     {"key": "size", "label": "Size", "field_type": "text", "position": "0"}),
    ("web:settings_location_add", None, "locations.manage",
     {"code": "S02", "name": "Two", "kind": "company"}),
    ("web:settings_location_group_add", None, "locations.manage", {"name": "Group"}),
    ("web:settings_user_add", None, "staff.manage",
     {"username": "dora", "role": "admin", "password": "tulip orbit canyon 42",
      "password_again": "tulip orbit canyon 42"}),
    ("web:settings_user_role", "user", "staff.manage", {"role": "admin"}),
    ("web:settings_user_password", "user", "staff.manage",
     {"password": "tulip orbit canyon 42", "password_again": "tulip orbit canyon 42"}),
    ("web:settings_user_deactivate", "user", "staff.manage", {}),
    ("web:settings_token_add", None, "staff.manage", {"name": "Webshop", "role": "admin"}),
    ("web:settings_token_revoke", "token", "staff.manage", {}),
]


def _url(records, name, key):
    return reverse(name, args=[records[key]] if key else [])


def _state() -> tuple:
    """What any of the changes above would alter."""
    shop = CustomerSettings.objects.get(pk=1)
    return (audit_actions(), shop.account_number_pattern, PriceLevel.objects.count(),
            Location.objects.count(), LocationGroup.objects.count(),
            list(User.objects.order_by("pk").values_list("username", "role", "is_active", "password")),
            list(ApiToken.objects.order_by("pk").values_list("name", "revoked_at")))


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name, key, permission", PAGES)
def test_each_page_opens_exactly_for_the_roles_with_its_permission(client, records, role, name, key,
                                                                   permission):
    log_in(client, role)
    response = client.get(_url(records, name, key))
    assert response.status_code == (200 if allows(role, permission) else 403)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASHIER])
@pytest.mark.parametrize("name, key, permission, data", CHANGES)
def test_roles_without_the_permission_cannot_change_anything(client, records, role, name, key, permission,
                                                             data):
    assert not allows(role, permission)
    log_in(client, role)
    before = _state()
    response = client.post(_url(records, name, key), data)
    assert response.status_code == 403
    assert _state() == before


def test_every_page_renders_for_an_admin_with_the_full_section_navigation(client, records):
    log_in(client, Role.ADMIN)
    for name, key, _ in PAGES:
        response = client.get(_url(records, name, key))
        assert response.status_code == 200, name
        assert b'href="/settings/tokens/"' in response.content


@pytest.mark.parametrize("role, sections", [
    (Role.ADMIN, ["Customers", "Price levels", "Tags", "Custom fields", "Credit and loyalty", "Locations", "Staff",
                    "API tokens", "Webshop channels", "Webhooks"]),
    (Role.MANAGER, ["Locations"]),
    (Role.CASHIER, ["Locations"]),
])
def test_settings_index_lists_only_the_sections_the_role_may_use(client, role, sections):
    log_in(client, role)
    response = client.get(reverse("web:settings"))
    assert response.status_code == 200
    assert [section.title for section in response.context["sections"]] == sections
    assert (b"API tokens" in response.content) == (role == Role.ADMIN)


def _sidebar(response) -> str:
    page = response.content.decode()
    return page[page.index('<nav class="sidebar"'):page.index("</nav>")]


def test_the_sidebar_links_to_settings_only_for_roles_that_manage_something(client):
    log_in(client, Role.CASHIER)
    assert 'href="/settings/"' not in _sidebar(client.get(reverse("web:settings_locations")))
    log_in(client, Role.ADMIN)
    assert 'href="/settings/"' in _sidebar(client.get(reverse("web:settings_locations")))


@pytest.mark.parametrize("name, key, permission", [*PAGES, ("web:settings", None, "")])
def test_anonymous_visitors_are_sent_to_the_login_page(client, records, name, key, permission):
    url = _url(records, name, key)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login") + "?next=")


@pytest.mark.parametrize("name, key, permission, data", CHANGES)
def test_anonymous_posts_change_nothing(client, records, name, key, permission, data):
    before = _state()
    response = client.post(_url(records, name, key), data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    assert _state() == before


def test_a_post_without_csrf_token_is_refused(records):
    client = Client(enforce_csrf_checks=True)
    log_in(client, Role.ADMIN)
    before = _state()
    response = client.post(reverse("web:settings_price_level_add"), {"code": "D", "position": "3"})
    assert response.status_code == 403
    assert _state() == before


def test_buttons_that_change_things_refuse_get(client, records):
    log_in(client, Role.ADMIN)
    before = _state()
    assert client.get(reverse("web:settings_token_revoke", args=[records["token"]])).status_code == 405
    assert client.get(reverse("web:settings_user_deactivate", args=[records["user"]])).status_code == 405
    assert _state() == before
