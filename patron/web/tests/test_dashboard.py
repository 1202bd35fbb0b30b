"""The dashboard (issue 18): managers land on the shop's figures, each chart with its figures in
a table and on its bars; other roles land on the customers."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.customers.models import Customer, CustomerKind
from patron.customers.tests.factories import customer_factory
from patron.marketing.actions import record_consent
from patron.sales.tests.factories import line, sale_factory
from patron.web.tests.customer_support import client_for

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("web:dashboard")


def test_managers_land_on_the_dashboard_and_cashiers_on_the_customers():
    assert client_for(Role.MANAGER).get(reverse("web:home")).url == DASHBOARD
    assert client_for(Role.ADMIN).get(reverse("web:home")).url == DASHBOARD
    cashier = client_for(Role.CASHIER)
    assert cashier.get(reverse("web:home")).url == reverse("web:customer_list")
    assert cashier.get(DASHBOARD).status_code == 403
    assert "/dashboard/" not in cashier.get(reverse("web:customer_list")).content.decode()


def test_the_figures_count_what_happened_and_the_charts_carry_them():
    anna = customer_factory(first_name="Anna", last_name="Big")
    bob = customer_factory(first_name="Bob", last_name="Small")
    customer_factory(CustomerKind.PLACEHOLDER, name="Walk-in")  # no customer of flesh and blood
    old = customer_factory(first_name="Olga", last_name="Old")
    Customer.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=70))
    sale_factory(anna, lines=[line(unit_price="120.00")])
    sale_factory(anna, lines=[line(unit_price="30.00")], occurred_at=timezone.now() - datetime.timedelta(days=3))
    sale_factory(bob, lines=[line(unit_price="15.50")])
    record_consent(actor=system_actor(), customer=anna, channel="email", granted=True, source="pos")
    record_consent(actor=system_actor(), customer=bob, channel="email", granted=False, source="pos")

    page = client_for(Role.MANAGER).get(DASHBOARD).content.decode()

    assert 'id="new-this-week">2<' in page and 'id="new-this-month">2<' in page  # Olga came 70 days ago
    assert 'id="active-customers">2<' in page  # Anna and Bob bought; Olga did not
    assert 'id="revenue">$165.50<' in page
    assert "revenue of 3 sales in the last 30 days" in page
    # the revenue chart: a bar per day with its figure as a tooltip, the value axis labelled
    revenue_chart = page[page.index('id="revenue-chart"'):page.index('id="sales-chart"')]
    assert revenue_chart.count('<g class="bar">') == 30 and "$150.00</title>" not in revenue_chart  # by day
    assert re.search(r"<title>[^<]*: \$135\.50</title>", revenue_chart)  # today: 120.00 + 15.50
    assert re.search(r"<title>[^<]*: \$30\.00</title>", revenue_chart)  # three days ago
    assert re.search(r'dominant-baseline="middle">\$150\.00</text>', revenue_chart)  # the axis: 0, 50, 100, 150
    # top customers, most first, in the chart and the table
    top = page[page.index('id="top-table"'):]
    assert top.index("Anna Big") < top.index("Bob Small") and "$150.00" in top and "$15.50" in top
    consent = page[page.index('id="consent-table"'):]
    assert re.search(r"E-mail</th><td class=\"number\">1 \(33(\.3)?%\)</td><td class=\"number\">1</td>", consent)
    assert 'id="credit-off"' in page  # credit is off: the dashboard says so and where to switch it on
    assert reverse("web:settings_credit_loyalty") in page


def test_an_empty_shop_gets_a_dashboard_too():
    page = client_for(Role.ADMIN).get(DASHBOARD)
    assert page.status_code == 200
    assert "No sales in this time." in page.content.decode()
