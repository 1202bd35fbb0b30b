from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "patron.api"
    label = "api"
    verbose_name = "JSON API"
