"""Logging in and out: one generic error, lockout after repeated failures (django-axes),
inactive users refused, Argon2 password hashes, CSRF, logout by POST only."""

import os
import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from patron.core.permissions import Role
from patron.staff import actions
from patron.staff.tests.factories import PASSWORD, user_factory

pytestmark = pytest.mark.django_db

LOGIN = reverse("web:login")


@pytest.fixture
def carl():
    return user_factory(Role.CASHIER, username="carl")


def _log_in(client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def _login_errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def test_the_login_page_has_a_csrf_token_and_keeps_next(client):
    response = client.get(LOGIN, {"next": "/settings/staff/"})
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert b'name="next" value="/settings/staff/"' in response.content


def test_logging_in_goes_to_next(client, carl):
    response = _log_in(client, "carl", PASSWORD, next="/settings/locations/")
    assert response.status_code == 302 and response["Location"] == "/settings/locations/"
    assert client.session[SESSION_KEY] == str(carl.pk)


def test_a_next_on_another_site_is_ignored(client, carl):
    response = _log_in(client, "carl", PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("web:home")  # then on to the dashboard or the customers


def test_a_wrong_password_and_an_unknown_user_get_the_same_generic_message(client, carl):
    wrong_password = _log_in(client, "carl", "not the password")
    unknown_user = _log_in(client, "nobody", "not the password")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert _login_errors(wrong_password) == _login_errors(unknown_user)
    assert "Please enter a correct username and password" in _login_errors(wrong_password)[0]
    assert SESSION_KEY not in client.session
    assert b'value="carl"' in wrong_password.content  # the username is kept, the password is not
    assert b"not the password" not in wrong_password.content


def test_an_inactive_user_cannot_log_in_and_is_told_nothing_more(client, carl, system):
    actions.deactivate_user(actor=system, user=carl)
    response = _log_in(client, "carl", PASSWORD)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert _login_errors(response) == _login_errors(_log_in(client, "nobody", PASSWORD))


def test_the_account_locks_after_the_failure_limit(client, carl, settings):
    settings.AXES_FAILURE_LIMIT = 3
    other = user_factory(username="dora")
    for _ in range(2):
        assert _log_in(client, "carl", "wrong").status_code == 200
    locked = _log_in(client, "carl", "wrong")
    assert locked.status_code == 429
    assert b"Too many failed log-ins" in locked.content
    # now even the right password is refused, but only for this account
    assert _log_in(client, "carl", PASSWORD).status_code == 429
    assert SESSION_KEY not in client.session
    assert _log_in(client, "dora", PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(other.pk)


def test_the_failure_limit_is_ten_unless_the_environment_says_otherwise():
    assert int(os.environ.get("PATRON_LOGIN_FAILURE_LIMIT", "10")) == settings.AXES_FAILURE_LIMIT


def test_passwords_are_hashed_with_argon2(carl):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert carl.password.startswith("argon2$argon2id$")
    assert PASSWORD not in carl.password


def test_a_login_without_csrf_token_is_refused_and_works_with_it(carl):
    client = Client(enforce_csrf_checks=True)
    assert _log_in(client, "carl", PASSWORD).status_code == 403
    assert SESSION_KEY not in client.session
    page = client.get(LOGIN).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = _log_in(client, "carl", PASSWORD, csrfmiddlewaretoken=token)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(carl.pk)


def test_logout_is_post_only(client, carl):
    client.force_login(carl)
    assert client.get(reverse("web:logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert SESSION_KEY not in client.session
