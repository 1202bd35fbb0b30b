"""The customer page's Consent section: the current answers, the history, and recording one."""

import pytest
from django.urls import reverse

from patron.core.permissions import Role
from patron.customers.tests.factories import customer_factory
from patron.marketing.models import ConsentEvent
from patron.marketing.queries import latest_consents
from patron.web.tests.customer_support import client_for

pytestmark = pytest.mark.django_db


def _record_url(customer) -> str:
    return reverse("web:customer_consent_record", args=[customer.uuid])


def _page(client, customer) -> str:
    return client.get(reverse("web:customer_detail", args=[customer.uuid])).content.decode()


def test_a_cashier_records_consent_and_sees_it_in_the_history():
    cashier, customer = client_for(Role.CASHIER), customer_factory()
    assert "Never asked" in _page(cashier, customer)
    response = cashier.post(_record_url(customer), {"consent-channel": "email", "consent-answer": "granted",
                                                    "consent-source": "pos", "consent-proof": "Form 17"})
    assert response.status_code == 302 and response["Location"].endswith("#consent")
    event = latest_consents([customer.pk])[customer.pk]["email"]
    assert event.granted and event.source == "pos" and event.proof == "Form 17"
    html = _page(cashier, customer)
    assert "E-mail consent: granted." in html and "Form 17" in html
    cashier.post(_record_url(customer), {"consent-channel": "email", "consent-answer": "withdrawn",
                                         "consent-source": "back_office"})
    assert latest_consents([customer.pk])[customer.pk]["email"].granted is False
    assert ConsentEvent.objects.count() == 2


def test_a_refused_form_comes_back_with_its_errors_and_records_nothing():
    cashier, customer = client_for(Role.CASHIER), customer_factory()
    response = cashier.post(_record_url(customer), {"consent-channel": "fax", "consent-answer": "granted",
                                                    "consent-source": "pos", "consent-proof": "x" * 501})
    assert response.status_code == 422 and 'id="consent"' in response.content.decode()
    assert not ConsentEvent.objects.exists()
