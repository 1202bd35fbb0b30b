"""Every change to customer records goes through these functions (web, API, CLI and imports).

Each action checks the actor's permission, validates, writes in one transaction and appends
to the audit trail in that same transaction.
"""

from patron.customers.actions.addresses import (
    add_address,
    copy_contact_address_to_billing,
    remove_address,
    update_address,
)
from patron.customers.actions.configuration import (
    delete_price_level,
    delete_tag,
    rename_tag,
    save_custom_field,
    save_price_level,
    update_customer_settings,
)
from patron.customers.actions.contacts import (
    add_contact,
    add_representative,
    link_representative,
    remove_contact,
    unlink_representative,
    update_contact,
)
from patron.customers.actions.creation import create_customer, create_customers_in_bulk
from patron.customers.actions.messages import log_message
from patron.customers.actions.records import (
    change_status,
    deactivate_customer,
    delete_customer,
    remove_photo,
    set_photo,
    update_customer,
)

__all__ = [
    "add_address", "add_contact", "add_representative", "change_status", "copy_contact_address_to_billing",
    "create_customer", "create_customers_in_bulk", "deactivate_customer", "delete_customer",
    "delete_price_level", "delete_tag",
    "link_representative", "log_message", "remove_address", "remove_contact", "remove_photo", "rename_tag",
    "save_custom_field", "save_price_level", "set_photo", "unlink_representative", "update_address",
    "update_contact", "update_customer", "update_customer_settings",
]
