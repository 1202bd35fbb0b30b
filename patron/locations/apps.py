from django.apps import AppConfig


class LocationsConfig(AppConfig):
    name = "patron.locations"
    label = "locations"
