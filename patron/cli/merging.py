"""``patron customers merge|unmerge``: merging duplicate customers, and undoing a merge."""

from __future__ import annotations

from patron.cli.common import cli_actor, print_json
from patron.merging import actions
from patron.merging.queries import merge_summary, record_by_reference


def register(customer_commands) -> None:
    merge = customer_commands.add_parser(
        "merge", help="merge customers into one",
        description="Merge OTHER customers into SURVIVOR in one transaction: their sales, orders, contacts, "
                    "phones, e-mails, addresses, tags, credit and points follow the survivor, and they become "
                    "tombstones pointing at it (their account numbers and ids still find it). The survivor keeps "
                    "its values and takes the others' where it has none. Undo with 'patron customers unmerge'.")
    merge.add_argument("survivor", metavar="SURVIVOR", help="account number or id of the customer that stays")
    merge.add_argument("others", metavar="OTHER", nargs="+", help="account number or id of a customer merged in")
    merge.add_argument("--take", action="append", default=[], metavar="FIELD=CUSTOMER",
                       help="take FIELD's value from CUSTOMER (account number or id); repeat for several")
    merge.add_argument("--key", default="", help="an idempotency key: the same key again does not merge twice")
    merge.add_argument("--json", action="store_true", help="print the merge as JSON")
    merge.set_defaults(handler=merge_command)

    unmerge = customer_commands.add_parser(
        "unmerge", help="undo a merge",
        description="Undo a merge within its window (PATRON_MERGE_UNDO_DAYS, 30 by default): every merged "
                    "record comes back as it was; what was added to the survivor since stays with it.")
    unmerge.add_argument("merge", metavar="MERGE_ID")
    unmerge.add_argument("--json", action="store_true", help="print the merge and its report as JSON")
    unmerge.set_defaults(handler=unmerge_command)


def merge_command(args) -> None:
    survivor = record_by_reference(args.survivor)
    others = [record_by_reference(reference) for reference in args.others]
    choices = {}
    for taken in args.take:
        field, _sep, reference = taken.partition("=")
        choices[field.strip()] = str(record_by_reference(reference).uuid)
    merge = actions.merge_customers(actor=cli_actor(), survivor=survivor, others=others, field_choices=choices,
                                    idempotency_key=f"cli:{args.key}" if args.key else "")
    _print(merge, args.json, f"Merged {len(others)} into {survivor.account_number} {survivor.name}.")


def unmerge_command(args) -> None:
    merge = actions.unmerge(actor=cli_actor(), merge=actions.merge_by_uuid(args.merge))
    stayed = len(merge.report.get("stayed", []))
    _print(merge, args.json, f"Undid merge {merge.uuid}: restored {len(merge.report['restored'])} customer(s); "
                             f"{stayed} record(s) added since stay with the survivor.")


def _print(merge, as_json: bool, sentence: str) -> None:
    if as_json:
        print_json(merge_summary(merge))
        return
    print(sentence)
    print(f"Merge id: {merge.uuid}")
