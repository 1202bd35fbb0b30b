"""Back-office URLs of the merging pages."""

from django.urls import path

from patron.web.views import merging

urlpatterns = [
    path("customers/<uuid:uuid>/merge/", merging.customer_merge, name="customer_merge"),
    path("merges/<uuid:uuid>/", merging.merge_detail, name="merge_detail"),
    path("merges/<uuid:uuid>/undo/", merging.merge_undo, name="merge_undo"),
]
