from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "patron.staff"
    label = "staff"
    verbose_name = "Staff and API clients"
