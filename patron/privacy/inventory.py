"""The data inventory: how every stored field of every Patron app is classified.

Each app declares its fields in ``patron/<app>/inventory.py`` as ``FIELDS = {"Model.field": class}``;
this module gathers them by app label (the privacy app is the top domain layer, so it may reach
every app). The classes drive the subject-access export and the erasure:

- ``personal``: data about the person. Exported on request; removed or blanked on erasure.
- ``financial-record``: the shop's books (amounts, dates, stores, sale numbers, the anonymous
  customer key). Exported on request; kept through an erasure for the retention the law asks.
- ``operational``: the shop's own bookkeeping (keys, versions, staff names, settings, indexes).
  Neither exported nor erased.

A test (P0) fails when a stored field has no class, or a class names a field that is gone.
"""

from __future__ import annotations

import importlib
from functools import cache

from django.apps import apps
from django.db import models

PERSONAL = "personal"
FINANCIAL_RECORD = "financial-record"
OPERATIONAL = "operational"
CLASSES = (PERSONAL, FINANCIAL_RECORD, OPERATIONAL)

FIELDS = {
    "PrivacyRequest.id": OPERATIONAL,
    "PrivacyRequest.uuid": OPERATIONAL,
    "PrivacyRequest.kind": OPERATIONAL,
    "PrivacyRequest.customer": OPERATIONAL,
    "PrivacyRequest.customer_uuid": OPERATIONAL,
    "PrivacyRequest.status": OPERATIONAL,
    # Why the request was made and what it waits for: written without the person's data.
    "PrivacyRequest.reason": OPERATIONAL,
    "PrivacyRequest.waiting_for": OPERATIONAL,
    "PrivacyRequest.requested_by": OPERATIONAL,
    "PrivacyRequest.received_at": OPERATIONAL,
    "PrivacyRequest.completed_at": OPERATIONAL,
}


def patron_app_configs():
    return [config for config in apps.get_app_configs() if config.name.startswith("patron.")]


def declared_fields(config) -> dict[str, str]:
    """The ``FIELDS`` of one app's inventory module ({} when the app has none)."""
    try:
        module = importlib.import_module(f"{config.name}.inventory")
    except ModuleNotFoundError as error:
        if error.name != f"{config.name}.inventory":
            raise
        return {}
    return dict(getattr(module, "FIELDS", {}))


@cache
def classification() -> dict[str, str]:
    """Every declared class, keyed "<app label>.<Model>.<field>"."""
    return {f"{config.label}.{key}": value
            for config in patron_app_configs() for key, value in declared_fields(config).items()}


def stored_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a model stores: columns (foreign keys included) and its own many-to-many sets."""
    return [field for field in model._meta.get_fields()
            if (field.concrete and not field.auto_created) or (field.concrete and field.primary_key)
            or (field.many_to_many and not field.auto_created)]


def stored_models() -> list[type[models.Model]]:
    """Every concrete model of the Patron apps (Django's own tables are not ours to classify)."""
    return [model for config in patron_app_configs() for model in config.get_models()
            if not model._meta.abstract and not model._meta.proxy]


def key_of(model: type[models.Model], field: models.Field) -> str:
    return f"{model._meta.app_label}.{model.__name__}.{field.name}"


def class_of(model: type[models.Model], field: models.Field) -> str | None:
    return classification().get(key_of(model, field))


def fields_of_class(model: type[models.Model], *classes: str) -> list[models.Field]:
    return [field for field in stored_fields(model) if class_of(model, field) in classes]


def unclassified() -> list[str]:
    """Stored fields without a class (or with a class that is not one of the three)."""
    return [key_of(model, field) for model in stored_models() for field in stored_fields(model)
            if class_of(model, field) not in CLASSES]


def stale_entries() -> list[str]:
    """Classes naming a model or field that does not exist (any more)."""
    existing = {key_of(model, field) for model in stored_models() for field in stored_fields(model)}
    return sorted(set(classification()) - existing)
