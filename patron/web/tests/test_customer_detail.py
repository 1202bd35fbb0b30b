"""The customer page: sections, status changes, deactivate, delete, the message log, and who may
do what (T05, T09, T15, O01, O21, G13, G28)."""

import pytest
from django.test import Client
from django.urls import reverse

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.credit import actions as credit
from patron.customers import actions
from patron.customers.models import Customer, CustomerKind, CustomerStatus, Message
from patron.customers.tests.factories import customer_factory
from patron.staff.tests.factories import user_factory
from patron.web.tests.customer_support import client_for, field_error, store_state

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"
SECTIONS = ("contact-details", "addresses", "contacts", "notes", "messages", "custom-fields", "settings", "status")


def page_url(customer) -> str:
    return reverse("web:customer_detail", args=[customer.uuid])


def url(name: str, customer) -> str:
    return reverse(f"web:{name}", args=[customer.uuid])


@pytest.fixture
def cashier():
    return client_for(Role.CASHIER)


@pytest.fixture
def manager():
    return client_for(Role.MANAGER)


@pytest.fixture
def customer():
    return customer_factory(first_name="Anna", last_name="Schmidt", account_number="K-1",
                            phones=[{"kind": "mobile", "number": "202 555 0143"}], notes="Likes tea")


@pytest.mark.parametrize("kind", CustomerKind.values)
@pytest.mark.parametrize("role", list(Role))
def test_page_of_each_kind_renders_for_each_role_with_its_sections(kind, role):
    customer = customer_factory(kind)
    html = client_for(role).get(page_url(customer)).content.decode()
    assert customer.account_number in html and customer.get_kind_display() in html
    for section in SECTIONS:
        assert f'id="{section}"' in html
    assert ('id="representatives"' in html) == (kind == CustomerKind.COMPANY)
    assert ('id="audit"' in html) == (role != Role.CASHIER)


def test_unknown_customer_is_404_and_anonymous_goes_to_login(cashier, customer, client):
    assert cashier.get("/customers/01890000-0000-7000-8000-000000000000/").status_code == 404
    response = client.get(page_url(customer))
    assert response.status_code == 302 and response.url.startswith(reverse("web:login"))


def test_page_shows_contact_details_terms_settings_and_audit_changes(manager, customer, system):
    actions.update_customer(actor=system, customer=customer, values={"notes": "Likes coffee"})
    html = manager.get(page_url(customer)).content.decode()
    assert "202 555 0143" in html and "Price level A" in html and "Main store (S01)" in html
    assert "All stores" in html
    assert "customer.updated" in html and "Likes tea → Likes coffee" in html


def test_cashier_sees_no_status_delete_or_audit_controls(cashier, customer):
    html = cashier.get(page_url(customer)).content.decode()
    assert url("customer_status", customer) not in html
    assert url("customer_deactivate", customer) not in html
    assert url("customer_delete", customer) not in html
    assert 'id="audit"' not in html and "customer.created" not in html


@pytest.mark.parametrize("name, data", [
    ("customer_status", {"status": "inactive", "reason": "moved"}),
    ("customer_deactivate", {}),
    ("customer_delete", {}),
])
def test_cashier_posting_status_deactivate_or_delete_is_refused(cashier, customer, name, data):
    before = store_state()
    assert cashier.post(url(name, customer), data).status_code == 403
    assert store_state() == before


def test_manager_changes_status_with_a_reason_kept_in_the_history(manager, customer):
    response = manager.post(url("customer_status", customer), {"status": "credit_hold", "reason": "Unpaid invoice",
                                                               "version": customer.version})
    customer.refresh_from_db()
    assert response.url == page_url(customer) + "#status"
    assert customer.status == CustomerStatus.CREDIT_HOLD
    html = manager.get(page_url(customer)).content.decode()
    assert "Unpaid invoice" in html and "On credit hold" in html


def test_status_change_with_a_stale_version_is_refused_on_the_page(manager, customer, system):
    version = customer.version
    actions.update_customer(actor=system, customer=customer, values={"notes": "meanwhile"})
    before = store_state()
    response = manager.post(url("customer_status", customer), {"status": "inactive", "reason": "x",
                                                               "version": version})
    assert response.status_code == 422
    assert "changed by someone else" in response.content.decode()
    assert store_state() == before


def test_unknown_status_is_a_field_error(manager, customer):
    before = store_state()
    response = manager.post(url("customer_status", customer), {"status": "vanished"})
    assert response.status_code == 422
    assert field_error(response.content.decode(), "id_status")
    assert store_state() == before


def test_deactivate_hides_the_customer_from_the_default_list(manager, customer):
    manager.post(url("customer_deactivate", customer), {"version": customer.version})
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.INACTIVE
    listed = manager.get(reverse("web:customer_list"), {"q": "Schmidt"}).context["page"].object_list
    assert list(listed) == []
    inactive = manager.get(reverse("web:customer_list"), {"q": "Schmidt", "status": "inactive"})
    assert [found.pk for found in inactive.context["page"].object_list] == [customer.pk]


def test_delete_is_refused_with_history_and_says_to_deactivate(manager, customer, system):
    actions.log_message(actor=system, customer=customer, channel="phone", direction="inbound", body="Called")
    before = store_state()
    response = manager.post(url("customer_delete", customer), {"version": customer.version}, follow=True)
    html = response.content.decode()
    assert "has history" in html and "Deactivate" in html
    assert store_state() == before


def test_delete_without_history_removes_the_customer(manager, customer):
    response = manager.post(url("customer_delete", customer), {"version": customer.version}, follow=True)
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert "was deleted" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("web:customer_list")


def test_message_is_logged_with_channel_direction_who_and_shown_escaped(cashier, customer):
    response = cashier.post(url("customer_message_log", customer), {
        "channel": "email", "direction": "outbound", "subject": XSS, "body": f"Sent quote\n{XSS}"})
    assert response.url == page_url(customer) + "#messages"
    message = Message.objects.get()
    assert (message.channel, message.direction, message.body) == ("email", "outbound", f"Sent quote\n{XSS}")
    html = cashier.get(page_url(customer)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and XSS not in html
    assert message.author_label in html


def test_message_without_text_is_refused_and_keeps_the_input(cashier, customer):
    before = store_state()
    response = cashier.post(url("customer_message_log", customer), {"channel": "phone", "direction": "inbound",
                                                                    "subject": "", "body": ""})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Write what was said" in field_error(html, "id_body")
    assert '<option value="phone" selected>' in html
    assert (store_state(), Message.objects.count()) == (before, 0)


def test_names_and_notes_with_markup_are_shown_as_text(cashier):
    customer = customer_factory(first_name=XSS, last_name="Doe", notes=f"{XSS}\n<img src=x onerror=alert(2)>")
    html = cashier.get(page_url(customer)).content.decode()
    assert XSS not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_post_without_csrf_token_is_refused(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_factory(Role.MANAGER))
    before = store_state()
    response = client.post(url("customer_status", customer), {"status": "inactive", "reason": "x"})
    assert response.status_code == 403
    assert store_state() == before


def test_the_header_says_who_this_is_and_keeps_erasure_and_deletion_behind_more():
    """Issue 18: name, account number, status, photo, balance, points, last visit and tags at the
    top; the red buttons in a "More" menu."""
    credit.set_credit_enabled(actor=system_actor(), is_enabled=True)
    customer = customer_factory(first_name="Anna", last_name="Schmidt", tags=["VIP"])
    credit.set_credit_limit(actor=system_actor(), customer=customer, credit_limit="100.00")
    html = client_for(Role.ADMIN).get(reverse("web:customer_detail", args=[customer.uuid])).content.decode()
    head = html.split('<header class="customer-head card" id="top">')[1].split("</header>")[0]
    for shown in ("<h1>Anna Schmidt</h1>", customer.account_number, 'id="status-badge"', "photo initials",
                  'id="head-balance">$0.00', 'id="head-last-visit">None yet', "VIP"):
        assert shown in head, shown
    more = head.split('id="more-menu"')[1]
    assert "Erase personal data" in more and ">Delete<" in more
    assert "Erase personal data" not in head.split('id="more-menu"')[0]
