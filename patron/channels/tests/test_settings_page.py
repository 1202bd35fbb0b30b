"""Settings > Webshop channels in the back office: admins only, the secret shown once."""

import re

import pytest
from django.urls import reverse

from patron.channels.models import Channel
from patron.channels.tests.support import customer_body, deliver
from patron.core.permissions import Role
from patron.locations.models import Location
from patron.web.tests.settings_support import audit_actions, log_in

pytestmark = pytest.mark.django_db


def _secret_on(response) -> str:
    return re.search(r'value="(pcs_[A-Za-z0-9_-]+)"', response.content.decode()).group(1)


def test_an_admin_adds_a_channel_sees_its_secret_once_and_the_webshop_can_deliver(client):
    # given
    log_in(client, Role.ADMIN)
    store = Location.objects.get(code="S01")
    # when
    response = client.post(reverse("web:settings_channel_add"), {"code": "webshop", "name": "Online store",
                                                                  "location": str(store.uuid)})
    # then
    assert response.status_code == 200 and b"shown only once" in response.content
    assert "no-store" in response["Cache-Control"]
    secret = _secret_on(response)
    assert Channel.objects.get().location == store and audit_actions()[-1] == "channel.created"
    listing = client.get(reverse("web:settings_channels"))
    assert b"Online store" in listing.content and secret.encode() not in listing.content
    assert secret not in str(dict(client.session)) and secret not in str(client.cookies)
    assert deliver(client, "webshop", secret, customer_body()).status_code == 201
    assert client.get(reverse("web:settings_channels")).context["channels"][0].reference_count == 1


def test_rotating_shows_the_new_secret_and_deactivating_refuses_deliveries(client, shop):
    log_in(client, Role.ADMIN)
    response = client.post(reverse("web:settings_channel_rotate", args=["webshop"]))
    new = _secret_on(response)
    assert new != shop.test_secret and b"keeps working until" in response.content
    response = client.post(reverse("web:settings_channel_deactivate", args=["webshop"]), follow=True)
    assert b"deactivated" in response.content
    assert deliver(client, "webshop", new, customer_body()).status_code == 401


def test_a_bad_code_goes_back_onto_the_form(client):
    log_in(client, Role.ADMIN)
    response = client.post(reverse("web:settings_channel_add"), {"code": "Web Shop!", "name": "Online"})
    assert response.status_code == 200 and "code" in response.context["form"].errors
    assert not Channel.objects.exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASHIER])
def test_other_roles_may_not_open_or_change_channels(client, shop, role):
    log_in(client, role)
    assert client.get(reverse("web:settings_channels")).status_code == 403
    assert client.post(reverse("web:settings_channel_add"), {"code": "x", "name": "X"}).status_code == 403
    assert client.post(reverse("web:settings_channel_rotate", args=["webshop"])).status_code == 403
    assert client.post(reverse("web:settings_channel_deactivate", args=["webshop"])).status_code == 403
    shop.refresh_from_db()
    assert shop.is_active and not shop.previous_secret and Channel.objects.count() == 1
    assert b"Webshop channels" not in client.get(reverse("web:settings")).content


def test_the_customer_page_shows_which_webshop_the_customer_came_from(client, shop):
    response = deliver(client, "webshop", shop.test_secret, customer_body())
    log_in(client, Role.CASHIER)
    page = client.get(reverse("web:customer_detail", args=[response.json()["customer_id"]]))
    assert page.status_code == 200
    assert "From webshop</dt><dd>Our webshop, customer <code>7210448301122</code>" in page.content.decode()
