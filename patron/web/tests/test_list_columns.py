"""The customer list's columns: each staff user chooses theirs from a "Columns" menu, kept for
them (defaults until they do), loaded in a fixed number of queries however many rows."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.staff.models import User
from patron.web.forms.customers import DEFAULT_COLUMNS
from patron.web.tests.customer_support import client_for
from patron.web.tests.money_support import customer_with_credit, switch_credit_on

pytestmark = pytest.mark.django_db
LIST = reverse("web:customer_list")
COLUMNS = reverse("web:customer_columns")


def headings(response) -> list[str]:
    head = response.content.decode().split("<thead>")[1].split("</thead>")[0]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", head)]


def user_of(client) -> User:
    return User.objects.get(pk=client.session["_auth_user_id"])


@pytest.fixture
def shop(system):
    customer_factory(first_name="Anna", last_name="Berg", tags=["VIP", "Trade"],
                     addresses=[{"kind": "contact", "line1": "Hauptstr. 1", "city": "Köln", "country": "DE"}])


def test_the_defaults_until_a_user_chooses(shop):
    client = client_for(Role.MANAGER)
    assert headings(client.get(LIST))[1:] == ["Photo", "Name", "Account no.", "Kind", "Phone", "E-mail", "Status",
                                              "Home location", "Total purchases", "Added"]
    assert user_of(client).list_columns == []


def test_a_user_chooses_columns_kept_for_them_alone(shop):
    client, other = client_for(Role.MANAGER), client_for(Role.MANAGER)
    response = client.post(COLUMNS, {"columns": ["tags", "city", "account_number"], "back": "sort=-name"})
    assert response.url == f"{LIST}?sort=-name"
    assert [str(message) for message in get_messages(response.wsgi_request)] == ["Columns saved."]
    assert user_of(client).list_columns == ["tags", "city", "account_number"]
    assert AuditEvent.objects.filter(action="staff.user_list_columns_changed").count() == 1
    page = client.get(LIST)
    assert headings(page)[1:] == ["Name", "Account no.", "City", "Tags"]  # the list's order; the name always
    html = page.content.decode()
    assert "Köln" in html and '<span class="badge">Trade</span> <span class="badge">VIP</span>' in html
    assert 'value="city" id="id_columns_columns_5" checked' in html  # the menu shows what is chosen
    assert "Phone" not in headings(page)
    assert len(headings(other.get(LIST))) == len(DEFAULT_COLUMNS) + 1  # someone else keeps the defaults
    client.post(COLUMNS, {"columns": ["tags"], "reset": "1"})
    assert user_of(client).list_columns == []


def test_an_unknown_column_is_refused_and_nothing_kept(shop):
    client = client_for(Role.MANAGER)
    response = client.post(COLUMNS, {"columns": ["phone", "password"]})
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Choose columns from the list offered."]
    assert user_of(client).list_columns == []


def test_the_balance_and_last_purchase_columns(shop):
    switch_credit_on()
    customer_with_credit("250.00", first_name="Cleo", last_name="Credit")
    client = client_for(Role.MANAGER)
    client.post(COLUMNS, {"columns": ["balance", "last_purchase"]})
    page = client.get(LIST)
    assert headings(page)[1:] == ["Name", "Balance", "Last purchase"]
    assert "$0.00" in page.content.decode()


def test_columns_load_in_a_fixed_number_of_queries(shop):
    client = client_for(Role.MANAGER)
    client.post(COLUMNS, {"columns": [key for key in ("phone", "email", "city", "tags", "balance", "home_location")]})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    few = queries()
    for number in range(6):
        customer_factory(first_name=f"More{number}", tags=["VIP"],
                         addresses=[{"kind": "contact", "line1": "A 1", "city": "Bonn", "country": "DE"}])
    assert queries() == few
