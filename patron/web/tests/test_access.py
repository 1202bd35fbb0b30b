"""Every back-office URL, as every role and anonymously, against docs/permissions.md.

The routes come from Django's URL resolver, so a new page is covered as soon as it has a URL;
one whose view declares no access (``requires``, ``signed_in`` or ``public`` in
``patron.web.views.access``) fails here. Each path parameter is filled with a real record made
through the actions. A role the matrix allows gets the page (200), its usual redirect, or 405
for a button that only takes POST; a role it refuses gets the 403 page for GET and POST alike,
and nothing changes; an anonymous visitor is sent to the login page. Links, forms and htmx
requests on every page a role opens point only at pages that role may use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from io import BytesIO
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from PIL import Image

from patron.channels.actions import create_channel
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.customers import actions
from patron.customers.models import CustomerKind
from patron.customers.tests.factories import customer_factory
from patron.duplicates.models import DuplicatePair
from patron.events.actions import create_subscription
from patron.locations.models import Location, LocationGroup
from patron.locations.queries import default_location
from patron.marketing.actions import create_segment
from patron.merging.actions import merge_customers
from patron.sales.actions import record_order
from patron.sales.tests.factories import sale_factory
from patron.staff.tests.factories import token_factory, user_factory
from patron.transfer.imports import jobs
from patron.web.tests.money_support import switch_credit_on
from patron.web.views.access import Access

pytestmark = pytest.mark.django_db
LOGIN = reverse("web:login")
# The only routes outside the back office and the API: probes for load balancers (open, telling
# nothing about the data) and the metrics (for allowed addresses or a token; patron/ops/tests).
OPERATIONS = {"/healthz": "ops:healthz", "/readyz": "ops:readyz", "/metrics": "ops:metrics"}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    view: object
    parameters: tuple[str, ...]


def _routes(patterns, prefix: str = "", namespace: str | None = None) -> list[Route]:
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "api-v1":
                continue  # the API's operations declare theirs; patron/api/tests/test_permissions.py
            if pattern.namespace == "ops":
                operations = {"/" + route + str(p.pattern): f"ops:{p.name}" for p in pattern.url_patterns}
                assert operations == OPERATIONS, "only the probes and the metrics are outside the back office"
                continue
            found += _routes(pattern.url_patterns, route, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            assert namespace == "web" and pattern.name, f"{route}: a back-office route needs a web: name"
            found.append(Route(pattern.name, route, pattern.callback, tuple(pattern.pattern.converters)))
    return found


ROUTES = _routes(get_resolver().url_patterns)


def _png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (32, 24), "navy").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def records(system, settings, tmp_path):
    """One record of every kind a back-office URL names, made through the actions."""
    settings.PATRON_IMPORTS_DIR = tmp_path / "imports"
    switch_credit_on()
    company = customer_factory(CustomerKind.COMPANY, name="Mug Shop", tags=["VIP"],
                               addresses=[{"kind": "contact", "line1": "1 Main St"}])
    credit.set_credit_limit(actor=system, customer=company, credit_limit="100.00")
    person = customer_factory(first_name="Rita", last_name="Rep")
    actions.link_representative(actor=system, company=company, person=person)
    contact = actions.add_contact(actor=system, customer=company, values={"last_name": "Clerk"})
    actions.set_photo(actor=system, customer=company, data=_png())
    actions.save_custom_field(actor=system, key="shoe_size", label="Shoe size", field_type="number")
    source = tmp_path / "customers.csv"
    source.write_text("Last name\nImported\n")
    records = SimpleNamespace(
        customer=company, address=company.addresses.get(), contact=contact, person=person,
        entry=credit.post_charge(actor=system, customer=company, amount=Decimal("10.00")),
        order=record_order(actor=system, customer=company, source="till-1", number="WO-1", kind="work_order",
                           location=default_location(), amount_due="5.00"),
        sale=sale_factory(company),
        segment=create_segment(actor=system, values={"name": "Everyone"}),
        job=jobs.create_job(actor=system, source=str(source), file_name=source.name),
        location=Location.objects.get(code="S01"),
        group=LocationGroup.objects.get(is_default=True),
        user=user_factory(Role.CASHIER, username="carl"),
        token=token_factory(name="Till 1")[0],
        channel=create_channel(actor=system, code="shop", name="Webshop")[0],
        subscription=create_subscription(actor=system, url="https://pos.example.com/hooks")[0],
        merge=merge_customers(actor=system, survivor=customer_factory(last_name="Kept"),
                              others=[customer_factory(last_name="Merged")]),
        pair=DuplicatePair.objects.create(first=company, second=person, score=0.9, reasons=",same_phone,"),
    )
    records.customer.refresh_from_db()
    return records


# The record a ``uuid`` parameter names, by the start of the route.
_UUID_BY_PREFIX = [("customers/", "customer"), ("sales/", "sale"), ("till/sales/", "sale"), ("segments/", "segment"),
                   ("settings/locations/", "location"), ("settings/location-groups/", "group"), ("merges/", "merge"),
                   ("settings/webhooks/", "subscription")]


def _argument(route: Route, parameter: str, records) -> object:
    plain = {"address_uuid": records.address.uuid, "contact_uuid": records.contact.uuid,
             "person_uuid": records.person.uuid, "entry_uuid": records.entry.uuid, "order_uuid": records.order.uuid,
             "format_key": "csv", "kind": "person", "field": "name", "pk": records.job.pk, "index": 0,
             "name": "VIP", "key": "shoe_size", "username": records.user.username, "prefix": records.token.prefix,
             "pair_id": records.pair.pk, "delivery_id": _delivery(records).pk}
    if parameter in plain:
        return plain[parameter]
    if parameter == "uuid":
        for prefix, record in _UUID_BY_PREFIX:
            if route.route.startswith(prefix):
                return getattr(records, record).uuid
    if parameter == "code":
        return records.channel.code if route.route.startswith("settings/channels/") else "A"
    raise AssertionError(f"{route.name}: say in test_access._argument which record fills <{parameter}>")


def _delivery(records):
    """A delivery of an event to the subscription (the customer made after it subscribed)."""
    if not records.subscription.deliveries.exists():
        customer_factory(last_name="Announced")
    return records.subscription.deliveries.first()


def _url(route: Route, records) -> str:
    return reverse(f"web:{route.name}", kwargs={p: _argument(route, p, records) for p in route.parameters})


def _client(role: str | None) -> Client:
    client = Client()
    if role is not None:
        client.force_login(user_factory(role))
    return client


def _state() -> int:
    """A refused request records nothing (every action appends to the append-only audit trail)."""
    return AuditEvent.objects.count()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _is_login_redirect(response, url: str) -> bool:
    """Sent to the login page, which brings the visitor back to ``url`` afterwards."""
    return response.status_code == 302 and response["Location"] == f"{LOGIN}?next={quote(url, safe='/')}"


def _answered(response) -> bool:
    """The page, its usual redirect (not to the login page), or 405 from a button taking only POST."""
    if response.status_code == 200:
        return True
    if response.status_code == 302:
        return not response["Location"].startswith(LOGIN)
    return response.status_code == 405 and "GET" not in response["Allow"]


_TARGETS = re.compile(r'\s(?:href|action|hx-get|hx-post)="([^"]*)"')


def _unusable_targets(html: str, role: str) -> list[str]:
    """Back-office URLs on the page that the role may not open."""
    refused = []
    for target in {unescape(value) for value in _TARGETS.findall(html)}:
        path = urlsplit(target).path
        if not path.startswith("/") or path.startswith(("/static/", "/api/")):
            continue
        try:
            view = resolve(path).func
        except Resolver404:
            continue
        access = getattr(view, "access", None)  # an undeclared view fails the tests below on its own
        if access is not None and not access.allows(role):
            refused.append(path)
    return sorted(refused)


def test_every_route_declares_its_access():
    undeclared = [route.name for route in ROUTES if not hasattr(route.view, "access")]
    assert len(ROUTES) > 80
    assert undeclared == []


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_the_pages_the_matrix_allows(role, records):
    client = _client(role)
    wrong = []
    for route in ROUTES:
        url = _url(route, records)
        access = getattr(route.view, "access", None)
        if access is None:
            wrong.append((route.name, "declares no access"))
            continue
        before = _state()
        response = client.get(url)
        body = _body(response)
        if access.allows(role):
            if not _answered(response):
                wrong.append((route.name, "GET", response.status_code))
            elif response["Content-Type"].startswith("text/html") and (
                    hidden := _unusable_targets(body.decode(), role)):
                wrong.append((route.name, "links to", hidden))
            continue
        post = client.post(url, {})
        _body(post)
        for method, answer in (("GET", response), ("POST", post)):
            if answer.status_code != 403 or "403.html" not in [t.name for t in answer.templates]:
                wrong.append((route.name, method, answer.status_code))
        if _state() != before:
            wrong.append((route.name, "changed", _state()))
    assert wrong == []


def test_anonymous_visitors_are_sent_to_log_in_and_change_nothing(records):
    client = _client(None)
    wrong = []
    for route in ROUTES:
        if not getattr(route.view, "access", Access()).signed_in:
            continue
        url = _url(route, records)
        before = _state()
        for method in (client.get, client.post):
            response = method(url)
            if not _is_login_redirect(response, url):
                wrong.append((route.name, method.__name__, response.status_code))
        if _state() != before:
            wrong.append((route.name, "changed"))
    assert wrong == []


def test_the_login_page_is_the_only_page_open_to_everyone():
    open_to_all = [route.name for route in ROUTES if not getattr(route.view, "access", Access()).signed_in]
    assert sorted(open_to_all) == ["login", "logout"]
    assert Client().get(LOGIN).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_the_probes_are_open_and_tell_nothing_about_the_data(path):
    response = Client().get(path)
    assert response.status_code == 200
    assert set(response.json()) <= {"status", "checks"}


def test_the_metrics_are_refused_to_an_address_not_allowed(settings):
    settings.PATRON_METRICS_ALLOWED = ["127.0.0.1"]
    settings.PATRON_METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="203.0.113.5").get("/metrics").status_code == 403


def test_a_refusal_is_a_page_that_says_why():
    response = _client(Role.CASHIER).get(reverse("web:settings_tokens"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in page and "(Cashier)" in page and "staff.manage" in page
    assert 'href="/customers/"' in page  # the navigation stays, so the cashier can go on
