from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "patron.marketing"
    label = "marketing"
    verbose_name = "Newsletter consent and segments"
