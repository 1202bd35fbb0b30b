from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "patron.sales"
    label = "sales"
    verbose_name = "Sales and orders"

    def ready(self):
        from patron.sales import history  # noqa: F401  registers sales and orders as customer history
