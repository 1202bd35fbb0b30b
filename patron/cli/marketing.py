"""``patron segment ...`` (saved filters over customers) and ``patron newsletter ...`` (the
Mailchimp sync, meant for cron)."""

from __future__ import annotations

import argparse
import sys

from patron.cli.common import CliError, cli_actor, counted, print_json, print_table
from patron.core.errors import NotFound
from patron.locations.models import LocationGroup
from patron.locations.queries import get_location_by_code
from patron.marketing import actions, queries
from patron.marketing.newsletter import sync_newsletter
from patron.transfer.exports import FORMATS, export_customers


def register(commands) -> None:
    segment = commands.add_parser("segment", help="customer segments for exports and the newsletter",
                                  description="Segments are saved filters over customers.")
    segment_commands = segment.add_subparsers(dest="segment_command", required=True, metavar="ACTION")
    listing = segment_commands.add_parser("list", help="list segments with their criteria")
    listing.add_argument("--format", choices=["table", "json"], default="table")
    listing.set_defaults(handler=list_segments)
    create = segment_commands.add_parser(
        "create", help="define a segment",
        description="Define a segment. Criteria left out keep everyone; those given must all hold.")
    create.add_argument("name")
    _add_criteria(create)
    create.set_defaults(handler=create_segment)
    delete = segment_commands.add_parser("delete", help="delete a segment")
    delete.add_argument("segment", metavar="NAME_OR_ID")
    delete.set_defaults(handler=delete_segment)
    export = segment_commands.add_parser(
        "export", help="export a segment's customers to a file",
        description="The customers the segment keeps now, in the export formats of the back office.")
    export.add_argument("segment", metavar="NAME_OR_ID")
    export.add_argument("--format", choices=list(FORMATS), default="csv", help="(default: %(default)s)")
    export.add_argument("--output", "-o", metavar="FILE", help="write to FILE (default: standard output)")
    export.set_defaults(handler=export_segment)

    newsletter = commands.add_parser("newsletter", help="sync consent and segments with Mailchimp",
                                     description="The newsletter platform (Mailchimp), set up by "
                                                 "PATRON_MAILCHIMP_API_KEY and PATRON_MAILCHIMP_LIST_ID.")
    newsletter_commands = newsletter.add_subparsers(dest="newsletter_command", required=True, metavar="ACTION")
    sync = newsletter_commands.add_parser(
        "sync", help="take back unsubscribes, then push consented customers",
        description="Take Mailchimp's unsubscribes and bounces back into the consent history, unsubscribe "
                    "withdrawn customers there, then upsert the segment's customers (or everyone with e-mail "
                    "consent) and tag them. Never subscribes anyone whose latest consent is a withdrawal.")
    sync.add_argument("--segment", metavar="NAME_OR_ID", help="push this segment's customers and tag them")
    sync.set_defaults(handler=run_sync)
    runs = newsletter_commands.add_parser("runs", help="the latest sync runs and what they did")
    runs.set_defaults(handler=list_runs)


def _add_criteria(parser) -> None:
    parser.add_argument("--description", default="")
    parser.add_argument("--status", action="append", default=[], help="keep this status (repeatable)")
    parser.add_argument("--tag", action="append", default=[], help="customers with this tag (repeatable: any)")
    parser.add_argument("--location", metavar="CODE", help="customers homed at this location or beneath it")
    parser.add_argument("--location-group", metavar="NAME")
    parser.add_argument("--min-spend", metavar="AMOUNT")
    parser.add_argument("--max-spend", metavar="AMOUNT")
    parser.add_argument("--last-purchase-after", metavar="YYYY-MM-DD")
    parser.add_argument("--last-purchase-before", metavar="YYYY-MM-DD")
    parser.add_argument("--email-consent", choices=["granted", "not_granted"])
    parser.add_argument("--sms-consent", choices=["granted", "not_granted"])
    parser.add_argument("--newsletter-tag", default="", help="tag on Mailchimp (default: the segment's name)")


def create_segment(args: argparse.Namespace) -> None:
    values = {"name": args.name, "description": args.description, "statuses": args.status, "tags": args.tag,
              "min_total_spend": args.min_spend, "max_total_spend": args.max_spend,
              "last_purchase_after": args.last_purchase_after, "last_purchase_before": args.last_purchase_before,
              "email_consent": args.email_consent or "", "sms_consent": args.sms_consent or "",
              "newsletter_tag": args.newsletter_tag}
    if args.location:
        values["home_location"] = get_location_by_code(args.location)
    if args.location_group:
        values["location_group"] = LocationGroup.objects.filter(name__iexact=args.location_group).first()
        if values["location_group"] is None:
            raise CliError(f"No location group named {args.location_group!r}.")
    segment = actions.create_segment(actor=cli_actor(), values=values)
    print(f"Created segment {segment.name} ({segment.uuid}): "
          f"{counted(queries.segment_customers(segment).count(), 'customer')} now.")


def list_segments(args: argparse.Namespace) -> None:
    segments = list(queries.list_segments())
    if args.format == "json":
        print_json([{"id": str(segment.uuid), **actions.describe_segment(segment)} for segment in segments])
    else:
        print_table([{"name": segment.name, "id": str(segment.uuid),
                      "customers": queries.segment_customers(segment).count()} for segment in segments])


def delete_segment(args: argparse.Namespace) -> None:
    segment = _segment(args.segment)
    actions.delete_segment(actor=cli_actor(), segment=segment)
    print(f"Deleted segment {segment.name}.")


def export_segment(args: argparse.Namespace) -> None:
    pieces = export_customers(actor=cli_actor(), customers=queries.segment_customers(_segment(args.segment)),
                              format_key=args.format)
    if args.output:
        with open(args.output, "wb") as out:
            for piece in pieces:
                out.write(piece)
    else:
        for piece in pieces:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()


def run_sync(args: argparse.Namespace) -> None:
    segment = _segment(args.segment) if args.segment else None
    run = sync_newsletter(actor=cli_actor(), segment=segment)
    done = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in run.counts.items() if value)
    print(f"Newsletter sync done: {done or 'nothing to do'}.")
    if run.error:
        print(f"Mailchimp refused some members: {run.error}", file=sys.stderr)


def list_runs(args: argparse.Namespace) -> None:
    print_table([{"started": f"{run.started_at:%Y-%m-%d %H:%M:%S}", "status": run.status,
                  "segment": run.segment.name if run.segment else "", "list": run.list_id,
                  "counts": ", ".join(f"{key} {value}" for key, value in run.counts.items() if value),
                  "error": run.error} for run in queries.sync_runs()], max_width=60)


def _segment(reference: str):
    try:
        return queries.get_segment(reference)
    except NotFound:
        raise CliError(f"No segment {reference!r} (see patron segment list).") from None
