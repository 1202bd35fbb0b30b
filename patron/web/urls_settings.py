"""Settings URLs. Records without a public uuid (price levels, tags, users) are named by their
code, name or username, last in the path so any character they hold still routes."""

from django.urls import path

from patron.web.views import settings, settings_channels, settings_locations, settings_staff

urlpatterns = [
    path("settings/", settings.index, name="settings"),
    path("settings/customers/", settings.customer_settings, name="settings_customers"),
    path("settings/price-levels/", settings.price_levels, name="settings_price_levels"),
    path("settings/price-levels/new/", settings.price_level_edit, name="settings_price_level_add"),
    path("settings/price-levels/edit/<path:code>", settings.price_level_edit,
         name="settings_price_level_edit"),
    path("settings/price-levels/delete/<path:code>", settings.price_level_delete,
         name="settings_price_level_delete"),
    path("settings/tags/", settings.tags, name="settings_tags"),
    path("settings/tags/rename/<path:name>", settings.tag_rename, name="settings_tag_rename"),
    path("settings/tags/delete/<path:name>", settings.tag_delete, name="settings_tag_delete"),
    path("settings/custom-fields/", settings.custom_fields, name="settings_custom_fields"),
    path("settings/custom-fields/new/", settings.custom_field_edit, name="settings_custom_field_add"),
    path("settings/custom-fields/<slug:key>/", settings.custom_field_edit, name="settings_custom_field_edit"),
    path("settings/locations/", settings_locations.locations, name="settings_locations"),
    path("settings/locations/new/", settings_locations.location_edit, name="settings_location_add"),
    path("settings/locations/<uuid:uuid>/", settings_locations.location_edit, name="settings_location_edit"),
    path("settings/location-groups/new/", settings_locations.group_edit, name="settings_location_group_add"),
    path("settings/location-groups/<uuid:uuid>/", settings_locations.group_edit,
         name="settings_location_group_edit"),
    path("settings/staff/", settings_staff.staff, name="settings_staff"),
    path("settings/staff/new/", settings_staff.user_create, name="settings_user_add"),
    path("settings/staff/user/<path:username>", settings_staff.user_detail, name="settings_user"),
    path("settings/staff/role/<path:username>", settings_staff.user_role, name="settings_user_role"),
    path("settings/staff/password/<path:username>", settings_staff.user_password,
         name="settings_user_password"),
    path("settings/staff/deactivate/<path:username>", settings_staff.user_deactivate,
         name="settings_user_deactivate"),
    path("settings/staff/reactivate/<path:username>", settings_staff.user_reactivate,
         name="settings_user_reactivate"),
    path("settings/tokens/", settings_staff.tokens, name="settings_tokens"),
    path("settings/tokens/new/", settings_staff.token_create, name="settings_token_add"),
    path("settings/tokens/revoke/<str:prefix>/", settings_staff.token_revoke, name="settings_token_revoke"),
    path("settings/channels/", settings_channels.channels, name="settings_channels"),
    path("settings/channels/new/", settings_channels.channel_create, name="settings_channel_add"),
    path("settings/channels/rotate/<slug:code>/", settings_channels.channel_rotate, name="settings_channel_rotate"),
    path("settings/channels/deactivate/<slug:code>/", settings_channels.channel_deactivate,
         name="settings_channel_deactivate"),
    path("settings/channels/reactivate/<slug:code>/", settings_channels.channel_reactivate,
         name="settings_channel_reactivate"),
]
