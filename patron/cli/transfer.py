"""``patron export customers``: the customer list to a file, in the formats of the back office."""

from __future__ import annotations

import sys
import time

from patron.cli.common import cli_actor
from patron.cli.customers import add_list_filters, list_filter
from patron.core.workers import DEFAULT_WORKERS
from patron.transfer.exports import FORMATS, customers_matching, export_customers


def register(commands) -> None:
    export = commands.add_parser("export", help="export customers to a file",
                                 description="Export data to a file (or standard output).")
    export_commands = export.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    customers = export_commands.add_parser(
        "customers", help="export customers",
        description="Export every customer, or those the filters keep (the back office list's filters; "
                    "--search is the till's lookup), in order of creation. Streamed: memory stays flat "
                    "however many customers. Text cells a spreadsheet would run as a formula begin with an "
                    "apostrophe (CSV) or are typed as text (XLSX).")
    customers.add_argument("--format", choices=list(FORMATS), default="csv",
                           help="csv, xlsx, vcf (vCard 4.0) or json (default: %(default)s)")
    customers.add_argument("--output", "-o", metavar="FILE",
                           help="write to FILE (default: standard output)")
    customers.add_argument("--jobs", "-j", type=int, default=DEFAULT_WORKERS, metavar="N",
                           help="write the rows in N worker processes, each with its own database "
                                "connection (default: %(default)s, the processors here up to 4; 1 writes in "
                                "this process alone)")
    add_list_filters(customers)
    customers.set_defaults(handler=export_customer_list)


def export_customer_list(args) -> None:
    if args.jobs < 1:
        raise SystemExit("patron export customers: --jobs must be 1 or more")
    pieces = export_customers(actor=cli_actor(), customers=customers_matching(list_filter(args)),
                              format_key=args.format, jobs=args.jobs)
    started, size = time.perf_counter(), 0
    if args.output:
        with open(args.output, "wb") as out:
            for piece in pieces:
                size += out.write(piece)
        print(f"Wrote {size:,} bytes to {args.output} in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    else:
        for piece in pieces:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()
