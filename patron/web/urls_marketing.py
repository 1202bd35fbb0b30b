"""Back-office routes of marketing consent."""

from django.urls import path

from patron.web.views import consent, segments

urlpatterns = [
    path("customers/<uuid:uuid>/consent/", consent.record_consent, name="customer_consent_record"),
    path("segments/", segments.segment_list, name="segment_list"),
    path("segments/<uuid:uuid>/edit/", segments.segment_edit, name="segment_edit"),
    path("segments/<uuid:uuid>/delete/", segments.segment_delete, name="segment_delete"),
    path("segments/<uuid:uuid>/export.<str:format_key>", segments.segment_export, name="segment_export"),
]
