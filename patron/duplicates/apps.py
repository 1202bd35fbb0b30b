from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "patron.duplicates"
    label = "duplicates"
    verbose_name = "Duplicate customers"

    def ready(self):
        from patron.customers.changes import CUSTOMER_CHANGE_LISTENERS
        from patron.duplicates.keys import refresh_keys

        if refresh_keys not in CUSTOMER_CHANGE_LISTENERS:
            CUSTOMER_CHANGE_LISTENERS.append(refresh_keys)
