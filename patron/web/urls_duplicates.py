"""Back-office URLs of the duplicates pages."""

from django.urls import path

from patron.web.views import duplicates

urlpatterns = [
    path("duplicates/", duplicates.duplicate_queue, name="duplicate_queue"),
    path("duplicates/<int:pair_id>/not-same/", duplicates.duplicate_not_same, name="duplicate_not_same"),
    path("customers/new/<str:kind>/did-you-mean/", duplicates.duplicate_live_check, name="duplicate_live_check"),
]
