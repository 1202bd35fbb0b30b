"""Made-up but valid values for the demo data set.

Names, streets and companies come from Faker in six locales. Phone numbers and tax IDs are built
so they pass the same checks (``patron.core.normalize``) that real input must pass. Everything is
drawn from one seeded random generator, so a seed always gives the same values.
"""

from __future__ import annotations

import datetime
import itertools
import random
import re
import string

import phonenumbers
from faker import Faker

from patron.core.normalize import InvalidValue, fold, normalize_phone, normalize_tax_id

# Faker locale -> the country its people and companies are from.
LOCALES = {"en_US": "US", "de_DE": "DE", "en_GB": "GB", "fr_FR": "FR", "it_IT": "IT", "nl_NL": "NL"}
HOME_LOCALE_WEIGHT = 6  # most customers live where the shop is; the others come from abroad

_FIXED_LINE, _MOBILE = phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE
_PHONE_TYPES = {"mobile": _MOBILE, "home": _FIXED_LINE, "work": _FIXED_LINE, "fax": _FIXED_LINE}
_ATTEMPTS = 50

# A tax ID per country: "#" is a random digit, "?" a check digit found by trying every value until
# the whole ID is valid (US: an EIN; elsewhere the VAT number with its country prefix).
_TAX_ID_TEMPLATES = {"US": "#########", "DE": "DE########?", "GB": "GB#######??", "FR": "FR??#########",
                     "IT": "IT##########?", "NL": "NL########?B01"}
_MAIL_DOMAINS = ("example.com", "example.org", "example.net")
_OLDEST_BIRTH, _YOUNGEST_BIRTH = datetime.date(1938, 1, 1), datetime.date(2006, 12, 31)


# The words a Dutch, Flemish or German name prefix is made of ("van der", "de", "von").
NAME_PREFIX_WORDS = frozenset({"van", "der", "den", "de", "het", "'t", "te", "ter", "ten", "in", "op", "von", "zu",
                               "vom", "zum"})


class DemoValues:
    """Source of every random value of one demo load."""

    def __init__(self, seed: int, home_region: str):
        self.rng = random.Random(seed)
        self.fakers = {}
        for offset, locale in enumerate(LOCALES):
            self.fakers[locale] = Faker(locale)
            self.fakers[locale].seed_instance(seed + offset)
        self.home_region = home_region.upper()
        self.home_locale = next((locale for locale, region in LOCALES.items() if region == self.home_region),
                                "en_US")

    # --- choices ----------------------------------------------------------------------------

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, options):
        return self.rng.choice(list(options))

    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def locale(self) -> str:
        weights = {locale: HOME_LOCALE_WEIGHT if locale == self.home_locale else 1 for locale in LOCALES}
        return self.weighted(weights)

    def time_ago(self, *, max_days: int) -> datetime.timedelta:
        """How long ago something happened, up to ``max_days``."""
        minutes = self.rng.randint(0, max_days * 24 * 60)
        return datetime.timedelta(minutes=minutes)

    # --- people and companies ---------------------------------------------------------------

    def person_name_with_prefix(self, locale: str) -> tuple[str, str, str]:
        """First name, name prefix and last name: Faker writes "van der Meer" as one last name."""
        first, last = self.person_name(locale)
        words = last.split()
        prefix = [word for word in words[:-1] if word.casefold() in NAME_PREFIX_WORDS]
        return (first, " ".join(prefix), " ".join(words[len(prefix):])) if len(prefix) == len(words) - 1 else (
            first, "", last)

    def person_name(self, locale: str) -> tuple[str, str]:
        faker = self.fakers[locale]
        return faker.first_name(), faker.last_name()

    def company_name(self, locale: str) -> str:
        return self.fakers[locale].company()[:200]

    def birth_date(self) -> datetime.date:
        span = (_YOUNGEST_BIRTH - _OLDEST_BIRTH).days
        return _OLDEST_BIRTH + datetime.timedelta(days=self.rng.randint(0, span))

    def email(self, first: str, last: str, domain: str | None = None) -> str:
        """first.last at the domain, or at a reserved example domain with a number now and then."""
        local = ".".join(part for part in (_slug(first), _slug(last)) if part)[:40] or "customer"
        if domain is None and self.chance(0.3):
            local += str(self.rng.randint(1, 99))
        return f"{local}@{domain or self.pick(_MAIL_DOMAINS)}"

    @staticmethod
    def company_domain(name: str) -> str:
        """A company's own mail domain, under the reserved example.com."""
        return f"{_slug(name)[:30] or 'company'}.example.com"

    def sentence(self, locale: str = "en_US") -> str:
        return self.fakers[locale].sentence(nb_words=self.rng.randint(6, 14))

    def address(self, locale: str, kind: str, label: str = "") -> dict:
        faker = self.fakers[locale]
        country = LOCALES[locale]
        return {
            "kind": kind,
            "label": label,
            "line1": faker.street_address()[:100],
            "city": faker.city()[:100],
            "region": faker.state_abbr() if country == "US" else "",
            "postal_code": _postcode(faker.postcode(), country)[:20],
            "country": country,
        }

    # --- numbers that must pass validation --------------------------------------------------

    def phone(self, region: str, kind: str, *, national: bool = False) -> str:
        """A valid number of ``region``, written as people do: nationally for the shop's own region
        (or when ``national``: a customer of a store in that country), with the international
        prefix for the others."""
        example = phonenumbers.example_number_for_type(region, _PHONE_TYPES[kind])
        significant = phonenumbers.national_significant_number(example)
        style = (phonenumbers.PhoneNumberFormat.NATIONAL if national or region == self.home_region
                 else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        kept = significant[:max(2, len(significant) // 4)]  # the start of an area or mobile prefix
        for _ in range(_ATTEMPTS):
            varied = kept + "".join(self.pick(string.digits) for _ in range(len(significant) - len(kept)))
            typed = phonenumbers.format_number(phonenumbers.parse(f"+{example.country_code}{varied}"), style)
            if _is_valid(normalize_phone, typed, region):
                return typed
        return phonenumbers.format_number(example, style)

    def tax_id(self, country: str) -> str:
        """A tax ID of ``country`` with correct check digits."""
        template = _TAX_ID_TEMPLATES[country]
        for _ in range(_ATTEMPTS * 20):
            base = "".join(self.pick(string.digits) if char == "#" else char for char in template)
            for checks in itertools.product(string.digits, repeat=template.count("?")):
                candidate = _fill_checks(base, checks)
                if _is_valid(normalize_tax_id, candidate, country):
                    return candidate
        raise RuntimeError(f"Could not make a valid tax ID for {country}")  # pragma: no cover


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(text))


def _postcode(text: str, country: str) -> str:
    """Dutch postcodes as they are written on letters ("1008 YR"); Faker leaves out the space."""
    if country == "NL" and re.fullmatch(r"\d{4}[A-Z]{2}", text):
        return f"{text[:4]} {text[4:]}"
    return text


def _fill_checks(base: str, checks: tuple[str, ...]) -> str:
    filled = iter(checks)
    return "".join(next(filled) if char == "?" else char for char in base)


def _is_valid(normalizer, *args) -> bool:
    try:
        normalizer(*args)
    except InvalidValue:
        return False
    return True
