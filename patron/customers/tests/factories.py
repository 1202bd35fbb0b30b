"""Customers for tests, made through the same actions the product uses."""

from __future__ import annotations

from faker import Faker

from patron.core.actors import Actor, system_actor
from patron.customers import actions
from patron.customers.models import Customer, CustomerKind

fake = Faker("en_US")
Faker.seed(2026)


def customer_factory(kind: str = CustomerKind.PERSON, *, actor: Actor | None = None, status: str | None = None,
                     addresses: list[dict] | None = None, **values) -> Customer:
    """A customer of ``kind``; values not given get realistic made-up ones."""
    if kind == CustomerKind.PERSON:
        values.setdefault("first_name", fake.first_name())
        values.setdefault("last_name", fake.last_name())
    else:
        values.setdefault("name", fake.company() if kind == CustomerKind.COMPANY else "Walk-in")
    return actions.create_customer(actor=actor or system_actor(), kind=kind, values=values, status=status,
                                   addresses=addresses)
