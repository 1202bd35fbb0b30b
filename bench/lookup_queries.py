"""What a cashier types, made from a known customer: the query types of ``make bench-lookup``.

Pure functions (no database): ``bench.lookup_data queries`` draws customers at random with a
seed, asks each type for a query built from one of them, and keeps it as *identifying* when the
data says it finds that customer alone (see ``QueryType.identifying``).
"""

from __future__ import annotations

import random
import re
import string
import unicodedata
from dataclasses import dataclass

import phonenumbers

TYPO_MIN_LENGTH = 5  # the "one typo in words of five letters or more"
TYPO_KINDS = ("swap", "missing", "extra", "wrong")


@dataclass(frozen=True)
class QueryType:
    key: str
    label: str
    identifying: bool  # built to find one known customer: counts towards the relevance figure


QUERY_TYPES = [
    QueryType("prefix", "name prefix, 3-6 letters", False),
    QueryType("name", "full name", True),
    QueryType("typo", "full name, one typo", True),
    QueryType("accents", "name typed without accents", True),
    QueryType("phone_e164", "phone, E.164", True),
    QueryType("phone_national", "phone, national with spaces", True),
    QueryType("phone_dashes", "phone, (area) and dashes", True),
    QueryType("phone_intl", "phone, international with spaces", True),
    QueryType("phone_last", "phone, last 4-7 digits", False),
    QueryType("email", "e-mail", True),
    QueryType("email_start", "e-mail, first part", False),
    QueryType("account", "account number", True),
]
TYPES_BY_KEY = {query_type.key: query_type for query_type in QUERY_TYPES}


def full_name(customer: dict) -> str:
    if customer["kind"] == "person":
        return f"{customer['first_name']} {customer['last_name']}".strip()
    return customer["name"]


def name_words(customer: dict) -> list[str]:
    """The name's words as written, letters only (hyphenated parts apart)."""
    return [word for word in re.split(r"[\s\-'’.,&]+", full_name(customer)) if word.isalpha()]


def prefix_query(customer: dict, rng: random.Random) -> str | None:
    words = [word for word in name_words(customer) if len(word) >= 3]
    if not words:
        return None
    word = rng.choice(words)
    return word[:rng.randint(3, min(6, len(word)))]


def without_accents(text: str) -> str:
    """"Müller" -> "Muller": the marks dropped, the letters kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def typo_of(word: str, kind: str, rng: random.Random) -> str | None:
    """``word`` with one typo of ``kind``: two neighbours swapped, a letter missing, an extra
    letter or a wrong one; None when the word allows no such typo (a swap of equal letters)."""
    position = rng.randrange(len(word))
    letter = rng.choice(string.ascii_lowercase)
    if kind == "swap":
        positions = [index for index in range(len(word) - 1) if word[index].lower() != word[index + 1].lower()]
        if not positions:
            return None
        index = rng.choice(positions)
        return word[:index] + word[index + 1] + word[index] + word[index + 2:]
    if kind == "missing":
        return word[:position] + word[position + 1:]
    if kind == "extra":
        return word[:position] + letter + word[position:]
    while letter == word[position].lower():
        letter = rng.choice(string.ascii_lowercase)
    return word[:position] + letter + word[position + 1:]


def typo_query(customer: dict, rng: random.Random) -> tuple[str, str, str] | None:
    """(the full name with one typo, the typo's kind, the misspelt word) or None."""
    name = full_name(customer)
    words = [word for word in name_words(customer) if len(word) >= TYPO_MIN_LENGTH]
    if not words:
        return None
    word, kind = rng.choice(words), rng.choice(TYPO_KINDS)
    misspelt = typo_of(word, kind, rng)
    if misspelt is None:
        return None
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", misspelt, name, count=1), kind, misspelt


@dataclass(frozen=True)
class PhoneForms:
    e164: str
    international: str  # "+49 89 98268652"
    national: str | None  # "837 342 3638": only for numbers of the shop's own region
    dashes: str | None  # "(837) 342-3638"


def phone_forms(e164: str, home_region: str) -> PhoneForms:
    parsed = phonenumbers.parse(e164)
    international = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    international = re.sub(r"[\s-]+", " ", international)
    if phonenumbers.region_code_for_number(parsed) != home_region:  # typed nationally only at home
        return PhoneForms(e164, international, None, None)
    groups = re.findall(r"\d+", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
    dashes = f"({groups[0]}) {'-'.join(groups[1:])}" if len(groups) > 1 else groups[0]
    return PhoneForms(e164, international, " ".join(groups), dashes)


def last_digits(e164: str, rng: random.Random) -> str:
    return e164[-rng.randint(4, 7):]
