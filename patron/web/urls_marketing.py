"""Back-office routes of marketing consent."""

from django.urls import path

from patron.web.views import consent

urlpatterns = [
    path("customers/<uuid:uuid>/consent/", consent.record_consent, name="customer_consent_record"),
]
