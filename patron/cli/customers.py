"""``patron customers list|show``: finding and reading customers from the command line (merge and
unmerge: patron/cli/merging.py)."""

from __future__ import annotations

import datetime
import sys

from django.utils import timezone

from patron.cli import merging
from patron.cli.common import positive_int, print_csv, print_json, print_table
from patron.customers.models import Customer, CustomerKind, CustomerStatus, CustomFieldDefinition
from patron.customers.queries import SORTS, CustomerFilter, filter_customers, find_customer
from patron.lookup.queries import annotated, search_customers

LATEST_MESSAGES = 5
SHOWN = ("phones", "emails")


def register(commands) -> None:
    customers = commands.add_parser("customers", help="find and show customers",
                                    description="Find customers and show a customer's record.")
    customer_commands = customers.add_subparsers(dest="customers_command", required=True, metavar="COMMAND")

    listing = customer_commands.add_parser(
        "list", help="list customers",
        description="List customers, optionally filtered. The search is the till's lookup: names in any "
                    "order (accents, case and one typo forgiven), e-mails, phones in any format or their last "
                    "digits, account numbers and tax IDs; best matches first (--sort applies without it).")
    add_list_filters(listing)
    listing.add_argument("--sort", choices=list(SORTS), default="name", help="order (default: %(default)s)")
    listing.add_argument("--limit", type=positive_int, default=50,
                         help="at most this many (default: %(default)s)")
    listing.add_argument("--format", choices=("table", "json", "csv"), default="table",
                         help="output format (default: %(default)s)")
    listing.set_defaults(handler=list_customers)

    show = customer_commands.add_parser(
        "show", help="show one customer's record",
        description="Show a customer with phones, e-mails, addresses, contacts, representatives, custom "
                    "fields, notes and the latest messages.")
    show.add_argument("customer", metavar="ACCOUNT_NUMBER_OR_UUID")
    show.add_argument("--format", choices=("text", "json"), default="text",
                      help="output format (default: %(default)s)")
    show.set_defaults(handler=show_customer)
    merging.register(customer_commands)


def add_list_filters(parser) -> None:
    """The customer list's filters, for every command that reads the list (list, export)."""
    parser.add_argument("--search", metavar="Q", default="", help="what to look for (the till's lookup)")
    parser.add_argument("--status", action="append", choices=CustomerStatus.values,
                        help="only this status (repeat for several)")
    parser.add_argument("--kind", choices=CustomerKind.values, help="only this kind")
    parser.add_argument("--tag", default="", help="only customers with this tag")


def list_filter(args, **options) -> CustomerFilter:
    return CustomerFilter(search=args.search, statuses=tuple(args.status or ()), kind=args.kind or "",
                          tag=args.tag, **options)


# --- list -------------------------------------------------------------------------------------

def list_customers(args) -> None:
    query = list_filter(args, sort=args.sort)
    customers, total = _listed(query, args.limit)
    rows = [_summary(customer) | _what_matched(customer) for customer in customers]
    if args.format == "json":
        print_json(rows)
    elif args.format == "csv":
        print_csv(rows)
    else:
        print_table(rows)
        if total > len(rows):
            print(f"Showing {len(rows)} of {total} customers; use --limit to see more.", file=sys.stderr)
        elif not rows:
            print("No customers match.", file=sys.stderr)


def _listed(query: CustomerFilter, limit: int) -> tuple[list[Customer], int]:
    """The first ``limit`` customers of the list and how many it has: a search comes from the
    lookup, best matches first; otherwise in the chosen order."""
    if query.search.strip():
        hits = search_customers(query)
        shown = Customer.objects.select_related("home_location").prefetch_related(*SHOWN)
        return annotated(hits[:limit], shown), len(hits)
    customers = filter_customers(query).prefetch_related(*SHOWN)
    return list(customers[:limit]), customers.count()


def _what_matched(customer: Customer) -> dict:
    """For a search (customers as ``annotated`` gives them): what matched."""
    matched_on = getattr(customer, "matched_on", None)
    return {"matched_on": matched_on} if matched_on else {}


def _summary(customer: Customer) -> dict:
    phone = next(iter(customer.phones.all()), None)
    email = next(iter(customer.emails.all()), None)
    return {
        "account_number": customer.account_number, "name": customer.name, "kind": customer.kind,
        "status": customer.status, "phone": phone.number if phone else "",
        "email": email.address if email else "", "home": customer.home_location.code,
        "uuid": str(customer.uuid),
    }


# --- show -------------------------------------------------------------------------------------

def show_customer(args) -> None:
    customer = find_customer(args.customer)
    if args.format == "json":
        print_json(customer_document(customer))
    else:
        print("\n".join(_text(customer)))


def customer_document(customer: Customer) -> dict:
    """Everything ``show`` prints, as plain JSON-ready data (codes, not labels)."""
    document = {
        "uuid": str(customer.uuid), "account_number": customer.account_number, "kind": customer.kind,
        "status": customer.status, "name": customer.name, "first_name": customer.first_name,
        "last_name": customer.last_name, "birth_date": _iso(customer.birth_date), "tax_id": customer.tax_id,
        "tax_id_country": customer.tax_id_country, "is_tax_exempt": customer.is_tax_exempt,
        "price_level": customer.price_level.code, "default_discount": str(customer.default_discount),
        "is_employee": customer.is_employee, "home_location": customer.home_location.code,
        "location_groups": [group.name for group in customer.location_groups.all()],
        "tags": [tag.name for tag in customer.tags.all()], "custom_fields": customer.custom_fields,
        "phones": [{"kind": phone.kind, "number": phone.number, "e164": phone.e164}
                   for phone in customer.phones.all()],
        "emails": [{"kind": email.kind, "address": email.address} for email in customer.emails.all()],
        "addresses": [_address(address) for address in customer.addresses.all()],
        "contacts": [_contact(contact) for contact in customer.contacts.all()],
        "representatives": [_link(link.person, link.role) for link in customer.representations.all()],
        "represents": [_link(link.company, link.role) for link in customer.companies_represented.all()],
        "notes": customer.notes,
        "latest_messages": [_message(message) for message in customer.messages.all()[:LATEST_MESSAGES]],
        "version": customer.version, "created_at": _iso(customer.created_at),
        "updated_at": _iso(customer.updated_at),
    }
    if customer.is_placeholder:
        document.update(track_sales=customer.track_sales,
                        always_formal_invoice=customer.always_formal_invoice)
    return document


def _address(address) -> dict:
    return {"kind": address.kind, "label": address.label, "lines": address.lines, "city": address.city,
            "region": address.region, "postal_code": address.postal_code, "country": address.country}


def _contact(contact) -> dict:
    return {"name": str(contact), "role": contact.role, "email": contact.email,
            "mobile_phone": contact.mobile_phone, "phone": contact.phone,
            "is_authorized_buyer": contact.is_authorized_buyer, "is_active": contact.is_active}


def _link(customer: Customer, role: str) -> dict:
    return {"account_number": customer.account_number, "name": customer.name, "role": role}


def _message(message) -> dict:
    return {"occurred_at": _iso(message.occurred_at), "channel": message.channel,
            "direction": message.direction, "subject": message.subject, "author": message.author_label}


def _iso(value: datetime.date | None) -> str | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value.isoformat() if value else None


def _text(customer: Customer) -> list[str]:
    """The record for a terminal: a heading, the simple fields, then one block per list."""
    document = customer_document(customer)
    lines = [f"{customer.name} ({customer.account_number})", ""]
    fields = {
        "Kind": customer.get_kind_display(), "Status": customer.get_status_display(),
        "Home location": f"{customer.home_location.code} {customer.home_location.name}",
        "Location groups": ", ".join(document["location_groups"]), "Birth date": document["birth_date"],
        "Tax ID": f"{customer.tax_id} ({customer.tax_id_country})" if customer.tax_id else "",
        "Price level": customer.price_level.code, "Discount": f"{customer.default_discount}%",
        "Tax exempt": _yes_no(customer.is_tax_exempt), "Employee": _yes_no(customer.is_employee),
        "Tags": ", ".join(document["tags"]), "Id": document["uuid"], "Version": customer.version,
    }
    if customer.is_placeholder:
        fields.update({"Track sales": _yes_no(customer.track_sales),
                       "Formal invoice": _yes_no(customer.always_formal_invoice)})
    lines += [f"  {label + ':':<16} {value}" for label, value in fields.items() if value not in ("", None)]
    for title, entries in _blocks(customer, document):
        if entries:
            lines += ["", f"{title}:", *(f"  {entry}" for entry in entries)]
    return lines


def _blocks(customer: Customer, document: dict) -> list[tuple[str, list[str]]]:
    labels = dict(CustomFieldDefinition.objects.values_list("key", "label"))
    return [
        ("Phones", [f"{phone['kind']}: {phone['number']}" for phone in document["phones"]]),
        ("E-mails", [f"{email['kind']}: {email['address']}" for email in document["emails"]]),
        ("Addresses", [_address_line(address) for address in customer.addresses.all()]),
        ("Contacts", [_contact_line(contact) for contact in document["contacts"]]),
        ("Representatives", [_link_line(link) for link in document["representatives"]]),
        ("Represents", [_link_line(link) for link in document["represents"]]),
        ("Custom fields", [f"{labels.get(key, key)}: {value}"
                           for key, value in document["custom_fields"].items()]),
        ("Notes", document["notes"].splitlines()),
        ("Latest messages", [f"{message['occurred_at'][:10]} {message['channel']} {message['direction']}: "
                             f"{message['subject']}" for message in document["latest_messages"]]),
    ]


def _address_line(address) -> str:
    label = f" ({address.label})" if address.label else ""
    return f"{address.get_kind_display()}{label}: {address}"


def _link_line(link: dict) -> str:
    return f"{link['name']} ({link['account_number']}) {link['role']}".rstrip()


def _contact_line(contact: dict) -> str:
    details = [contact["role"], "authorized buyer" if contact["is_authorized_buyer"] else "",
               contact["mobile_phone"] or contact["phone"], contact["email"],
               "" if contact["is_active"] else "inactive"]
    return " · ".join([contact["name"], *(detail for detail in details if detail)])


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
