"""The labelled data set of ``make bench-dedup`` (no Django): customers as the creation actions
take them, each with its label, made with a seed.

A *cluster* is one person entered more than once: first by import (every field), then again at
the till (name and mobile), in a webshop (name, e-mail, address) or by another import, each
re-entry with one realistic variation (VARIATIONS). Hard negatives are pairs of different
customers that look alike (NEGATIVES): a household at one address with one landline, father and
son of the same name at one address, namesakes in one town, a company and its representative.
The rest are single customers. Account numbers ("D0000001") name the records in the labels.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers
from faker import Faker

VARIATIONS = ("exact", "typo", "case", "dashes", "tag", "gmail", "nickname", "swapped", "accents", "initial",
              "moved", "new_contact")
NEGATIVES = ("household", "father_son", "namesakes", "company_rep")
NICKNAMES = [("Robert", "Bob"), ("William", "Bill"), ("Elizabeth", "Liz"), ("Katherine", "Kate"),
             ("Margaret", "Peggy"), ("Richard", "Dick"), ("James", "Jim"), ("Jennifer", "Jenny"),
             ("Michael", "Mike"), ("Thomas", "Tom"), ("Joseph", "Joe"), ("Christopher", "Chris"),
             ("Daniel", "Dan"), ("Patricia", "Pat"), ("Susan", "Sue"), ("Alexander", "Alex"),
             ("Anthony", "Tony"), ("Nicholas", "Nick"), ("Rebecca", "Becky"), ("Deborah", "Debbie")]
ACCENTED_LAST = ["Müller", "Schröder", "Jäger", "Böhm", "Krüger", "Hernández", "Gómez", "Lefèvre", "Núñez",
                 "Dvořák", "Møller", "Sørensen", "Çelik", "Öztürk", "Wójcik", "Pérez"]
ACCENTED_FIRST = ["José", "Zoë", "Chloé", "Jörg", "Renée", "Agnès", "Jürgen", "Søren", "Iñaki", "Björn"]
MAIL_DOMAINS = ["gmail.com", "web.de", "gmx.de", "t-online.de", "outlook.com", "yahoo.com"]
MOBILE_PREFIXES = ["151", "152", "157", "160", "162", "170", "171", "172", "175", "176", "177", "178", "179"]
CITY_CODES = ["30", "40", "89", "221", "69", "711", "211", "231", "201", "421"]
# Shares of the loaded customers (the rest are single customers).
CLUSTER_SHARE, HOUSEHOLD_SHARE, FATHER_SON_SHARE, NAMESAKE_SHARE, COMPANY_SHARE = 0.08, 0.02, 0.01, 0.01, 0.01


@dataclass
class Record:
    account: str
    kind: str
    values: dict
    addresses: list[dict]
    cluster: str  # records of one cluster are the same customer
    variation: str = ""  # of a re-entry
    negative: str = ""  # the hard-negative group it belongs to
    channel: str = "import"

    def row(self) -> dict:
        return {"kind": self.kind, "values": {**self.values, "account_number": self.account},
                "addresses": self.addresses}


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.fake_en, self.fake_de = Faker("en_US"), Faker("de_DE")
        self.fake_en.seed_instance(seed)
        self.fake_de.seed_instance(seed + 1)
        self.count = 0
        self.mail_serial = 0
        self.towns = [self._town() for _ in range(400)]

    # --- parts -------------------------------------------------------------------------------------

    def _town(self) -> dict:
        return {"city": self.fake_de.city(), "postcodes": [f"{self.rng.randint(1000, 99999):05d}"
                                                          for _ in range(self.rng.randint(2, 5))],
                "streets": [self.fake_de.street_name() for _ in range(30)]}

    def address(self, town: dict | None = None, *, postcode: str | None = None) -> dict:
        town = town or self.rng.choice(self.towns)
        return {"kind": "contact", "line1": f"{self.rng.choice(town['streets'])} {self.rng.randint(1, 120)}",
                "postal_code": postcode or self.rng.choice(town["postcodes"]), "city": town["city"],
                "country": "DE"}

    def _valid(self, number: str) -> str:
        return number if phonenumbers.is_valid_number(phonenumbers.parse(number)) else ""

    def mobile(self) -> str:
        while True:
            prefix = self.rng.choice(MOBILE_PREFIXES)
            digits = 8 if prefix.startswith("15") else 7
            number = self._valid(f"+49 {prefix} {self.rng.randint(10 ** (digits - 1), 10 ** digits - 1)}")
            if number:
                return number

    def landline(self) -> str:
        while True:
            code = self.rng.choice(CITY_CODES)
            number = self._valid(f"+49 {code} {self.rng.randint(1_000_000, 9_999_999)}")
            if number:
                return number

    def email(self, first: str, last: str, domain: str | None = None) -> str:
        self.mail_serial += 1
        local = f"{ascii_of(first)}.{ascii_of(last)}{self.mail_serial}".lower().replace(" ", "")
        return f"{local}@{domain or self.rng.choice(MAIL_DOMAINS)}"

    def birth_date(self) -> str | None:
        if self.rng.random() < 0.3:
            return None
        return f"{self.rng.randint(1940, 2004)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def account(self) -> str:
        self.count += 1
        return f"D{self.count:07d}"

    def person(self, cluster: str, *, first: str | None = None, last: str | None = None, **parts) -> Record:
        first = first or self.fake_en.first_name()
        last = last or self.fake_de.last_name()
        values = {"first_name": first, "last_name": last,
                  "phones": [{"kind": "mobile", "number": parts.get("mobile") or self.mobile()}],
                  "emails": [{"address": parts.get("email") or self.email(first, last)}]}
        if parts.get("landline"):
            values["phones"].append({"kind": "home", "number": parts["landline"]})
        birth = parts["birth_date"] if "birth_date" in parts else self.birth_date()
        if birth:
            values["birth_date"] = birth
        return Record(self.account(), "person", values, [parts.get("address") or self.address()], cluster)

    # --- what is loaded ------------------------------------------------------------------------------

    def records(self, size: int) -> Iterator[Record]:
        """About ``size`` records: clusters, hard negatives and single customers, shuffled in blocks
        so a cluster's re-entries come after its first entry, as in a shop."""
        plan = (["cluster"] * int(size * CLUSTER_SHARE) + ["household"] * int(size * HOUSEHOLD_SHARE / 2)
                + ["father_son"] * int(size * FATHER_SON_SHARE / 2) + ["namesakes"] * int(size * NAMESAKE_SHARE / 2)
                + ["company_rep"] * int(size * COMPANY_SHARE / 2))
        singles = size - round(self._planned_records(plan))
        plan += ["single"] * max(0, singles)
        self.rng.shuffle(plan)
        for number, unit in enumerate(plan):
            yield from getattr(self, f"_{unit}")(f"u{number}")

    def _planned_records(self, plan: list[str]) -> int:
        return sum(2.3 if unit == "cluster" else 2 for unit in plan)

    def _single(self, cluster: str) -> list[Record]:
        return [self.person(cluster)]

    def _cluster(self, cluster: str) -> list[Record]:
        variation = self.rng.choice(VARIATIONS)
        base = self.base_for(variation, cluster)
        records = [base]
        for _ in range(2 if self.rng.random() < 0.3 else 1):
            records.append(self.re_entry(base, variation if len(records) == 1 else self.rng.choice(VARIATIONS)))
        return records

    def base_for(self, variation: str, cluster: str) -> Record:
        if variation == "nickname":
            first, _nick = self.rng.choice(NICKNAMES)
            return self.person(cluster, first=first)
        if variation == "accents":
            if self.rng.random() < 0.5:
                return self.person(cluster, last=self.rng.choice(ACCENTED_LAST))
            return self.person(cluster, first=self.rng.choice(ACCENTED_FIRST))
        if variation == "gmail":
            first, last = self.fake_en.first_name(), self.fake_de.last_name()
            return self.person(cluster, first=first, last=last, email=self.email(first, last, "gmail.com"))
        return self.person(cluster)

    def re_entry(self, base: Record, variation: str) -> Record:
        """The same customer entered again through another channel, with one variation."""
        values = {key: [dict(item) for item in value] if isinstance(value, list) else value
                  for key, value in base.values.items()}
        address = dict(base.addresses[0])
        first, last = values["first_name"], values["last_name"]
        mobile, email = values["phones"][0]["number"], values["emails"][0]["address"]
        if variation == "typo":
            if len(last) >= 5 and self.rng.random() < 0.6:
                last = typo(last, self.rng)
            else:
                first = typo(first, self.rng) if len(first) >= 5 else first
        elif variation == "case":
            first, last = (first.upper(), last.upper()) if self.rng.random() < 0.5 else (first.lower(), last.lower())
            email = email.upper()
        elif variation == "dashes":
            national = phonenumbers.format_number(phonenumbers.parse(mobile), phonenumbers.PhoneNumberFormat.NATIONAL)
            mobile = national.replace(" ", "-")
        elif variation == "tag":
            local, _, domain = email.partition("@")
            email = f"{local}+{self.rng.choice(['shop', 'news', 'web'])}@{domain}"
        elif variation == "gmail":
            local, _, domain = email.partition("@")
            email = f"{local.replace('.', '')}@{'googlemail.com' if self.rng.random() < 0.5 else domain}"
        elif variation == "nickname":
            first = dict(NICKNAMES).get(first, first)
        elif variation == "swapped":
            first, last = last, first
        elif variation == "accents":
            first, last = ascii_of(first), ascii_of(last)
        elif variation == "initial":
            first = first[0] + "."
        elif variation == "moved":
            address = self.address()
        elif variation == "new_contact":
            mobile, email = self.mobile(), self.email(first, last)
        channel = self.channel_for(variation)
        new = {"first_name": first, "last_name": last}
        if channel in ("till", "import"):
            new["phones"] = [{"kind": "mobile", "number": mobile}]
        if channel in ("webshop", "import"):
            new["emails"] = [{"address": email}]
        if channel == "import" and values.get("birth_date"):
            new["birth_date"] = values["birth_date"]
        addresses = [address] if channel in ("webshop", "import") else []
        return Record(self.account(), "person", new, addresses, base.cluster, variation=variation, channel=channel)

    def channel_for(self, variation: str) -> str:
        if variation in ("tag", "gmail"):
            return self.rng.choice(["webshop", "import"])
        if variation == "dashes":
            return self.rng.choice(["till", "import"])
        if variation == "new_contact":
            return self.rng.choice(["webshop", "import"])
        return self.rng.choice(["till", "webshop", "import"])

    def _household(self, cluster: str) -> list[Record]:
        address, landline, last = self.address(), self.landline(), self.fake_de.last_name()
        first = self.person(f"{cluster}a", last=last, address=address, landline=landline)
        while True:
            other = self.fake_en.first_name()
            if other[:3] != first.values["first_name"][:3]:
                break
        second = self.person(f"{cluster}b", first=other, last=last, address=address, landline=landline)
        return self._negative("household", first, second)

    def _father_son(self, cluster: str) -> list[Record]:
        address, landline = self.address(), self.landline()
        first, last = self.fake_en.first_name_male(), self.fake_de.last_name()
        year = self.rng.randint(1940, 1970)
        father = self.person(f"{cluster}a", first=first, last=last, address=address, landline=landline,
                             birth_date=f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}")
        son = self.person(f"{cluster}b", first=first, last=last, address=address, landline=landline,
                          birth_date=f"{year + self.rng.randint(20, 35)}-{self.rng.randint(1, 12):02d}-"
                                     f"{self.rng.randint(1, 28):02d}")
        return self._negative("father_son", father, son)

    def _namesakes(self, cluster: str) -> list[Record]:
        """Same name in one town, other postcode and street (no rule tells apart two namesakes who
        share a postcode when neither record has a birth date)."""
        town = self.rng.choice(self.towns)
        first, last = self.fake_en.first_name(), self.fake_de.last_name()
        one, two = self.rng.sample(town["postcodes"], 2)
        return self._negative(
            "namesakes", self.person(f"{cluster}a", first=first, last=last, address=self.address(town, postcode=one)),
            self.person(f"{cluster}b", first=first, last=last, address=self.address(town, postcode=two)))

    def _company_rep(self, cluster: str) -> list[Record]:
        rep = self.person(f"{cluster}b")
        last = rep.values["last_name"]
        company = Record(self.account(), "company", {
            "name": f"{last} {self.rng.choice(['GmbH', 'KG', 'AG', '& Co.'])}",
            "phones": [dict(rep.values["phones"][0])], "emails": [dict(rep.values["emails"][0])]},
            [dict(rep.addresses[0])], f"{cluster}a")
        return self._negative("company_rep", company, rep)

    def _negative(self, kind: str, *records: Record) -> list[Record]:
        for record in records:
            record.negative = kind
        return list(records)


def typo(word: str, rng: random.Random) -> str:
    """One slip of the keyboard: two letters swapped, one left out, or one doubled."""
    index = rng.randint(1, len(word) - 2)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        return word[:index] + word[index + 1] + word[index] + word[index + 2:]
    if kind == "drop":
        return word[:index] + word[index + 1:]
    return word[:index] + word[index] + word[index:]


def ascii_of(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ø", "o").replace("Ø", "O"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
