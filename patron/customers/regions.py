"""Which country a national phone number, or a tax ID without a country prefix, is read in.

The one rule, used at every door (back office, API, till lookup, imports, webshop channels): the
country of the customer's address, else the country of the store where the number is typed, else
the installation's default (``PATRON_PHONE_REGION``). An explicit "+" or international prefix
always wins: phonenumbers reads such a number as it says, whatever region it is given.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from patron.core.normalize import InvalidValue, normalize_country
from patron.locations.models import Location
from patron.locations.queries import default_location

# The address whose country counts, when a customer has several.
_ADDRESS_ORDER = ("contact", "billing", "shipping")


def phone_region(address_country: str = "", store_country: str = "") -> str:
    """The ISO country code national numbers are read in (see the module's rule)."""
    return (address_country or store_country or settings.PATRON_PHONE_REGION).upper()


def address_country(addresses: Iterable) -> str:
    """The country of a customer's addresses (dicts as the actions take them, or ``Address``
    rows): the contact address's, else the billing one's, else any; "" when none names one. A
    country the rules would refuse counts as none (the address's own check reports it)."""
    countries: dict[str, str] = {}
    for address in addresses:
        kind, raw = (address.get("kind", ""), address.get("country", "")) if isinstance(address, dict) else (
            address.kind, address.country)
        try:
            country = normalize_country(raw or "")
        except InvalidValue:
            country = ""
        if country:
            countries.setdefault(kind or "", country)
    return next((countries[kind] for kind in _ADDRESS_ORDER if kind in countries), next(iter(countries.values()), ""))


def store_country(location_id: int | None) -> str:
    """The country in force at the store where something is typed: the acting user's or token's
    store, else the store customers are homed at by default (an admin without a store, the CLI)."""
    location = Location.objects.filter(pk=location_id).first() if location_id else None
    location = location or default_location()
    return location.effective_country if location is not None else ""
