"""Settings > Staff: creating users, changing their role and store, passwords, deactivating."""

import pytest
from django.urls import reverse

from patron.core.permissions import Role
from patron.locations.models import Location
from patron.staff.models import User
from patron.staff.tests.factories import PASSWORD, user_factory
from patron.web.tests.settings_support import assert_form_rejected, audit_actions, log_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "tulip orbit canyon 42"


@pytest.fixture
def admin(client):
    return log_in(client, Role.ADMIN, username="root")


def _users() -> list[tuple]:
    return list(User.objects.order_by("pk").values_list("username", "role", "location__code", "is_active",
                                                         "password"))


def _new_user(**values) -> dict:
    return {"username": "dora", "first_name": "Dora", "last_name": "Diaz", "email": "Dora@Example.COM",
            "role": Role.MANAGER, "location": str(Location.objects.get(code="S01").uuid),
            "password": NEW_PASSWORD, "password_again": NEW_PASSWORD, **values}


def test_the_staff_list_shows_each_users_role_store_and_status(client, admin):
    user_factory(Role.CASHIER, username="carl")
    response = client.get(reverse("web:settings_staff"))
    assert [user.username for user in response.context["users"]] == ["carl", "root"]
    assert b"Main store" in response.content and b"Cashier" in response.content


def test_creating_a_user_who_can_then_log_in(client, admin):
    response = client.post(reverse("web:settings_user_add"), _new_user())
    assert response.status_code == 302
    user = User.objects.get(username="dora")
    assert (user.get_full_name(), user.email, user.role, user.location.code) == (
        "Dora Diaz", "Dora@example.com", Role.MANAGER, "S01")
    assert user.password.startswith("argon2$") and user.check_password(NEW_PASSWORD)
    assert audit_actions()[-1] == "staff.user_created"


def test_a_weak_password_is_refused_on_the_password_field(client, admin):
    before = (_users(), audit_actions())
    response = client.post(reverse("web:settings_user_add"),
                           _new_user(password="password1", password_again="password1"))
    assert_form_rejected(response, "password", "too common", kept={"username": "dora", "first_name": "Dora"})
    assert b"password1" not in response.content  # passwords are never sent back
    assert (_users(), audit_actions()) == before


def test_a_duplicate_username_is_refused_on_the_username_field(client, admin):
    user_factory(username="dora")
    before = (_users(), audit_actions())
    response = client.post(reverse("web:settings_user_add"), _new_user(username="DORA"))
    assert_form_rejected(response, "username", "This username is taken", kept={"username": "DORA"})
    assert (_users(), audit_actions()) == before


def test_the_two_passwords_must_match(client, admin):
    before = (_users(), audit_actions())
    response = client.post(reverse("web:settings_user_add"), _new_user(password_again=NEW_PASSWORD + "!"))
    assert_form_rejected(response, "password_again", "differ")
    assert (_users(), audit_actions()) == before


def test_changing_a_users_role_and_store(client, admin, system):
    from patron.locations import actions

    store = actions.create_location(actor=system, code="S02", name="Harbour", kind="store",
                                    parent=Location.objects.get(code="HQ"))
    carl = user_factory(Role.CASHIER, username="carl")
    response = client.post(reverse("web:settings_user_role", args=["carl"]),
                           {"role": Role.MANAGER, "location": str(store.uuid)})
    assert response.status_code == 302
    carl.refresh_from_db()
    assert (carl.role, carl.location.code) == (Role.MANAGER, "S02")
    assert audit_actions()[-1] == "staff.user_role_changed"


def test_the_last_admin_cannot_lose_the_admin_role(client, admin):
    before = (_users(), audit_actions())
    response = client.post(reverse("web:settings_user_role", args=["root"]),
                           {"role": Role.CASHIER, "location": ""})
    assert_form_rejected(response, "role", "at least one admin", form_name="role_form")
    assert (_users(), audit_actions()) == before


def test_setting_a_new_password(client, admin):
    carl = user_factory(username="carl")
    response = client.post(reverse("web:settings_user_password", args=["carl"]),
                           {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302
    carl.refresh_from_db()
    assert carl.check_password(NEW_PASSWORD) and not carl.check_password(PASSWORD)
    assert audit_actions()[-1] == "staff.user_password_set"


def test_setting_your_own_password_keeps_you_logged_in(client, admin):
    client.post(reverse("web:settings_user_password", args=["root"]),
                {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert client.get(reverse("web:settings_staff")).status_code == 200


def test_a_weak_new_password_is_refused(client, admin):
    user_factory(username="carl")
    before = (_users(), audit_actions())
    response = client.post(reverse("web:settings_user_password", args=["carl"]),
                           {"password": "carl", "password_again": "carl"})
    assert_form_rejected(response, "password", "too short", form_name="password_form")
    assert (_users(), audit_actions()) == before


def test_deactivating_and_reactivating_a_user(client, admin):
    carl = user_factory(username="carl")
    response = client.post(reverse("web:settings_user_deactivate", args=["carl"]), follow=True)
    assert b"carl can no longer log in." in response.content
    carl.refresh_from_db()
    assert not carl.is_active
    client.post(reverse("web:settings_user_reactivate", args=["carl"]))
    carl.refresh_from_db()
    assert carl.is_active
    assert audit_actions()[-2:] == ["staff.user_deactivated", "staff.user_reactivated"]


def test_a_deactivated_user_is_logged_out_at_once(client, admin):
    from django.test import Client

    carl = user_factory(Role.ADMIN, username="carl")
    carl_client = Client()
    carl_client.force_login(carl)
    client.post(reverse("web:settings_user_deactivate", args=["carl"]))
    response = carl_client.get(reverse("web:settings_staff"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


def test_you_cannot_deactivate_yourself(client, admin):
    user_factory(Role.ADMIN)  # not the last admin, so only the "yourself" rule applies
    before = (_users(), audit_actions())
    response = client.post(reverse("web:settings_user_deactivate", args=["root"]), follow=True)
    assert b"You cannot deactivate yourself." in response.content
    assert (_users(), audit_actions()) == before


@pytest.mark.parametrize("username", ["<b>dora</b>", "dora/admin", "do\u200bra", "dora\u202e", "dora smith"])
def test_a_username_with_markup_slashes_spaces_or_invisible_characters_is_refused(client, admin, username):
    before = (_users(), audit_actions())
    response = client.post(reverse("web:settings_user_add"), _new_user(username=username))
    assert_form_rejected(response, "username", "Use only letters, digits and . _ - @ +", kept={"username": username})
    assert (_users(), audit_actions()) == before


def test_a_username_typed_in_full_width_letters_is_stored_as_the_login_form_reads_it(client, admin):
    client.post(reverse("web:settings_user_add"), _new_user(username="ｄｏｒａ"))
    assert User.objects.filter(username="dora").exists()
    client.logout()
    response = client.post(reverse("web:login"), {"username": "ｄｏｒａ", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("web:home")


def test_usernames_with_odd_characters_still_route(client, admin):
    # usernames made before they were restricted to letters, digits and . _ - @ +
    User.objects.create_user(username="ann/b 50%?", password=NEW_PASSWORD, role=Role.CASHIER)
    response = client.get(reverse("web:settings_staff"))
    url = reverse("web:settings_user", args=["ann/b 50%?"])
    assert url.encode() in response.content
    assert client.get(url).context["staff_user"].username == "ann/b 50%?"
