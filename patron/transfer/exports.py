"""Exporting customers: CSV, XLSX, vCard 4.0 and JSON, streamed.

Customers are read in chunks by id (keyset), as plain values with their phones, e-mails,
addresses, tags and groups read per chunk, so an export of a million customers keeps memory flat
and never holds the whole list. Every format is written from the same records (``records``).

Spreadsheet safety (test S7): a text cell that starts with ``= + - @``, a tab, CR or NUL would
run as a formula when a spreadsheet opens the file, so it is written with a leading apostrophe
in CSV, and typed as a string in XLSX. Numbers, dates and yes/no columns are not text and stay
as they are (a negative amount stays a number).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Max, Min, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from patron.core.actors import Actor
from patron.core.errors import ValidationFailed
from patron.core.permissions import require
from patron.core.workers import in_order
from patron.customers.models import Address, AddressKind, Customer, CustomFieldDefinition
from patron.customers.queries import CustomerFilter, add_contact_points, filter_customers
from patron.locations.models import Location
from patron.lookup.queries import search_customers
from patron.transfer import xlsx

log = logging.getLogger("patron.exports")

CHUNK = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
XLSX_MAX_CUSTOMERS = xlsx.MAX_ROWS - 1  # below the header row
LIST_SEPARATOR = "; "  # several phones, e-mails, tags or groups in one cell
ADDRESS_FIELDS = ("line1", "line2", "line3", "line4", "city", "region", "postal_code", "country")

CUSTOMER_COLUMNS = ("id", "uuid", "account_number", "kind", "status", "first_name", "name_prefix", "last_name",
                    "name", "birth_date", "tax_id", "tax_id_country", "is_tax_exempt", "price_level__code",
                    "default_discount", "is_employee", "notes", "home_location__code", "custom_fields",
                    "total_purchases", "sale_count", "visit_count", "last_purchase_at", "created_at", "updated_at")


# The CSV and XLSX headings in the reader's language. English keeps the field names, and the
# importer's Patron mapping knows the headings of every language (mappings.fold), so an export
# made in German imports again without a mapping. JSON and vCard keep their own field names.
HEADINGS = {
    "id": pgettext_lazy("export heading", "id"),
    "account_number": pgettext_lazy("export heading", "account_number"),
    "kind": pgettext_lazy("export heading", "kind"),
    "status": pgettext_lazy("export heading", "status"),
    "first_name": pgettext_lazy("export heading", "first_name"),
    "name_prefix": pgettext_lazy("export heading", "name_prefix"),
    "last_name": pgettext_lazy("export heading", "last_name"),
    "name": pgettext_lazy("export heading", "name"),
    "phones": pgettext_lazy("export heading", "phones"),
    "emails": pgettext_lazy("export heading", "emails"),
    "contact_line1": pgettext_lazy("export heading", "contact_line1"),
    "contact_line2": pgettext_lazy("export heading", "contact_line2"),
    "contact_line3": pgettext_lazy("export heading", "contact_line3"),
    "contact_line4": pgettext_lazy("export heading", "contact_line4"),
    "contact_city": pgettext_lazy("export heading", "contact_city"),
    "contact_region": pgettext_lazy("export heading", "contact_region"),
    "contact_postal_code": pgettext_lazy("export heading", "contact_postal_code"),
    "contact_country": pgettext_lazy("export heading", "contact_country"),
    "billing_line1": pgettext_lazy("export heading", "billing_line1"),
    "billing_line2": pgettext_lazy("export heading", "billing_line2"),
    "billing_line3": pgettext_lazy("export heading", "billing_line3"),
    "billing_line4": pgettext_lazy("export heading", "billing_line4"),
    "billing_city": pgettext_lazy("export heading", "billing_city"),
    "billing_region": pgettext_lazy("export heading", "billing_region"),
    "billing_postal_code": pgettext_lazy("export heading", "billing_postal_code"),
    "billing_country": pgettext_lazy("export heading", "billing_country"),
    "tax_id": pgettext_lazy("export heading", "tax_id"),
    "tax_id_country": pgettext_lazy("export heading", "tax_id_country"),
    "is_tax_exempt": pgettext_lazy("export heading", "is_tax_exempt"),
    "price_level": pgettext_lazy("export heading", "price_level"),
    "default_discount": pgettext_lazy("export heading", "default_discount"),
    "is_employee": pgettext_lazy("export heading", "is_employee"),
    "birth_date": pgettext_lazy("export heading", "birth_date"),
    "home_location": pgettext_lazy("export heading", "home_location"),
    "location_groups": pgettext_lazy("export heading", "location_groups"),
    "tags": pgettext_lazy("export heading", "tags"),
    "notes": pgettext_lazy("export heading", "notes"),
    "total_purchases": pgettext_lazy("export heading", "total_purchases"),
    "sale_count": pgettext_lazy("export heading", "sale_count"),
    "visit_count": pgettext_lazy("export heading", "visit_count"),
    "last_purchase_at": pgettext_lazy("export heading", "last_purchase_at"),
    "created_at": pgettext_lazy("export heading", "created_at"),
    "updated_at": pgettext_lazy("export heading", "updated_at"),
}


def heading(name: str) -> str:
    return str(HEADINGS[name]) if name in HEADINGS else name


def customers_matching(query: CustomerFilter) -> QuerySet[Customer]:
    """The customers a list shows with these filters (a search: its best matches, as the list)."""
    if query.search.strip():
        return Customer.objects.filter(pk__in=[hit.customer_id for hit in search_customers(query)])
    return filter_customers(query)


def list_order(query: CustomerFilter, *, caller: Location | None = None) -> array:
    """The ids of the customers a list shows with these filters, in the list's order (its sort, or
    a search's best matches first): what an export of the list as seen on screen follows. Kept as
    an array of 8-byte ids, so the order of a million customers takes 8 MB."""
    if query.search.strip():
        return array("q", [hit.customer_id for hit in search_customers(query, caller=caller)])
    return array("q", filter_customers(query).values_list("pk", flat=True).iterator(chunk_size=CHUNK))


def list_subject(query: CustomerFilter) -> list[str]:
    """The words of an export's file name that say what the list holds: its search and filters
    ("customers", "status", "active", "tag", "vip"). The till's usual statuses say nothing."""
    words = ["customers"]
    if query.search.strip():
        words += ["search", query.search]
    if query.statuses:
        words += ["status", *query.statuses]
    elif not query.till_only:
        words += ["status", "all"]
    if query.kind:
        words += ["kind", query.kind]
    if query.location is not None:
        words += ["location", query.location.code or query.location.name]
    if query.tag:
        words += ["tag", query.tag]
    return words


FILE_NAME_SUBJECT_MAX = 100


def export_file_name(subject: Sequence[str], format_key: str, *, at: datetime | None = None) -> str:
    """A file name that says what an export holds and when it was made, in the current time zone
    (the staff user's store): "customers-status-active-tag-vip-2026-12-06-2215.csv". ASCII only,
    so that every browser and file system keeps it as it is."""
    words = slugify("-".join(str(word) for word in subject))[:FILE_NAME_SUBJECT_MAX].strip("-") or "customers"
    moment = timezone.localtime(at or timezone.now())
    return f"{words}-{moment:%Y-%m-%d-%H%M}.{FORMATS[format_key].extension}"


# --- the records ------------------------------------------------------------------------------------

def records(customers: QuerySet[Customer]) -> Iterator[dict]:
    """Each customer of the queryset as a plain record, in order of creation (id), chunk by chunk."""
    last_id = 0
    while True:
        chunk = list(customers.filter(pk__gt=last_id).order_by("pk").values(*CUSTOMER_COLUMNS)[:CHUNK])
        if not chunk:
            return
        yield from _completed(chunk)
        last_id = chunk[-1]["id"]


def records_in_order(customers: QuerySet[Customer], order: Sequence[int]) -> Iterator[dict]:
    """The customers of ``order`` (ids) that the queryset keeps, as records in that order, chunk by chunk."""
    for start in range(0, len(order), CHUNK):
        ids = list(order[start:start + CHUNK])
        rows = {row["id"]: row for row in customers.filter(pk__in=ids).values(*CUSTOMER_COLUMNS)}
        chunk = [rows[customer_id] for customer_id in ids if customer_id in rows]
        if chunk:
            yield from _completed(chunk)


def _completed(chunk: list[dict]) -> list[dict]:
    """The chunk's customers with their phones, e-mails, addresses, tags and location groups."""
    by_id = {row["id"]: {**row, "phones": [], "emails": [], "addresses": [], "tags": [], "location_groups": []}
             for row in chunk}
    low, high = min(by_id), max(by_id)
    # A chunk's ids are close together: a range is far cheaper for the ORM to build than 2,000 ids
    # in an IN list; rows of customers the filters left out are skipped below.
    belongs = {"customer_id__gte": low, "customer_id__lte": high} if high - low < 4 * CHUNK \
        else {"customer_id__in": list(by_id)}
    add_contact_points(by_id)
    parts = [
        ("addresses", Address.objects.values_list("customer_id", "kind", "label", *ADDRESS_FIELDS),
         ("kind", "label", *ADDRESS_FIELDS)),
        ("tags", Customer.tags.through.objects.order_by("tag__name").values_list("customer_id", "tag__name"), None),
        ("location_groups", Customer.location_groups.through.objects.order_by("locationgroup__name").values_list(
            "customer_id", "locationgroup__name"), None),
    ]
    for key, rows, fields in parts:
        for customer_id, *values in rows.filter(**belongs):
            if customer_id in by_id:
                by_id[customer_id][key].append(dict(zip(fields, values, strict=True)) if fields else values[0])
    return list(by_id.values())


# --- flat formats: one row per customer -------------------------------------------------------------

# How a column's cell is written: TEXT, NUMBER, YES_NO and MOMENT read a key of the record;
# ADDRESS is one field of the customer's first address of a kind; LISTED is computed (a call).
TEXT, NUMBER, YES_NO, MOMENT, ADDRESS, LISTED = "text", "number", "yes_no", "moment", "address", "listed"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    source: object  # the record's key; (address kind, field) for ADDRESS; a function for LISTED


_NO_ADDRESS = dict.fromkeys(("kind", "label", *ADDRESS_FIELDS), "")


def _with_addresses_by_kind(record: dict) -> dict:
    """Index the record's addresses by kind once, not once per address column (flat formats)."""
    by_kind: dict[str, dict] = {}
    for address in record["addresses"]:
        by_kind.setdefault(address["kind"], address)
    record["_addresses_by_kind"] = by_kind
    return record


def _listed(key: str, *fields: str) -> Callable[[dict], str]:
    """Several items in one cell: "mobile:+4915123456789; work:+49301234567" (none or two fields)."""
    if not fields:
        return lambda record: LIST_SEPARATOR.join(record[key])
    first, second = fields
    return lambda record: LIST_SEPARATOR.join([f"{item[first]}:{item[second]}" for item in record[key]])


def flat_columns() -> list[Column]:
    """The columns of CSV and XLSX, custom fields last (one column each, by key)."""
    def plain(name: str, kind: str = TEXT, source: str | None = None) -> Column:
        return Column(name, kind, source or name)

    columns = [
        plain("id", NUMBER, "uuid"), plain("account_number"), plain("kind"), plain("status"),
        plain("first_name"), plain("name_prefix"), plain("last_name"), plain("name"),
        Column("phones", LISTED, _listed("phones", "kind", "e164")),
        Column("emails", LISTED, _listed("emails", "kind", "address")),
        *(Column(f"{kind}_{field}", ADDRESS, (kind, field))
          for kind in (AddressKind.CONTACT, AddressKind.BILLING) for field in ADDRESS_FIELDS),
        plain("tax_id"), plain("tax_id_country"), plain("is_tax_exempt", YES_NO),
        plain("price_level", TEXT, "price_level__code"), plain("default_discount", NUMBER),
        plain("is_employee", YES_NO), plain("birth_date", NUMBER), plain("home_location", TEXT, "home_location__code"),
        Column("location_groups", LISTED, _listed("location_groups")), Column("tags", LISTED, _listed("tags")),
        plain("notes"), plain("total_purchases", NUMBER), plain("sale_count", NUMBER), plain("visit_count", NUMBER),
        plain("last_purchase_at", MOMENT), plain("created_at", MOMENT), plain("updated_at", MOMENT),
    ]
    for key in CustomFieldDefinition.objects.order_by("position", "key").values_list("key", flat=True):
        columns.append(Column(f"custom.{key}", LISTED,
                              lambda record, key=key: _custom_text(record["custom_fields"].get(key))))
    return columns


def _custom_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # every start is one character
_YES_NO_TEXT = {True: "true", False: "false", None: ""}


def spreadsheet_safe(value: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula (test S7)."""
    return f"'{value}" if value[:1] in _FORMULA_FIRST else value


def _moment_text(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else ""


def _csv_plan(columns: list[Column]) -> list[tuple[str, object, list]]:
    """The columns as steps of (kind, address kind, sources): side-by-side columns of one kind (and
    of one address kind) are one step, so a row takes a dozen steps rather than forty."""
    plan: list[tuple[str, object, list]] = []
    for column in columns:
        group, source = (column.source if column.kind == ADDRESS else (None, column.source))
        if plan and plan[-1][:2] == (column.kind, group):
            plan[-1][2].append(source)
        else:
            plan.append((column.kind, group, [source]))
    return plan


def csv_head(columns: list[Column]) -> str:
    """RFC 4180 CSV (CRLF, quoted where needed), UTF-8 with a byte order mark so that spreadsheet
    programs read the accents right: the mark and the header row."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([heading(column.name) for column in columns])
    return "\ufeff" + buffer.getvalue()


def csv_rows(customers: Iterable[dict], columns: list[Column]) -> Iterator[str]:
    """The customers' CSV rows, in pieces of a few hundred."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # writes None as an empty cell
    plan, first = _csv_plan(columns), _FORMULA_FIRST
    for count, record in enumerate(customers, start=1):
        addresses = _with_addresses_by_kind(record)["_addresses_by_kind"]
        row = []
        # comprehensions, not a call per cell: the cells are most of the time of a million rows
        for kind, address_kind, sources in plan:
            if kind == NUMBER:
                row += [record[key] for key in sources]  # numbers, dates and the id: their str()
            elif kind == YES_NO:
                row += [_YES_NO_TEXT[record[key]] for key in sources]
            elif kind == MOMENT:
                row += [_moment_text(record[key]) for key in sources]
            # text: spreadsheet_safe inline, in one comprehension per step (a list between costs ~4 %)
            elif kind == TEXT:
                row += [f"'{value}" if (value := record[key]) and value[0] in first else value for key in sources]
            elif kind == ADDRESS:
                address = addresses.get(address_kind, _NO_ADDRESS)
                row += [f"'{value}" if (value := address[key]) and value[0] in first else value for key in sources]
            else:
                row += [f"'{value}" if (value := text_of(record)) and value[0] in first else value
                        for text_of in sources]
        writer.writerow(row)
        if count % 500 == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def xlsx_rows(customers: Iterable[dict], columns: list[Column]) -> Iterator[str]:
    """The customers' rows of the XLSX sheet, in pieces of a few hundred: text typed as text (so
    "=1+1" is shown, never computed), numbers as numbers, dates and moments as dates (UTC)."""
    plan, pieces = _csv_plan(columns), []
    for count, record in enumerate(customers, start=1):
        texts, cells = _xlsx_cells(_with_addresses_by_kind(record), plan)
        if not xlsx.all_plain(texts):  # one check a row: few rows have text that needs escaping
            cells = _xlsx_cells(record, plan, xlsx.text_cell)[1]
        pieces.append(f"<row>{''.join(cells)}</row>")
        if count % 500 == 0:
            yield "".join(pieces)
            pieces = []
    yield "".join(pieces)


def _xlsx_cells(record: dict, plan: list, text_cell: Callable[[str], str] | None = None) -> tuple[list, list]:
    """The row's texts and cells; without ``text_cell`` the texts are written as they are."""
    addresses, texts, cells = record["_addresses_by_kind"], [], []
    typed, moment = xlsx.value_cell, xlsx.moment_cell
    for kind, address_kind, sources in plan:
        if kind == TEXT:
            values = [record[key] for key in sources]
        elif kind == ADDRESS:
            address = addresses.get(address_kind, _NO_ADDRESS)
            values = [address[key] for key in sources]
        elif kind == LISTED:
            values = [text_of(record) for text_of in sources]
        elif kind == MOMENT:
            cells += [moment(record[key]) for key in sources]
            continue
        else:  # numbers, dates, the id (a UUID, written as text) and yes/no (a boolean)
            cells += [typed(record[key]) for key in sources]
            continue
        texts += values
        cells += [f'<c t="inlineStr"><is><t>{value}</t></is></c>' if value else "<c/>" for value in values] \
            if text_cell is None else [text_cell(value) for value in values]
    return texts, cells


# --- vCard 4.0 (RFC 6350) ---------------------------------------------------------------------------

_VCARD_PHONE_TYPES = {"mobile": "cell", "home": "home", "work": "work", "fax": "fax"}
_VCARD_ADDRESS_TYPES = {AddressKind.CONTACT: "home", AddressKind.BILLING: "work", AddressKind.SHIPPING: "work"}


def vcards(customers: Iterable[dict]) -> Iterator[str]:
    for record in customers:
        yield vcard(record)


def vcard(record: dict) -> str:
    """One customer as a vCard 4.0: persons with N, companies and placeholders with ORG."""
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"UID:urn:uuid:{record['uuid']}", f"FN:{_escape(record['name'])}"]
    if record["kind"] == "person":
        family = " ".join(part for part in (record["name_prefix"], record["last_name"]) if part)  # "van der Berg"
        lines += ["KIND:individual", f"N:{_escape(family)};{_escape(record['first_name'])};;;"]
    else:
        lines += ["KIND:org", f"ORG:{_escape(record['name'])}"]
    lines += [f"TEL;VALUE=uri;TYPE={_VCARD_PHONE_TYPES.get(phone['kind'], 'voice')}:tel:{phone['e164']}"
              for phone in record["phones"]]
    lines += [f"EMAIL;TYPE={'work' if email['kind'] == 'work' else 'home'}:{_escape(email['address'])}"
              for email in record["emails"]]
    for address in record["addresses"]:
        street = "\n".join(part for part in (address[f"line{n}"] for n in range(1, 5)) if part)
        parts = ["", "", street, address["city"], address["region"], address["postal_code"], address["country"]]
        label = f";LABEL={_parameter(address['label'])}" if address["label"] else ""
        lines.append(f"ADR;TYPE={_VCARD_ADDRESS_TYPES[address['kind']]}{label}:{';'.join(map(_escape, parts))}")
    if record["birth_date"]:
        lines.append(f"BDAY:{record['birth_date']:%Y%m%d}")
    if record["tags"]:
        lines.append(f"CATEGORIES:{','.join(map(_escape, record['tags']))}")
    if record["notes"]:
        lines.append(f"NOTE:{_escape(record['notes'])}")
    lines += [f"REV:{record['updated_at'].astimezone(UTC):%Y%m%dT%H%M%SZ}", "END:VCARD"]
    return "".join(_folded(line) for line in lines)


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _parameter(text: str) -> str:
    """A quoted parameter value (RFC 6868 escapes for quote, newline and caret)."""
    return '"' + text.replace("^", "^^").replace("\n", "^n").replace('"', "^'") + '"'


def _folded(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space (RFC 6350 3.2), never splitting
    a character."""
    if len(line) <= 18 or len(line.encode()) <= 75:  # most lines (a character is at most 4 octets)
        return line + "\r\n"
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return "\r\n ".join(out) + "\r\n"


# --- JSON ---------------------------------------------------------------------------------------------

def json_items(customers: Iterable[dict]) -> Iterator[str]:
    """The items of a JSON array of every customer with all its parts, amounts as strings (exact
    decimals); each begins with a comma, which the first one loses (see ``_assembled``)."""
    for record in customers:
        yield ",\n" + json.dumps(_json_record(record), ensure_ascii=False)


def _json_record(record: dict) -> dict:
    body = {key: value for key, value in record.items() if key not in {"id", "uuid", "price_level__code",
                                                                       "home_location__code"}}
    return {"id": str(record["uuid"]), **body, "price_level": record["price_level__code"],
            "home_location": record["home_location__code"],
            **{key: _json_scalar(record[key]) for key in ("birth_date", "default_discount", "total_purchases",
                                                          "last_purchase_at", "created_at", "updated_at")}}


def _json_scalar(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return _moment_text(value)
    return str(value)


# --- the export ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    media_type: str
    extension: str


FORMATS = {
    "csv": ExportFormat("csv", "CSV", "text/csv; charset=utf-8", "csv"),
    "xlsx": ExportFormat("xlsx", "Excel (XLSX)",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "vcf": ExportFormat("vcf", "vCard 4.0", "text/vcard; charset=utf-8", "vcf"),
    "json": ExportFormat("json", "JSON", "application/json", "json"),
}


def export_customers(*, actor: Actor, customers: QuerySet[Customer], format_key: str,
                     jobs: int = 1, order: Sequence[int] | None = None) -> Iterator[bytes]:
    """The customers in one of FORMATS, as pieces of bytes to stream (an XLSX zip too, as it is
    written), in order of creation, or in ``order`` (ids, e.g. ``list_order``: a list as it is on
    screen) when given, of which ``customers`` keeps some. ``jobs`` > 1 writes the rows in that
    many worker processes (see ``_in_parallel``), in order of creation only."""
    require(actor, "customers.export")
    if format_key not in FORMATS:
        raise ValueError(f"Unknown export format {format_key!r}")
    customers = customers.order_by()
    if format_key == "xlsx" and (count := len(order) if order is not None else customers.count()) \
            > XLSX_MAX_CUSTOMERS:
        raise ValidationFailed(_("An XLSX sheet holds at most %(xlsx_max_customers)s customers and these are "
                                 "%(count)s: export them as CSV, or narrow the filters.") % {
            "xlsx_max_customers": format(XLSX_MAX_CUSTOMERS, ","), "count": format(count, ",")}, field="format")
    log.info("%s exports customers as %s", actor.label, format_key)
    return _encoded(format_key, customers, jobs, order)


@dataclass(frozen=True)
class _TextLayout:
    """A text format: a head, the customers' text in order, a tail."""
    head: str
    body: Callable[[Iterable[dict]], Iterator[str]]
    tail: str = ""
    separator: str = ""  # begins each customer's text but the first one's


def _layout(format_key: str) -> _TextLayout:
    if format_key == "csv":
        columns = flat_columns()
        return _TextLayout(csv_head(columns), lambda customers: csv_rows(customers, columns))
    if format_key == "json":
        return _TextLayout("[", json_items, "\n]\n", separator=",")
    if format_key == "xlsx":
        columns = flat_columns()
        return _TextLayout(xlsx.sheet_head([heading(column.name) for column in columns]),
                           lambda customers: xlsx_rows(customers, columns), xlsx.SHEET_TAIL)
    return _TextLayout("", vcards)


def _encoded(format_key: str, customers: QuerySet[Customer], jobs: int,
             order: Sequence[int] | None) -> Iterator[bytes]:
    layout = _layout(format_key)
    slices = _slices(customers) if jobs > 1 and order is None else []
    if len(slices) > 1:  # one slice is too few to be worth a worker
        pieces = _assembled(layout, _in_parallel(layout, customers, slices, jobs))
    else:
        chosen = records(customers) if order is None else records_in_order(customers, order)
        pieces = _assembled(layout, map(str.encode, layout.body(chosen)))
    if format_key == "xlsx":  # the sheet is the text; the workbook zips it as it comes
        pieces = xlsx.workbook("Customers", pieces)
    yield from pieces


def _assembled(layout: _TextLayout, bodies: Iterable[bytes]) -> Iterator[bytes]:
    yield layout.head.encode()
    first, separator = True, layout.separator.encode()
    for body in bodies:
        if first and body:
            body, first = body.removeprefix(separator), False
        yield body
    yield layout.tail.encode()


# --- in parallel: the admin's export of a whole database (patron export --jobs) -------------------------

_SLICE = 5 * CHUNK  # ids per task: big enough that handing the text back costs little


def _slices(customers: QuerySet[Customer]) -> list[tuple[int, int]]:
    """The customers' range of ids cut into slices of _SLICE ids (from, to excluded)."""
    bounds = customers.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return []
    return [(start, start + _SLICE) for start in range(bounds["first"], bounds["last"] + 1, _SLICE)]


def _in_parallel(layout: _TextLayout, customers: QuerySet[Customer], slices: list[tuple[int, int]],
                 jobs: int) -> Iterator[bytes]:
    """The customers' text written by ``jobs`` worker processes, a slice of ids each, put together
    in order (``core.workers.in_order``): formatting a row costs far more than writing it. Needs
    committed data (a worker cannot see an open transaction)."""
    def slice_text(bounds: tuple[int, int]) -> bytes:
        return "".join(layout.body(records(customers.filter(pk__gte=bounds[0], pk__lt=bounds[1])))).encode()

    return in_order(slice_text, slices, jobs)


def download(pieces: Iterator[bytes], format_key: str, file_name: str = "") -> StreamingHttpResponse:
    """An export as a file download, streamed as it is written; ``file_name`` is ASCII
    (``export_file_name``)."""
    export = FORMATS[format_key]
    response = StreamingHttpResponse(pieces, content_type=export.media_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name or "customers." + export.extension}"'
    return response
