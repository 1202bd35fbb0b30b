from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "patron.customers"
    label = "customers"

    def ready(self):
        from patron.customers.changes import record_changes_of_groups
        from patron.locations.actions import GROUP_REACH_LISTENERS

        if record_changes_of_groups not in GROUP_REACH_LISTENERS:
            GROUP_REACH_LISTENERS.append(record_changes_of_groups)
