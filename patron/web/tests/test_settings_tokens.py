"""Settings > API tokens: the secret is shown once, the token then works until revoked."""

import re

import pytest
from django.urls import reverse

from patron.core.permissions import Role
from patron.locations.models import Location
from patron.staff.actions import authenticate_token
from patron.staff.models import ApiToken
from patron.staff.tests.factories import token_factory
from patron.web.tests.settings_support import assert_form_rejected, audit_actions, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    return log_in(client, Role.ADMIN)


def _create(client, **values):
    store = Location.objects.get(code="S01")
    data = {"name": "Till 2", "role": Role.CASHIER, "location": str(store.uuid), **values}
    return client.post(reverse("web:settings_token_add"), data)


def _secret_on(response) -> str:
    return re.search(r'value="(ptn_[A-Za-z0-9_-]+)"', response.content.decode()).group(1)


def test_the_secret_is_shown_once_and_the_token_then_authenticates(client, admin):
    response = _create(client)
    assert response.status_code == 200
    secret = _secret_on(response)
    assert b"shown only once" in response.content
    assert "no-store" in response["Cache-Control"]
    token = authenticate_token(secret)
    assert (token.name, token.role, token.location.code, token.created_by) == (
        "Till 2", Role.CASHIER, "S01", admin)
    assert audit_actions()[-1] == "staff.token_created"
    # never again: not on the list, not in a message kept in the session or a cookie
    listing = client.get(reverse("web:settings_tokens"))
    assert secret.encode() not in listing.content
    assert secret[:12].encode() in listing.content
    assert secret not in str(dict(client.session)) and secret not in str(client.cookies)


def test_a_token_needs_a_name(client, admin):
    before = (ApiToken.objects.count(), audit_actions())
    response = _create(client, name="   ")
    assert_form_rejected(response, "name", "required")
    assert (ApiToken.objects.count(), audit_actions()) == before


def test_a_revoked_token_no_longer_authenticates(client, admin):
    token, secret = token_factory(name="Webshop")
    response = client.post(reverse("web:settings_token_revoke", args=[token.prefix]), follow=True)
    assert b"Token Webshop revoked" in response.content
    assert authenticate_token(secret) is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert audit_actions()[-1] == "staff.token_revoked"
    assert b"data-confirm" not in response.content  # a revoked token offers no revoke button


def test_the_list_shows_name_prefix_role_store_and_status(client, admin):
    token, _ = token_factory(Role.MANAGER, name="Webshop")
    response = client.get(reverse("web:settings_tokens"))
    page = response.content.decode()
    for text in ["Webshop", token.prefix, "Manager", "Main store", "never", '"badge active">active<',
                 "data-confirm="]:
        assert text in page
