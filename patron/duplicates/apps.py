from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "patron.duplicates"
    label = "duplicates"
    verbose_name = "Duplicate customers"
