"""How a private person's name is put together from its parts: the one place the back office, the
API, imports, the lookup index and the till's cache take it from."""

from __future__ import annotations

from collections.abc import Mapping

# The parts of a person's name in the order it is written: "Jan" "van der" "Berg".
PERSON_NAME_PARTS = ("first_name", "name_prefix", "last_name")


def person_name(parts: Mapping[str, str | None]) -> str:
    """The display name of a person's name parts (a cleaned row, a feed record): "Jan van der Berg"."""
    return " ".join(part for part in (parts.get(name) or "" for name in PERSON_NAME_PARTS) if part)


def name_parts(customer) -> dict[str, str]:
    """The name parts of a customer record."""
    return {name: getattr(customer, name) for name in PERSON_NAME_PARTS}
