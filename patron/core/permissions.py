"""Roles and what each may do: the single permission matrix for the web UI, the API and the CLI.

docs/permissions.md shows the same matrix as a table, and a test checks that the two agree and
that every cell is enforced. Actions call ``require`` so a rule holds whichever door a request
comes through; interfaces call ``allows`` to hide what the user may not use.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patron.core.errors import PermissionDenied


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    CASHIER = "cashier", _("Cashier")


_ALL = frozenset(Role)
_MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})
_ADMINS = frozenset({Role.ADMIN})

# permission -> (roles that have it, what it lets them do)
PERMISSIONS: dict[str, tuple[frozenset[Role], str]] = {
    "customers.view": (_ALL, "Find and view customers, their contacts, addresses and messages"),
    "customers.create": (_ALL, "Create customers of every kind, and representatives"),
    "customers.edit": (_ALL, "Edit names, phones, e-mails, addresses, contacts, notes, tags, photo"),
    "customers.edit_terms": (_MANAGERS, "Set price level, default discount, tax exemption, employee flag"),
    "customers.change_status": (_MANAGERS, "Change status: deactivate, hold for credit, reactivate"),
    "customers.delete": (_MANAGERS, "Delete a customer that has no history"),
    "customers.view_audit": (_MANAGERS, "See the audit trail of a customer"),
    "customers.export": (_MANAGERS, "Export customer lists (CSV, XLSX, vCard, JSON)"),
    "customers.import": (_MANAGERS, "Import customers from CSV or XLSX files, and roll an import back"),
    "customers.merge": (_MANAGERS, "Merge duplicate customers into one, and undo a merge within its window"),
    "duplicates.review": (_MANAGERS, "See likely duplicate customers and mark pairs as not the same"),
    "consent.record": (_ALL, "Record a customer's marketing consent or its withdrawal"),
    "segments.manage": (_MANAGERS, "See and define customer segments, and run the newsletter sync"),
    "privacy.manage": (_ADMINS, "Export all of a customer's data (subject access) and erase customers"),
    "messages.log": (_ALL, "Log a message (call, e-mail, visit) on a customer"),
    "sales.view": (_ALL, "See purchase history, sales and orders"),
    "sales.record": (_ALL, "Record sales and returns (at the till or from a webshop)"),
    "sales.email_receipt": (_ALL, "E-mail the receipt or invoice of a sale to the customer"),
    "orders.record": (_ALL, "Record and update work orders, backorders, special orders, layaways"),
    "credit.view": (_ALL, "See credit balances, limits, statements and aging"),
    "credit.charge": (_ALL, "Sell on account (within the limit) and refund returns to the account"),
    "credit.record_payment": (_ALL, "Record a payment towards a credit account"),
    "credit.adjust": (_MANAGERS, "Post manual adjustments to a credit account"),
    "credit.reverse": (_MANAGERS, "Reverse a credit entry"),
    "credit.set_limit": (_MANAGERS, "Give a customer credit or change the credit limit"),
    "credit.view_overdue": (_MANAGERS, "See the overdue accounts list for follow-up"),
    "dashboard.view": (_MANAGERS, "See the dashboard: new and active customers, revenue, overdue, top customers"),
    "loyalty.view": (_ALL, "See points balances and history"),
    "loyalty.adjust": (_MANAGERS, "Adjust a customer's points by hand"),
    "locations.view": (_ALL, "List locations and location groups"),
    "locations.manage": (_ADMINS, "Create and change locations and location groups"),
    "settings.manage": (_ADMINS, "Change shop settings: account numbers, price levels, custom fields, tags"),
    "channels.manage": (_ADMINS, "Configure webshop channels and their signing secrets"),
    "webhooks.manage": (_ADMINS, "Configure webhook subscriptions, see their delivery log, send deliveries again"),
    "staff.manage": (_ADMINS, "Create staff users and API tokens, change roles, revoke tokens"),
}


def allows(role: str | None, permission: str) -> bool:
    """Whether a role has a permission; unknown permissions are refused (default deny)."""
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")
    return role in PERMISSIONS[permission][0]


def require(actor, permission: str) -> None:
    """Raise ``PermissionDenied`` unless the actor's role has the permission."""
    if not allows(getattr(actor, "role", None), permission):
        raise PermissionDenied(gettext("Your role may not do this (%(permission)s).") % {
            "permission": permission}, code="permission-denied")
