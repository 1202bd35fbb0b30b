"""Which rows of any table belong to one customer, found from the models themselves.

A row belongs to a customer when a chain of foreign keys leads from it to the customer (a phone
by ``customer``, a ledger entry by ``account__customer``, a sale line by ``sale__customer``), or
when it names the customer by uuid in a ``customer_uuid`` column (the audit trail, the change
feed). So a table another app adds later is exported and erased without changes here.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.db import models
from django.db.models import Q

MAX_DEPTH = 3
UUID_COLUMN = "customer_uuid"


def customer_model() -> type[models.Model]:
    return apps.get_model("customers", "Customer")


@cache
def customer_paths(model: type[models.Model]) -> list[str]:
    """ORM lookups from ``model`` to a customer: "pk" for the customer itself, foreign-key chains
    ("account__customer"), or "customer_uuid"."""
    target = customer_model()
    if model is target:
        return ["pk"]
    paths = []
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    for _depth in range(MAX_DEPTH):
        following = []
        for current, prefix in frontier:
            for field in current._meta.concrete_fields:
                # Chains through the same model (a return's original sale) lead to other rows' owners.
                if not field.is_relation or field.related_model in (current, model):
                    continue
                path = f"{prefix}{field.name}"
                if field.related_model is target:
                    paths.append(path)
                elif field.related_model._meta.app_label != "staff":  # staff and tokens are no way to a customer
                    following.append((field.related_model, f"{path}__"))
        frontier = following
    if not paths and any(field.name == UUID_COLUMN for field in model._meta.concrete_fields):
        paths.append(UUID_COLUMN)
    return paths


def belongs_to(model: type[models.Model], customer) -> Q:
    """A filter for the rows of ``model`` that belong to ``customer``."""
    condition = Q(pk__in=[])
    for path in customer_paths(model):
        condition |= Q(**{path: customer.uuid}) if path == UUID_COLUMN else Q(**{path: customer.pk})
    return condition


def rows_of(model: type[models.Model], customer):
    return model._default_manager.filter(belongs_to(model, customer)).order_by("pk")


def customer_models() -> list[type[models.Model]]:
    """Every Patron model holding rows that may belong to a customer, the customer first."""
    from patron.privacy.inventory import stored_models

    found = [model for model in stored_models() if customer_paths(model)]
    return sorted(found, key=lambda model: (model is not customer_model(), model._meta.label))
