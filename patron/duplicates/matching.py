"""Comparing two profiles: which EVIDENCE of the rules holds, and the score it adds up to."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.fuzz import token_sort_ratio

from patron.customers.models import CustomerKind
from patron.duplicates.profiles import Profile, nickname_group
from patron.duplicates.rules import (
    LONG_NAME,
    POSSIBLE,
    SHORTEST_TYPO_NAME,
    STRONG,
    TYPO_EDITS_LONG,
    TYPO_EDITS_SHORT,
    reason_words,
    score_of,
)

COMPANY_NAME_SIMILARITY = 90  # token_sort_ratio at which two company names are the same firm misspelt


@dataclass(frozen=True)
class Match:
    score: float
    codes: tuple[str, ...]

    @property
    def reasons(self) -> str:
        return reason_words(self.codes)

    @property
    def is_strong(self) -> bool:
        return self.score >= STRONG

    @property
    def is_possible(self) -> bool:
        return self.score >= POSSIBLE


def compare(a: Profile, b: Profile) -> Match:
    codes = []
    if a.kind != b.kind:
        codes.append("other_kind")
    if a.emails & b.emails:
        codes.append("same_email")
    if (a.mobiles & b.phones) or (b.mobiles & a.phones):
        codes.append("same_phone")
    elif a.landlines & b.landlines:
        codes.append("same_landline")
    if a.tax_id and a.tax_id == b.tax_id:
        codes.append("same_tax_id")
    names = compare_names(a, b)
    if names:
        codes.append(names)
    if a.birth_date and b.birth_date:
        codes.append("same_birth_date" if a.birth_date == b.birth_date else "other_birth_date")
    if a.postcodes & b.postcodes:
        codes.append("same_postcode")
        if a.streets & b.streets:
            codes.append("same_street")
    return Match(score_of(codes), tuple(codes))


def compare_names(a: Profile, b: Profile) -> str | None:
    """same_name, swapped_name, similar_name, other_name, or None when either has no name."""
    if a.kind == CustomerKind.COMPANY and b.kind == CustomerKind.COMPANY:
        if not a.company or not b.company:
            return None
        if a.company == b.company:
            return "same_name"
        return "similar_name" if token_sort_ratio(a.company, b.company) >= COMPANY_NAME_SIMILARITY else "other_name"
    if a.kind != b.kind or not a.last or not b.last:
        return None
    if a.first == b.first and a.last == b.last:
        return "same_name"
    if a.first and a.first == b.last and a.last == b.first:
        return "swapped_name"
    if _last_names_agree(a.last, b.last) and _first_names_agree(a.first, b.first):
        return "similar_name"
    if a.first and b.first and _last_names_agree(a.first, b.last) and _first_names_agree(a.last, b.first):
        return "swapped_name"
    return "other_name"


def _typo(x: str, y: str) -> bool:
    if max(len(x), len(y)) < SHORTEST_TYPO_NAME:
        return False
    allowed = TYPO_EDITS_LONG if min(len(x), len(y)) >= LONG_NAME else TYPO_EDITS_SHORT
    return DamerauLevenshtein.distance(x, y, score_cutoff=allowed) <= allowed


def _last_names_agree(x: str, y: str) -> bool:
    return x == y or _typo(x, y) or x.replace(" ", "") == y.replace(" ", "")


def _first_names_agree(x: str, y: str) -> bool:
    """Equal, a typo, an initial ("J" for "John"), a nickname ("Bob" for "Robert"), or one of
    several first names ("Anna" for "Anna Maria"). A missing first name agrees with any."""
    if not x or not y or x == y:
        return True
    first_x, first_y = x.split()[0], y.split()[0]
    if len(first_x) == 1 or len(first_y) == 1:
        return first_x[0] == first_y[0]
    if first_x == first_y or _typo(x, y) or _typo(first_x, first_y):
        return True
    return first_y in nickname_group(first_x) or first_x in nickname_group(first_y)
