"""``patron duplicates scan|list|show|not-same``: the duplicate scan and its review queue."""

from __future__ import annotations

import argparse
import sys

from patron.cli.common import CliError, cli_actor, counted, positive_int, print_json, print_table
from patron.core.errors import NotFound
from patron.core.workers import settled_for_a_long_run
from patron.duplicates import actions, queries, scan
from patron.duplicates.models import DuplicatePair, PairStatus
from patron.duplicates.rules import EVIDENCE, reason_words
from patron.locations.queries import get_location_by_code


def register(commands) -> None:
    duplicates = commands.add_parser("duplicates", help="find likely duplicate customers and review them",
                                     description="The duplicate scan and its review queue (docs/architecture.md, "
                                                 "Duplicates).")
    actions_ = duplicates.add_subparsers(dest="duplicates_command", required=True, metavar="ACTION")
    run = actions_.add_parser(
        "scan", help="find pairs of likely duplicates",
        description="Compare customers that share a blocking key and write the pairs that score to the review "
                    "queue. Without --incremental every customer is checked; with it, only those created or "
                    "changed since the last scan (run it from cron every few minutes).")
    run.add_argument("--incremental", action="store_true", help="only customers created or changed since")
    run.add_argument("--rebuild-keys", action="store_true",
                     help="compute every customer's blocking keys afresh first (after changing the rules)")
    run.set_defaults(handler=run_scan)
    listing = actions_.add_parser("list", help="the review queue, strongest first")
    listing.add_argument("--status", choices=PairStatus.values, default=PairStatus.OPEN)
    listing.add_argument("--location", metavar="CODE", help="either customer homed at this location")
    listing.add_argument("--reason", choices=[code for code, e in EVIDENCE.items() if e.label is not None])
    listing.add_argument("--limit", type=positive_int, default=50)
    listing.add_argument("--json", action="store_true", help="JSON instead of a table")
    listing.set_defaults(handler=list_pairs)
    show = actions_.add_parser("show", help="one pair, the two records side by side")
    show.add_argument("pair", type=positive_int, metavar="PAIR_ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_pair)
    not_same = actions_.add_parser("not-same", help="the two customers of a pair are different people")
    not_same.add_argument("pair", type=positive_int, metavar="PAIR_ID")
    not_same.add_argument("--json", action="store_true")
    not_same.set_defaults(handler=mark_not_same)


@settled_for_a_long_run()
def run_scan(args: argparse.Namespace) -> None:
    if args.incremental and args.rebuild_keys:
        raise CliError("--rebuild-keys goes with a full scan, not --incremental.")
    if args.incremental:
        result = scan.incremental_scan()
    else:
        result = scan.full_scan(rebuild=args.rebuild_keys, progress=lambda line: print(line, file=sys.stderr))
    print(f"Checked {counted(result.customers, 'customer')}, compared {counted(result.compared, 'pair')}: "
          f"{result.proposed} proposed or updated, {result.removed} no longer likely, in {result.seconds:.1f} s. "
          f"Open pairs in the queue: {DuplicatePair.objects.filter(status=PairStatus.OPEN).count()}.")


def pair_summary(pair: DuplicatePair) -> dict:
    def customer(record):
        return {"id": str(record.uuid), "account_number": record.account_number, "name": record.name,
                "home_location": str(record.home_location)}

    return {"id": pair.pk, "score": pair.score, "status": pair.status, "reasons": reason_words(pair.codes),
            "reason_codes": pair.codes, "first": customer(pair.first), "second": customer(pair.second),
            "merge_url": queries.merge_url(pair.first, pair.second)}


def list_pairs(args: argparse.Namespace) -> None:
    location = get_location_by_code(args.location) if args.location else None
    rows = list(queries.pairs(queries.QueueFilter(status=args.status, location=location,
                                                  reason=args.reason or ""))[:args.limit])
    if args.json:
        print_json([pair_summary(pair) for pair in rows])
    elif rows:
        print_table([{"id": pair.pk, "score": f"{pair.score:.2f}", "first": pair.first.name,
                      "second": pair.second.name, "reasons": reason_words(pair.codes)} for pair in rows])
    else:
        print("No pairs.")


def _pair(pair_id: int) -> DuplicatePair:
    pair = queries.pairs(queries.QueueFilter(status="")).filter(pk=pair_id).first()
    if pair is None:
        raise CliError(f"No pair {pair_id} (see patron duplicates list).")
    return pair


def show_pair(args: argparse.Namespace) -> None:
    pair = _pair(args.pair)
    rows = queries.side_by_side(pair)
    if args.json:
        print_json({**pair_summary(pair), "fields": rows})
        return
    print(f"Pair {pair.pk}: score {pair.score:.2f} ({reason_words(pair.codes)}), {pair.status}")
    print_table([{"": "≠" if row["differs"] else "", "field": row["field"], "first": row["first"],
                  "second": row["second"]} for row in rows])


def mark_not_same(args: argparse.Namespace) -> None:
    try:
        pair = actions.mark_not_same(actor=cli_actor(), pair_id=args.pair)
    except NotFound:
        raise CliError(f"No pair {args.pair} (see patron duplicates list).") from None
    pair = _pair(pair.pk)
    if args.json:
        print_json(pair_summary(pair))
    else:
        print(f"Pair {pair.pk}: {pair.first.name} and {pair.second.name} are not the same customer; "
              f"they will not be proposed again.")
