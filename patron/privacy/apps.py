from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "patron.privacy"
    label = "privacy"
    verbose_name = "Privacy duties"
