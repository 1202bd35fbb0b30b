"""Customer pages of the back office (names are used as web:<name>)."""

from django.urls import path

from patron.web.views import customer_detail, customer_parts, customers, dashboard, imports, photos, privacy

_ONE = "customers/<uuid:uuid>/"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/export.<str:format_key>", customers.customer_export, name="customer_export"),
    path("customers/bulk/", customers.customer_bulk, name="customer_bulk"),
    path("customers/columns/", customers.customer_columns, name="customer_columns"),
    path("customers/import/", imports.import_start, name="import_start"),
    path("customers/import/<int:pk>/", imports.import_job, name="import_job"),
    path("customers/import/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("customers/import/<int:pk>/run/", imports.import_run, name="import_run"),
    path("customers/import/<int:pk>/rollback/", imports.import_rollback, name="import_rollback"),
    path("customers/new/", customers.customer_new, name="customer_new"),
    path("customers/new/<str:kind>/", customers.customer_create, name="customer_create"),
    path(_ONE, customer_detail.customer_page, name="customer_detail"),
    path(_ONE + "edit/", customers.customer_edit, name="customer_edit"),
    path(_ONE + "quick/<str:field>/", customers.customer_quick_edit, name="customer_quick_edit"),
    path(_ONE + "status/", customer_detail.customer_status, name="customer_status"),
    path(_ONE + "deactivate/", customer_detail.customer_deactivate, name="customer_deactivate"),
    path(_ONE + "delete/", customer_detail.customer_delete, name="customer_delete"),
    path(_ONE + "messages/", customer_detail.customer_message_log, name="customer_message_log"),
    path(_ONE + "privacy-export/", privacy.customer_privacy_export, name="customer_privacy_export"),
    path(_ONE + "erase/", privacy.customer_erase, name="customer_erase"),
    path(_ONE + "photo/", photos.photo, name="customer_photo"),
    path(_ONE + "photo/upload/", photos.photo_upload, name="customer_photo_upload"),
    path(_ONE + "photo/remove/", photos.photo_remove, name="customer_photo_remove"),
    path(_ONE + "addresses/new/", customer_parts.address_add, name="customer_address_add"),
    path(_ONE + "addresses/copy-to-billing/", customer_parts.address_copy_to_billing,
         name="customer_address_copy_to_billing"),
    path(_ONE + "addresses/<uuid:address_uuid>/", customer_parts.address_edit, name="customer_address_edit"),
    path(_ONE + "addresses/<uuid:address_uuid>/remove/", customer_parts.address_remove,
         name="customer_address_remove"),
    path(_ONE + "contacts/new/", customer_parts.contact_add, name="customer_contact_add"),
    path(_ONE + "contacts/<uuid:contact_uuid>/", customer_parts.contact_edit, name="customer_contact_edit"),
    path(_ONE + "contacts/<uuid:contact_uuid>/active/", customer_parts.contact_set_active,
         name="customer_contact_set_active"),
    path(_ONE + "representatives/new/", customer_parts.representative_add, name="customer_representative_add"),
    path(_ONE + "representatives/link/", customer_parts.representative_link, name="customer_representative_link"),
    path(_ONE + "representatives/<uuid:person_uuid>/unlink/", customer_parts.representative_unlink,
         name="customer_representative_unlink"),
]
