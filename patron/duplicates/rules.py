"""The matching rules, in one place: which keys block, which comparisons score, with what weight.

Two customers are compared only when they share a blocking key (BLOCKING_KEYS): that keeps the
work about linear in the number of customers. A compared pair scores the sum of the weights of the
EVIDENCE that holds for it, capped to 0..1. Pairs at STRONG or above are likely the same customer
(an API client can refuse to create them, the webshop links them); pairs at POSSIBLE or above are
shown in the warnings and the review queue. No labels are needed: the weights are set by hand so
that one personal identifier (e-mail, mobile, tax ID) plus a compatible name is strong, and a
compatible name needs one agreeing fact (the address, the birth date) to be possible.

Hard negatives, and why they stay below STRONG:
- a shared landline or address alone: a landline weighs little, an address is no evidence on its own,
  and a strong match needs a personal identifier or the birth date (STRONG_NEEDS);
- a household (same address and landline, other first name): the names disagree (negative);
- father and son with the same name: their birth dates disagree (strongly negative);
- namesakes in one town: a name alone is not POSSIBLE; their birth dates disagree when known;
- a company and its representative: a person and a company are never the same customer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

STRONG = 0.8
POSSIBLE = 0.6
# A key shared by more customers than this proves nothing (a shop's own phone typed for walk-ins,
# a common name in a big postcode area): such blocks are not compared.
MAX_BLOCK = 50


@dataclass(frozen=True)
class BlockingKey:
    prefix: str
    description: str


# Each customer gets the keys of every kind it has values for (patron/duplicates/keys.py).
BLOCKING_KEYS = (
    BlockingKey("email", "each e-mail address, normalised (core.normalize.email_match_key)"),
    BlockingKey("phone", "each phone, in E.164"),
    BlockingKey("tax", "the tax ID, compact"),
    BlockingKey("np", "metaphone of the last name and of the first name, each with a postcode"),
    BlockingKey("nb", "metaphone of the last name and of the first name, each with the birth date"),
    BlockingKey("co", "companies: the folded name without its legal form"),
)


@dataclass(frozen=True)
class Evidence:
    code: str
    weight: float
    label: object  # lazily translated words shown as the reason (None: negative, not shown)


# code -> weight and reason. A pair collects the codes that hold (patron/duplicates/matching.py).
EVIDENCE = {evidence.code: evidence for evidence in (
    Evidence("same_email", 0.5, _("same e-mail")),
    Evidence("same_phone", 0.45, _("same phone")),          # a mobile, or any number of a company
    Evidence("same_landline", 0.2, _("same landline")),     # home, work, fax: shared by households
    Evidence("same_tax_id", 0.6, _("same tax ID")),
    Evidence("same_name", 0.45, _("same name")),            # case and accents folded
    Evidence("swapped_name", 0.4, _("first and last name swapped")),
    Evidence("similar_name", 0.35, _("name similar")),      # typos, nicknames, initials
    Evidence("same_birth_date", 0.3, _("same birth date")),
    # A postcode holds thousands of people, so namesakes share one: a name needs the street as
    # well (or the birth date) to be proposed. The street is compared only within one postcode.
    Evidence("same_postcode", 0.1, _("same postcode")),
    Evidence("same_street", 0.25, _("same street")),
    Evidence("other_name", -0.6, None),                     # both named, the names disagree
    Evidence("other_birth_date", -0.7, None),               # both dated, the dates disagree
    Evidence("other_kind", -1.0, None),                     # a person and a company
)}

# A strong match needs one of these: what a household shares (an address, a landline, a last name,
# first names a nickname list relates, such as Elizabeth and Lisa) never makes one on its own.
STRONG_NEEDS = frozenset({"same_email", "same_phone", "same_tax_id", "same_birth_date"})
BELOW_STRONG = round(STRONG - 0.01, 2)

# Names: a first name typed with an initial only, or differing by this many edits, still agrees.
TYPO_EDITS_SHORT, TYPO_EDITS_LONG, LONG_NAME = 1, 2, 8
SHORTEST_TYPO_NAME = 4  # "Ann" and "Anu" are different names, "Anna" and "Ana" are not
# Legal forms left out of company names before they are compared ("Meyer GmbH" = "Meyer").
LEGAL_FORMS = frozenset({
    "gmbh", "ag", "kg", "ohg", "ug", "ev", "e.v.", "mbh", "co", "&", "und", "and", "ltd", "limited", "inc",
    "llc", "plc", "corp", "bv", "b.v.", "nv", "n.v.", "vof", "sa", "s.a.", "sarl", "sas", "srl", "spa",
})


def reason_words(codes) -> str:
    """The positive evidence of a pair in words: "name similar, same postcode"."""
    return ", ".join(str(EVIDENCE[code].label) for code in codes
                     if code in EVIDENCE and EVIDENCE[code].label is not None)


def score_of(codes) -> float:
    score = round(max(0.0, min(1.0, sum(EVIDENCE[code].weight for code in codes))), 2)
    return score if score < STRONG or STRONG_NEEDS.intersection(codes) else BELOW_STRONG
