"""How the columns of a file become a customer: the fields a column can fill, the built-in
mappings of the exports shops bring (Shopify, Square, Lightspeed X-Series and eCom, Mailchimp,
Patron's own),
and the translation of one row into the plain values the customer actions take.

A mapping is ``{column header: target}``; the targets are listed in ``TARGETS``. The cell texts
are only reshaped here (yes/no to booleans, "a; b" to lists, dates to ISO); every rule is checked
later by the customer actions, as for a record typed in the back office.
"""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from patron.core.normalize import InvalidValue, normalize_country
from patron.customers.models import AddressKind, CustomerKind, CustomerStatus, CustomFieldDefinition
from patron.transfer.exports import HEADINGS

ADDRESS_PARTS = {"line1": "street", "line2": "street, 2nd line", "line3": "street, 3rd line", "city": "city",
                 "region": "state or region", "postal_code": "postal code", "country": "country"}
ADDRESS_KINDS = (AddressKind.CONTACT, AddressKind.BILLING, "shipping")
# Exports that keep the house number apart from the street (Lightspeed eCom); it joins the street
# in the address's first line.
HOUSE_NUMBER_PARTS = {"house_number": "house number", "house_number_extension": "house number addition"}
# Countries whose addresses put the house number before the street ("10 Downing Street").
NUMBER_FIRST_COUNTRIES = frozenset({"US", "CA", "GB", "IE", "AU", "NZ", "FR", "LU"})

TARGETS: dict[str, str] = {
    "": "(ignore this column)",
    "kind": "Kind (person, company, placeholder)",
    "account_number": "Account number",
    "external_ref": "External reference (of the channel chosen)",
    "first_name": "First name",
    "last_name": "Last name",
    "name_prefix": "Name prefix (van, van der, de: written before the last name, not sorted by)",
    "company_name": "Company name",
    "name": "Name (company or placeholder)",
    "email": "E-mail",
    "work_email": "Work e-mail",
    "emails": "E-mails, as Patron exports them (kind:address; ...)",
    "phone": "Phone (mobile for a person, work for a company)",
    "mobile_phone": "Mobile phone",
    "home_phone": "Home phone",
    "work_phone": "Work phone",
    "phones": "Phones, as Patron exports them (kind:number; ...)",
    **{f"{kind}.{part}": f"{kind.capitalize()} address: {label}" for kind in ADDRESS_KINDS
       for part, label in {**ADDRESS_PARTS, **HOUSE_NUMBER_PARTS}.items()},
    "tax_id": "Tax or resale ID",
    "tax_id_country": "Tax ID country",
    "is_tax_exempt": "Tax exempt (yes/no)",
    "price_level": "Price level (code)",
    "default_discount": "Default discount (%)",
    "is_employee": "Is an employee (yes/no)",
    "birth_date": "Birth date",
    "birth_date_day_first": "Birth date, day first (31-12-1980)",
    "status": "Status",
    "home_location": "Home location (code)",
    "location_groups": "Location groups (names)",
    "tags": "Tags",
    "notes": "Notes",
    "consent.email": "E-mail marketing consent (yes/no)",
    "consent.email_withdrawn": "E-mail marketing withdrawn (yes = unsubscribed)",
    "consent.sms": "SMS marketing consent (yes/no)",
    "consent.email_given_at": "E-mail consent given at (a time here: consent given)",
    "consent.email_confirmed_at": "E-mail double opt-in confirmed at (kept as proof)",
    "consent.email_withdrawn_at": "E-mail unsubscribed or cleaned at (a time here: consent withdrawn)",
    "opening_balance": "Opening balance on account",
    "credit_limit": "Credit limit",
}
MATCH_KEYS = {
    "none": "None: every row is a new customer",
    "account_number": "Account number",
    "email": "E-mail",
    "phone": "Phone",
    "external_ref": "External reference",
    "tax_id": "Tax ID",
}
_YES = {"yes", "y", "true", "t", "1", "x", "subscribed", "opted in", "opt-in", "on"}
_NO = {"no", "n", "false", "f", "0", "unsubscribed", "opted out", "opt-out", "off", "cleaned", "non-subscribed"}
LIST_SPLIT = re.compile(r"\s*[;,]\s*")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def custom_targets() -> dict[str, str]:
    return {f"custom.{key}": f"Custom field: {label}" for key, label in
            CustomFieldDefinition.objects.filter(is_active=True).values_list("key", "label")}


def all_targets() -> dict[str, str]:
    return {**TARGETS, **custom_targets()}


# --- built-in mappings ------------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    key: str
    label: str
    signature: tuple[str, ...]  # headers (folded) that all appear in this kind of file
    columns: dict[str, str]  # folded header -> target
    match_key: str
    other_signatures: tuple[tuple[str, ...], ...] = ()  # the same file with headings in another language

    def recognises(self, folded: set[str]) -> bool:
        # Folded as the file's headers are: a signature heading may be one of Patron's own export
        # headings in some language ("tussenvoegsel" is the Dutch export's "name_prefix").
        return any({fold(heading) for heading in signature} <= folded
                   for signature in (self.signature, *self.other_signatures))


def _address(prefix: str, kind: str, **parts: str) -> dict[str, str]:
    return {f"{prefix}{header}": f"{kind}.{part}" for part, header in parts.items()}


PROFILES = [
    Profile("patron", "Patron export", ("account_number", "kind", "phones", "emails"), {
        "account_number": "account_number", "kind": "kind", "status": "status", "first_name": "first_name",
        "name_prefix": "name_prefix", "last_name": "last_name", "name": "name", "phones": "phones", "emails": "emails",
        **{f"{kind}_{part}": f"{kind}.{part}" for kind in ("contact", "billing") for part in
           ("line1", "line2", "line3", "city", "region", "postal_code", "country")},
        "tax_id": "tax_id", "tax_id_country": "tax_id_country", "is_tax_exempt": "is_tax_exempt",
        "price_level": "price_level", "default_discount": "default_discount", "is_employee": "is_employee",
        "birth_date": "birth_date", "home_location": "home_location", "location_groups": "location_groups",
        "tags": "tags", "notes": "notes",
    }, "account_number"),
    Profile("shopify", "Shopify customers export", ("first name", "last name", "email", "tags"), {
        "customer id": "external_ref", "first name": "first_name", "last name": "last_name", "email": "email",
        "accepts email marketing": "consent.email", "accepts marketing": "consent.email",
        "accepts sms marketing": "consent.sms", "default address company": "company_name", "company": "company_name",
        **_address("default address ", "contact", line1="address1", line2="address2", city="city",
                   region="province code", country="country code", postal_code="zip"),
        **_address("", "contact", line1="address1", line2="address2", city="city", region="province code",
                   country="country code", postal_code="zip"),
        "default address phone": "home_phone", "phone": "mobile_phone", "note": "notes",
        "tax exempt": "is_tax_exempt", "tags": "tags",
    }, "email"),
    Profile("square", "Square customer directory", ("reference id", "email address", "phone number"), {
        "reference id": "account_number", "square customer id": "external_ref", "first name": "first_name",
        "last name": "last_name", "email address": "email", "phone number": "phone",
        "company name": "company_name", "birthday": "birth_date", "memo": "notes",
        **_address("", "contact", line1="street address 1", line2="street address 2", city="city", region="state",
                   postal_code="postal code"),
        "email subscription status": "consent.email", "email unsubscribed": "consent.email_withdrawn",
    }, "email"),
    Profile("lightspeed", "Lightspeed Retail (X-Series) customers", ("customer_code", "first_name", "email"), {
        "customer_code": "account_number", "first_name": "first_name", "last_name": "last_name",
        "company_name": "company_name", "email": "email", "phone": "home_phone", "mobile": "mobile_phone",
        "date_of_birth": "birth_date", "note": "notes", "customer_group_name": "tags",
        "do_not_email": "consent.email_withdrawn", "balance": "opening_balance",
        **_address("physical_", "contact", line1="address_1", line2="address_2", line3="suburb", city="city",
                   postal_code="postcode", region="state", country="country_id"),
        **_address("physical_", "contact", line1="address1", line2="address2"),
        **_address("postal_", "billing", line1="address_1", line2="address_2", line3="suburb", city="city",
                   postal_code="postcode", region="state", country="country_id"),
        **_address("postal_", "billing", line1="address1", line2="address2"),
    }, "account_number"),
    # Headings of the English export as Lightspeed's help lists them; the Dutch ones as the Dutch back
    # office writes them. Some Dutch headings fold to Patron's own field names (fold), so both are keys.
    Profile("lightspeed_ecom", "Lightspeed eCom customers export", ("firstname", "lastname", "e-mail", "zipcode"), {
        "internal id": "external_ref", "intern id": "external_ref", "interne id": "external_ref",
        **dict.fromkeys(("firstname", "voornaam", "first_name"), "first_name"),
        **dict.fromkeys(("lastnamepreposition", "middlename", "tussenvoegsel", "name_prefix"), "name_prefix"),
        **dict.fromkeys(("lastname", "achternaam", "last_name"), "last_name"),
        **dict.fromkeys(("e-mail", "email"), "email"),
        **dict.fromkeys(("phone", "telefoon", "telefoonnummer"), "home_phone"),
        **dict.fromkeys(("mobile", "mobiel", "mobiel nummer"), "mobile_phone"),
        **dict.fromkeys(("company", "bedrijf", "bedrijfsnaam"), "company_name"),
        **dict.fromkeys(("vat number", "btw-nummer", "btw nummer", "tax_id"), "tax_id"),
        **_address("", "contact", line1="streetname", line2="address 2", house_number="number",
                   house_number_extension="extension", postal_code="zipcode", city="city", region="region",
                   country="country"),
        **_address("", "contact", line1="street", house_number="housenumber"),
        **_address("", "contact", line1="straat", line2="adres 2", house_number="huisnummer",
                   house_number_extension="toevoeging", postal_code="postcode", city="plaats", region="regio",
                   country="land"),
        **_address("", "contact", line1="straatnaam", city="woonplaats", region="provincie"),
        **_address("shipping ", "shipping", line1="streetname", line2="address 2", house_number="number",
                   house_number_extension="extension", postal_code="zipcode", city="city", region="region",
                   country="country"),
        **_address("shipping ", "shipping", line1="street"),
        **dict.fromkeys(("groups", "groepen"), "tags"),
        **dict.fromkeys(("date of birth", "birthdate", "geboortedatum", "birth_date"), "birth_date_day_first"),
    }, "email", other_signatures=(("tussenvoegsel", "huisnummer", "e-mail"),
                                  ("tussenvoegsel", "huisnummer", "email"))),
    Profile("mailchimp", "Mailchimp audience export", ("email address", "member_rating"), {
        "email address": "email", "first name": "first_name", "last name": "last_name",
        "phone number": "phone", "address": "contact.line1", "tags": "tags", "notes": "notes",
        "optin_time": "consent.email_given_at", "confirm_time": "consent.email_confirmed_at",
        "unsub_time": "consent.email_withdrawn_at", "clean_time": "consent.email_withdrawn_at",
    }, "email"),
]
PROFILES_BY_KEY = {profile.key: profile for profile in PROFILES}

# Headers a file of any other layout often has: the first guess of the mapping step.
ALIASES = {
    **{key: key for key in TARGETS if key},
    **{" ".join(label.casefold().split(" (")[0].split()): key for key, label in TARGETS.items() if key},
    "e-mail": "email", "email address": "email", "mail": "email", "phone": "phone", "mobile": "mobile_phone",
    "cell": "mobile_phone", "telephone": "home_phone", "first": "first_name", "firstname": "first_name",
    "given name": "first_name", "last": "last_name", "lastname": "last_name", "surname": "last_name",
    "family name": "last_name", "company": "company_name", "organisation": "company_name",
    "organization": "company_name", "street": "contact.line1", "address": "contact.line1",
    "address1": "contact.line1", "address 1": "contact.line1", "address2": "contact.line2", "city": "contact.city",
    "town": "contact.city", "zip": "contact.postal_code", "postcode": "contact.postal_code",
    "postal code": "contact.postal_code", "postal_code": "contact.postal_code", "state": "contact.region",
    "region": "contact.region", "country": "contact.country", "vat": "tax_id", "vat number": "tax_id",
    "tax id": "tax_id", "note": "notes", "comment": "notes", "birthday": "birth_date", "dob": "birth_date",
    "customer number": "account_number", "account": "account_number", "account number": "account_number",
    "tussenvoegsel": "name_prefix", "name prefix": "name_prefix", "house number": "contact.house_number",
    "huisnummer": "contact.house_number", "toevoeging": "contact.house_number_extension",
}


def fold(header: str) -> str:
    """A header as the mappings know it: trimmed, lower case, and a heading of Patron's export in
    any language as its field name."""
    folded = " ".join(header.strip().lstrip("\ufeff").casefold().split())
    return _export_headings().get(folded, folded)


@lru_cache(maxsize=1)
def _export_headings() -> dict[str, str]:
    headings = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            headings |= {" ".join(str(text).casefold().split()): name for name, text in HEADINGS.items()}
    return headings


def detect_profile(headers: list[str]) -> Profile | None:
    folded = {fold(header) for header in headers}
    return next((profile for profile in PROFILES if profile.recognises(folded)), None)


def suggested_mapping(headers: list[str], profile: Profile | None = None) -> dict[str, str]:
    """A target for each column: the profile's, else a known alias; a column used twice for one
    single-valued target keeps the first."""
    known = {**{fold(key): key for key in custom_targets()}, **ALIASES}
    mapping, taken = {}, set()
    for header in headers:
        folded = fold(header)
        target = profile.columns.get(folded, "") if profile else known.get(folded, "")
        if profile and not target and folded.startswith("custom."):
            target = known.get(folded, "")
        if target and target not in MULTI_COLUMN_TARGETS and target in taken:
            target = ""
        taken.add(target)
        mapping[header] = target
    return mapping


MULTI_COLUMN_TARGETS = {"", "notes", "tags", "consent.email_withdrawn_at"}


def check_mapping(mapping: dict[str, str], headers: list[str], match_key: str) -> list[str]:
    """What is wrong with a mapping, as sentences (empty: it can be used)."""
    problems = []
    targets = all_targets()
    for column, target in mapping.items():
        if column not in headers:
            problems.append(gettext("The file has no column %(column)s.") % {"column": repr(column)})
        elif target not in targets:
            problems.append(gettext("Column %(column)s: unknown field %(field)s.") % {
                "column": repr(column), "field": repr(target)})
    used = [target for target in mapping.values() if target not in MULTI_COLUMN_TARGETS]
    for target in sorted({target for target in used if used.count(target) > 1}):
        problems.append(gettext("Several columns fill %(field)s; keep one.") % {"field": targets.get(target, target)})
    if match_key not in MATCH_KEYS:
        problems.append(gettext("Choose a match key: %(keys)s.") % {"keys": ", ".join(MATCH_KEYS)})
    else:
        needs = {"email": ("email", "emails", "work_email"),
                 "phone": ("phone", "mobile_phone", "home_phone", "work_phone", "phones")}.get(match_key, (match_key,))
        if match_key != "none" and not set(needs) & set(mapping.values()):
            problems.append(gettext("The match key is %(key)s, but no column fills it.") % {
                "key": MATCH_KEYS[match_key].lower()})
    if not {"first_name", "last_name", "name", "company_name", "email", "account_number"} & set(mapping.values()):
        problems.append(gettext("No column gives a name, an e-mail or an account number."))
    return problems


# --- one row ------------------------------------------------------------------------------------

@dataclass
class RowInput:
    """One row as the customer actions take it, and where each value came from (for messages)."""

    kind: str = ""
    values: dict = field(default_factory=dict)
    addresses: list[dict] = field(default_factory=list)
    status: str | None = None
    external_ref: str = ""
    consents: dict[str, bool] = field(default_factory=dict)  # channel -> granted
    consent_proof: dict[str, str] = field(default_factory=dict)  # channel -> e.g. "double opt-in confirmed ..."
    opening_balance: str = ""
    credit_limit: str = ""
    company_label: str = ""  # a person's company: the label of their contact address
    sources: dict[str, str] = field(default_factory=dict)  # value key -> column header
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)

    def column_of(self, key: str) -> str:
        """The column an error key ("phones.0.number", "addresses.1.city") points at."""
        while key:
            if key in self.sources:
                return self.sources[key]
            key = key.rpartition(".")[0]
        return ""


_CODE_TARGETS = ("external_ref", "account_number", "phone", "mobile_phone", "home_phone", "work_phone", "tax_id")


def unquote(text: str, target: str = "") -> str:
    """Undo the apostrophe that exports put before IDs, zips, phones and formula-like text
    (Shopify's '7210448301122 and 'NW1 6XE, Patron's '=cmd), keeping one typed in a name ('t Hooft)."""
    if not text.startswith("'") or len(text) < 2:
        return text
    if target in _CODE_TARGETS or target.endswith(".postal_code"):
        return text[1:]
    return text[1:] if text[1].isdigit() or text[1:].startswith(FORMULA_STARTS) else text


def yes_no(text: str, column: str, row: RowInput) -> bool | None:
    folded = text.strip().casefold()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    if folded in ("", "unknown", "pending"):
        return None
    row.problems.append((column, gettext("Write yes or no, not %(text)s.") % {"text": repr(text[:40])}))
    return None


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%m/%d/%Y", "%m-%d-%Y", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S")
_DAY_FIRST_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S")


def iso_date(text: str, *, day_first: bool = False) -> str:
    """A date in a common layout as YYYY-MM-DD; what cannot be read is passed on for the rule
    to refuse with its message. Day-first is tried only when month-first cannot be right, or
    when the column says it is day first (European exports: 31-12-1980)."""
    text = text.strip()
    for layout in _DAY_FIRST_FORMATS if day_first else _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text[:19], layout).date().isoformat()
        except ValueError:
            continue
    return text


def split_list(text: str) -> list[str]:
    if text.startswith('"') and '","' in text.replace('", "', '","'):  # Mailchimp: "VIP","Blog"
        return [item.strip() for item in next(csv.reader([text])) if item.strip()]
    return [item for item in LIST_SPLIT.split(text.strip()) if item]


def _kind_items(text: str, default_kind: str, value_name: str) -> list[dict]:
    """Patron's "mobile:+4915...; work:+4930..." cells; a bare value takes ``default_kind``."""
    items = []
    for part in (piece.strip() for piece in text.split(";")):
        if not part:
            continue
        kind, separator, value = part.partition(":")
        if not separator or " " in kind or "@" in kind or kind.strip().lstrip("+").isdigit():
            kind, value = default_kind, part
        items.append({"kind": kind.strip(), value_name: value.strip()})
    return items


def row_input(cells: dict[str, str], mapping: dict[str, str]) -> RowInput:
    """Turn one row's cells into values for the customer actions (shape only; no rule)."""
    row = RowInput()
    phones: list[tuple[str, dict]] = []
    emails: list[tuple[str, dict]] = []
    addresses: dict[str, dict] = {}
    notes: list[str] = []
    for column, target in mapping.items():
        text = unquote(cells.get(column, "") or "", target)
        if not target or not text:
            continue
        _put(row, target, text, column, phones=phones, emails=emails, addresses=addresses, notes=notes)
    _settle_kind_and_names(row)
    is_person = row.kind == CustomerKind.PERSON
    for index, (column, phone) in enumerate(phones):
        if phone["kind"] == "phone":
            phone["kind"] = "mobile" if is_person else "work"
        row.sources[f"phones.{index}"] = column
    for index, (column, _email) in enumerate(emails):
        row.sources[f"emails.{index}"] = column
    if phones:
        row.values["phones"] = [phone for _, phone in phones]
    if emails:
        row.values["emails"] = [email for _, email in emails]
    if row.company_label:
        if AddressKind.CONTACT in addresses:
            addresses[AddressKind.CONTACT][1]["label"] = row.company_label[:100]
        else:
            notes.insert(0, f"Company: {row.company_label}")
    if notes:
        row.values["notes"] = "\n".join(notes)
    for index, (kind, (columns, values)) in enumerate(addresses.items()):
        _join_house_number(columns, values)
        row.addresses.append({"kind": kind, **values})
        for part, column in columns.items():
            row.sources[f"addresses.{index}.{part}"] = column
        row.sources[f"addresses.{index}"] = next(iter(columns.values()))
    return row


def _put(row: RowInput, target: str, text: str, column: str, *, phones, emails, addresses, notes) -> None:
    if target in ("first_name", "name_prefix", "last_name", "name", "company_name", "account_number", "tax_id",
                  "tax_id_country", "price_level", "default_discount", "home_location"):
        row.values[target] = text
    elif target == "kind":
        row.kind = {"private person": "person", "individual": "person", "business": "company"}.get(
            text.casefold(), text.casefold())
    elif target in ("is_tax_exempt", "is_employee"):
        value = yes_no(text, column, row)
        if value is not None:
            row.values[target] = value
    elif target == "birth_date":
        row.values[target] = iso_date(text)
    elif target == "birth_date_day_first":
        row.values["birth_date"] = iso_date(text, day_first=True)
        row.sources.setdefault("birth_date", column)
    elif target == "status":
        row.status = text.casefold().replace(" ", "_")
    elif target in ("email", "work_email"):
        emails.append((column, {"kind": "work" if target == "work_email" else "personal", "address": text}))
    elif target == "emails":
        emails.extend((column, item) for item in _kind_items(text, "personal", "address"))
    elif target in ("phone", "mobile_phone", "home_phone", "work_phone"):
        phones.append((column, {"kind": target.removesuffix("_phone"), "number": text}))
    elif target == "phones":
        phones.extend((column, item) for item in _kind_items(text, "phone", "number"))
    elif target in ("tags", "location_groups"):
        row.values.setdefault(target, []).extend(split_list(text))
    elif target == "notes":
        notes.append(text)
    elif target.startswith("custom."):
        row.values.setdefault("custom_fields", {})[target.removeprefix("custom.")] = text
    elif target in ("consent.email_given_at", "consent.email_confirmed_at", "consent.email_withdrawn_at"):
        _consent_time(row, target, text, column)
    elif target.startswith("consent."):
        granted = yes_no(text, column, row)
        if granted is not None:
            channel = target.removeprefix("consent.")
            if channel == "email_withdrawn":
                channel, granted = "email", not granted
            row.consents[channel] = granted
    elif target == "external_ref":
        row.external_ref = text
    elif target in ("opening_balance", "credit_limit"):
        setattr(row, target, text.replace(",", "") if text.count(",") and text.count(".") else text.replace(",", "."))
    else:  # an address part
        kind, _, part = target.partition(".")
        columns, values = addresses.setdefault(kind, ({}, {}))
        values[part] = text
        columns[part] = column
    if target in ("first_name", "last_name", "name", "company_name", "account_number", "tax_id", "tax_id_country",
                  "price_level", "default_discount", "home_location", "is_tax_exempt", "is_employee", "birth_date",
                  "tags", "location_groups", "notes", "status", "kind", "name_prefix"):
        row.sources.setdefault(target, column)
    elif target.startswith("custom."):
        row.sources[f"custom_fields.{target.removeprefix('custom.')}"] = column


def _consent_time(row: RowInput, target: str, text: str, column: str) -> None:
    """Mailchimp's OPTIN_TIME, CONFIRM_TIME, UNSUB_TIME and CLEAN_TIME: a withdrawal wins, the
    times are kept as the proof."""
    proof = row.consent_proof.get("email", "")
    label = {"consent.email_given_at": "opted in", "consent.email_confirmed_at": "double opt-in confirmed",
             "consent.email_withdrawn_at": "unsubscribed or cleaned"}[target]
    row.consent_proof["email"] = f"{proof}; {label} {text}" if proof else f"{label} {text}"
    if target == "consent.email_withdrawn_at":
        row.consents["email"] = False
    else:
        row.consents.setdefault("email", True)


def _join_house_number(columns: dict[str, str], values: dict[str, str]) -> None:
    """Street, house number and addition as one first line: "Keizersgracht 12A", "Hauptstraße 5 II",
    "10 Downing Street" where the number comes first."""
    number = values.pop("house_number", "").strip()
    addition = values.pop("house_number_extension", "").strip()
    number_column = columns.pop("house_number", "") or columns.get("house_number_extension", "")
    columns.pop("house_number_extension", None)
    if addition:
        glued = number and (addition.startswith("-") or (len(addition) == 1 and addition.isalpha()))
        number = f"{number}{addition}" if glued else f"{number} {addition}".strip()
    if not number:
        return
    street = values.get("line1", "").strip()
    try:
        number_first = normalize_country(values.get("country", "")) in NUMBER_FIRST_COUNTRIES
    except InvalidValue:  # the address's own check reports the country
        number_first = False
    values["line1"] = " ".join(part for part in ((number, street) if number_first else (street, number)) if part)
    columns.setdefault("line1", number_column)


def _settle_kind_and_names(row: RowInput) -> None:
    """A file without a kind column: a company when it names only a company, else a person. A
    person's company name is kept on their contact address' label."""
    values = row.values
    company = values.pop("company_name", "")
    has_person_name = bool(values.get("first_name") or values.get("last_name"))
    if not row.kind:
        row.kind = CustomerKind.COMPANY if company and not has_person_name else CustomerKind.PERSON
        if row.kind == CustomerKind.PERSON and not has_person_name and not values.get("name"):
            values["last_name"] = ""  # the rule will say a name is needed
    if row.kind == CustomerKind.COMPANY:
        values.setdefault("name", company)
        if "company_name" in row.sources:
            row.sources.setdefault("name", row.sources["company_name"])
    elif company:
        row.company_label = company
    if row.kind == CustomerKind.PERSON:
        if values.get("name") and not has_person_name:  # "Name" column of a person: split it
            first, _, last = values.pop("name").rpartition(" ")
            values.update(first_name=first, last_name=last)
            row.sources.update(first_name=row.sources.get("name", ""), last_name=row.sources.get("name", ""))
        else:
            values.pop("name", None)
    if row.status == "":
        row.status = None
    if row.status and row.status not in CustomerStatus.values:
        row.problems.append((row.sources.get("status", ""), f"Unknown status {row.status!r}."))
