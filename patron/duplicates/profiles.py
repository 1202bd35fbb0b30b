"""What matching looks at of a customer, normalised once: from the database (many at a time) or
from the values someone is about to save (the warnings at entry)."""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field

import jellyfish
import phonenumbers
from nicknames import NickNamer

from patron.core.normalize import (
    InvalidValue,
    email_match_key,
    fold,
    normalize_email,
    normalize_phone,
    normalize_tax_id,
)
from patron.customers.changes import CreatedRecord
from patron.customers.models import (
    Address,
    Customer,
    CustomerEmail,
    CustomerKind,
    CustomerPhone,
    CustomerStatus,
    PhoneKind,
)
from patron.customers.regions import address_country, phone_region
from patron.duplicates.rules import LEGAL_FORMS

# Placeholders (walk-ins) and records deleted by mistake are never proposed (nor should records
# merged into another be, once the merge marks them: this is the one place to say so).
COMPARED_KINDS = (CustomerKind.PERSON, CustomerKind.COMPANY)
LEFT_OUT_STATUSES = (CustomerStatus.DELETED,)
_WORD = re.compile(r"[^\w]+")
_STREET_NUMBER_SPACES = re.compile(r"\s+")


@dataclass
class Profile:
    customer_id: int | None
    kind: str
    first: str = ""  # folded
    last: str = ""
    company: str = ""  # folded company name without legal forms
    birth_date: datetime.date | None = None
    emails: set[str] = field(default_factory=set)
    mobiles: set[str] = field(default_factory=set)  # E.164 of personal numbers
    landlines: set[str] = field(default_factory=set)
    tax_id: str = ""
    postcodes: set[str] = field(default_factory=set)
    streets: set[str] = field(default_factory=set)
    home_location_id: int | None = None

    @property
    def phones(self) -> set[str]:
        return self.mobiles | self.landlines


@functools.cache
def _nick_namer() -> NickNamer:
    return NickNamer()


def nickname_group(name: str) -> frozenset[str]:
    """A first name with its nicknames and the names it is short for (Bob: Robert, Bobby, ...)."""
    namer = _nick_namer()
    return frozenset({name} | namer.canonicals_of(name) | namer.nicknames_of(name))


@functools.lru_cache(maxsize=50_000)
def phonetic(word: str) -> str:
    """Metaphone of a folded word; the word itself where metaphone has nothing (non-Latin script)."""
    return jellyfish.metaphone(word) or word if word.isascii() else word


def first_word(name: str) -> str:
    words = [word for word in _WORD.split(fold(name)) if word]
    return words[0] if words else ""


@functools.lru_cache(maxsize=100_000)  # names and streets repeat: a scan folds each many times
def folded_words(name: str) -> str:
    return " ".join(word for word in _WORD.split(fold(name)) if word)


def company_name(name: str) -> str:
    return " ".join(word for word in folded_words(name).split() if word not in LEGAL_FORMS)


def postcode_key(postcode: str) -> str:
    return re.sub(r"[\s-]", "", postcode or "").upper()


def street_key(line: str) -> str:
    """"Hauptstraße 5" and "hauptstr. 5" agree: folded, and "strasse" read as "str"."""
    words = folded_words(line).replace("strasse", "str").replace("street", "st")
    return _STREET_NUMBER_SPACES.sub(" ", words).strip()


@functools.lru_cache(maxsize=100_000)
def is_mobile(e164: str) -> bool:
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return False
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _add_phone(profile: Profile, kind: str, e164: str) -> None:
    # A company's numbers are its own; a person's home or work line is shared with others.
    personal = profile.kind == CustomerKind.COMPANY or kind == PhoneKind.MOBILE or is_mobile(e164)
    (profile.mobiles if personal else profile.landlines).add(e164)


def _named(profile: Profile, first_name: str, last_name: str, name: str) -> Profile:
    if profile.kind == CustomerKind.COMPANY:
        profile.company = company_name(name)
    else:
        profile.first, profile.last = folded_words(first_name), folded_words(last_name)
    return profile


def profiles_of(customer_ids) -> dict[int, Profile]:
    """Profiles of these customers (those matching compares), four queries for any number."""
    ids = list(customer_ids)
    profiles: dict[int, Profile] = {}
    for chunk in _chunks(ids, 5000):
        rows = (Customer.objects.filter(pk__any_of=chunk, kind__in=COMPARED_KINDS)
                .exclude(status__in=LEFT_OUT_STATUSES).order_by()
                .values_list("pk", "kind", "first_name", "last_name", "name", "birth_date", "tax_id",
                             "home_location_id"))
        for pk, kind, first_name, last_name, name, birth_date, tax_id, home in rows:
            profiles[pk] = _named(Profile(pk, kind, birth_date=birth_date, tax_id=tax_id, home_location_id=home),
                                  first_name, last_name, name)
        found = [pk for pk in chunk if pk in profiles]
        for pk, kind, e164 in CustomerPhone.objects.filter(customer_id__any_of=found).order_by().values_list(
                "customer_id", "kind", "e164"):
            _add_phone(profiles[pk], kind, e164)
        for pk, address in CustomerEmail.objects.filter(customer_id__any_of=found).order_by().values_list(
                "customer_id", "address"):
            profiles[pk].emails.add(email_match_key(address))
        for pk, postcode, line1 in Address.objects.filter(customer_id__any_of=found).order_by().values_list(
                "customer_id", "postal_code", "line1"):
            _add_address(profiles[pk], postcode, line1)
    return profiles


def profile_of_created(record: CreatedRecord) -> Profile | None:
    """The profile of a customer just created, from the record written (what ``profiles_of`` would
    read back); None for one matching leaves out."""
    customer = record.customer
    if customer.kind not in COMPARED_KINDS or customer.status in LEFT_OUT_STATUSES:
        return None
    profile = _named(Profile(customer.pk, customer.kind, birth_date=customer.birth_date, tax_id=customer.tax_id,
                             home_location_id=customer.home_location_id),
                     customer.first_name, customer.last_name, customer.name)
    for phone in record.phones:
        _add_phone(profile, phone["kind"], phone["e164"])
    for email in record.emails:
        profile.emails.add(email_match_key(email["address"]))
    for address in record.addresses:
        _add_address(profile, address.get("postal_code") or "", address.get("line1") or "")
    return profile


def _add_address(profile: Profile, postcode: str, line1: str) -> None:
    if postcode_key(postcode):
        profile.postcodes.add(postcode_key(postcode))
    if street_key(line1):
        profile.streets.add(street_key(line1))


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def profile_from_values(*, kind: str, values: dict, addresses: list[dict] | None = None,
                        customer_id: int | None = None, store_country: str = "") -> Profile:
    """The profile of values about to be saved (as a form or the API sends them). Values that do
    not read (a phone that is no phone) are left out: the save itself will say what is wrong."""
    profile = _named(Profile(customer_id, kind), values.get("first_name") or "", values.get("last_name") or "",
                     values.get("name") or "")
    birth = values.get("birth_date")
    if isinstance(birth, str):
        try:
            birth = datetime.date.fromisoformat(birth)
        except ValueError:
            birth = None
    profile.birth_date = birth if isinstance(birth, datetime.date) else None
    addresses = addresses or []
    region = phone_region(address_country(addresses), store_country)
    for phone in values.get("phones") or []:
        number, phone_kind = _phone_parts(phone)
        try:
            _add_phone(profile, phone_kind, normalize_phone(number, region))
        except InvalidValue:
            continue
    for email in values.get("emails") or []:
        address = email.get("address") if isinstance(email, dict) else email
        try:
            profile.emails.add(email_match_key(normalize_email(address or "")))
        except InvalidValue:
            continue
    if values.get("tax_id"):
        try:
            profile.tax_id = normalize_tax_id(values["tax_id"], values.get("tax_id_country") or "")[0]
        except InvalidValue:
            profile.tax_id = ""
    for address in addresses:
        _add_address(profile, address.get("postal_code") or "", address.get("line1") or "")
    return profile


def _phone_parts(phone) -> tuple[str, str]:
    if isinstance(phone, dict):
        return str(phone.get("number") or ""), str(phone.get("kind") or PhoneKind.MOBILE)
    return str(phone or ""), PhoneKind.MOBILE


def customers_by_id(ids) -> dict[int, Customer]:
    return {customer.pk: customer for customer in Customer.objects.filter(pk__in=list(ids))
            .select_related("home_location").prefetch_related("phones", "emails", "addresses")}

