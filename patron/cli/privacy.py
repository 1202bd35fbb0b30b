"""``patron privacy``: subject-access exports, erasure requests and the job that carries out queued ones."""

from __future__ import annotations

import json
import sys

from patron.cli.common import cli_actor, counted, print_table
from patron.customers.queries import find_customer
from patron.privacy.erasure import erase_customer, run_due
from patron.privacy.export import export_customer
from patron.privacy.queries import FLAG_AFTER_DAYS, request_report


def register(commands) -> None:
    privacy = commands.add_parser("privacy", help="subject-access exports and erasure (GDPR)",
                                  description="A customer's data on request, and erasure with the retention "
                                              "the books need. Every action is audited.")
    actions = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write everything held about a customer to a zip",
                                description="One zip with a JSON and a CSV part per table and the photo.")
    export.add_argument("customer", metavar="CUSTOMER", help="account number or id")
    export.add_argument("--output", "-o", metavar="FILE", required=True, help="the zip file to write")
    export.set_defaults(handler=export_command)
    erase = actions.add_parser(
        "erase", help="erase a customer's personal data",
        description="Replace the customer's personal data by a tombstone, keeping sales and credit entries. "
                    "While the credit balance is not zero or the retention hold after the last sale runs, "
                    "the request is queued and `patron privacy run-due` carries it out later.")
    erase.add_argument("customer", metavar="CUSTOMER", help="account number or id")
    erase.add_argument("--reason", required=True, help="why (e.g. 'request by letter of 3 May'); no personal data")
    erase.set_defaults(handler=erase_command)
    requests = actions.add_parser("requests", help="list privacy requests, flagging late ones",
                                  description=f"Requests open more than {FLAG_AFTER_DAYS} days are flagged LATE.")
    requests.add_argument("--open", action="store_true", help="only requests not yet completed")
    requests.add_argument("--json", action="store_true", help="print JSON")
    requests.set_defaults(handler=requests_command)
    due = actions.add_parser("run-due", help="carry out queued erasures whose hold has cleared (for a scheduler)")
    due.set_defaults(handler=run_due_command)


def export_command(args) -> None:
    customer = find_customer(args.customer)
    with open(args.output, "wb") as out:
        manifest = export_customer(actor=cli_actor(), customer=customer, stream=out)
    rows = sum(part["rows"] for part in manifest["parts"])
    print(f"Wrote {counted(rows, 'row')} in {counted(len(manifest['parts']), 'table')} to {args.output}.",
          file=sys.stderr)


def erase_command(args) -> None:
    request = erase_customer(actor=cli_actor(), customer=find_customer(args.customer), reason=args.reason)
    if request.status == "done":
        print(f"Erased (request {request.uuid}).")
    else:
        print(f"Queued (request {request.uuid}): waits until {request.waiting_for}.")


def requests_command(args) -> None:
    lines = request_report(actor=cli_actor(), open_only=args.open)
    rows = [{"request": str(line.request.uuid), "kind": line.request.kind, "customer": str(line.request.customer_uuid),
             "status": line.request.status, "received": line.request.received_at.isoformat(timespec="seconds"),
             "completed": line.request.completed_at.isoformat(timespec="seconds") if line.request.completed_at else "",
             "days": line.days_open, "late": "LATE" if line.is_late else "", "waiting_for": line.request.waiting_for}
            for line in lines]
    if args.json:
        print(json.dumps(rows, indent=2))
    elif rows:
        print_table(rows, max_width=60)
    else:
        print("No privacy requests.")


def run_due_command(args) -> None:
    done = run_due(actor=cli_actor())
    print(f"Carried out {counted(len(done), 'erasure')}.")
