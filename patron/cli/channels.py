"""``patron channel ...``: the webshops that deliver customers, and their signing secrets."""

from __future__ import annotations

import sys
from datetime import timedelta

from django.utils import timezone

from patron.channels import actions
from patron.channels.queries import channel_by_code, channels_with_counts
from patron.cli.common import CliError, cli_actor, positive_int, print_table
from patron.locations.queries import get_location_by_code


def register(commands) -> None:
    channel = commands.add_parser(
        "channel", help="webshop channels that send their customers",
        description="Configure webshop channels. A webshop POSTs its customers to "
                    "/api/v1/channels/CODE/customers, signed with the channel's secret (docs/api.md, "
                    "\"Webshop channel\").")
    channel_commands = channel.add_subparsers(dest="channel_command", required=True, metavar="COMMAND")
    add = channel_commands.add_parser(
        "add", help="add a channel and print its signing secret",
        description="Add a webshop channel. Its signing secret goes to standard output and is shown only this "
                    "once: give it to the webshop.")
    add.add_argument("code", help="lower-case letters, digits and dashes; part of the delivery address")
    add.add_argument("--name", required=True, help="the webshop's name, as the back office shows it")
    add.add_argument("--store", metavar="CODE", help="location code: the home store of customers it creates")
    _add_secret_stdin(add)
    add.set_defaults(handler=add_channel)
    channel_commands.add_parser("list", help="list channels",
                                description="List channels (never their secrets).").set_defaults(
        handler=list_channels)
    rotate = channel_commands.add_parser(
        "rotate", help="give a channel a new signing secret",
        description="Give the channel a new signing secret and print it once. The old secret keeps working "
                    "for 24 hours so the webshop can switch.")
    rotate.add_argument("code")
    _add_secret_stdin(rotate)
    rotate.set_defaults(handler=rotate_channel)
    deactivate = channel_commands.add_parser(
        "deactivate", help="stop accepting a channel's deliveries",
        description="Deactivate a channel: its deliveries are refused (401) from now on; its customers stay.")
    deactivate.add_argument("code")
    deactivate.set_defaults(handler=deactivate_channel)
    purge = channel_commands.add_parser(
        "purge-deliveries", help="delete old entries of the delivery log",
        description="Delete delivery log entries older than --days (default 30); run it daily. A delivery "
                    "repeated after that changes nothing, as the customer's reference still holds what was applied.")
    purge.add_argument("--days", type=positive_int, default=30)
    purge.set_defaults(handler=purge_deliveries)


def _add_secret_stdin(parser) -> None:
    parser.add_argument("--secret-stdin", action="store_true",
                        help="read the secret from standard input instead of generating one (e.g. the key "
                             "Shopify signs its webhooks with)")


def _given_secret(args) -> str | None:
    if not args.secret_stdin:
        return None
    secret = sys.stdin.readline().strip()
    if not secret:
        raise CliError("No secret on standard input.")
    return secret


def _print_secret(message: str, secret: str, given: bool) -> None:
    if given:
        print(message + ".", file=sys.stderr)
        return
    # The secret alone on stdout, so scripts can capture it: SECRET=$(patron channel add ...)
    print(message + ". Its signing secret, shown only this once:", file=sys.stderr)
    print(secret)


def add_channel(args) -> None:
    location = get_location_by_code(args.store) if args.store else None
    given = _given_secret(args)
    channel, secret = actions.create_channel(actor=cli_actor(), code=args.code, name=args.name, location=location,
                                             secret=given)
    _print_secret(f"Added channel {channel.code} ({channel.name}); it delivers to "
                  f"/api/v1/channels/{channel.code}/customers", secret, given is not None)


def list_channels(args) -> None:
    print_table([
        {"code": channel.code, "name": channel.name, "active": "yes" if channel.is_active else "no",
         "store": channel.location.code if channel.location else "", "customers": channel.reference_count,
         "secret since": timezone.localtime(channel.secret_rotated_at).strftime("%Y-%m-%d %H:%M")}
        for channel in channels_with_counts().select_related("location")
    ])


def rotate_channel(args) -> None:
    given = _given_secret(args)
    channel, secret = actions.rotate_secret(actor=cli_actor(), channel=channel_by_code(args.code), secret=given)
    until = timezone.localtime(channel.previous_secret_expires_at).strftime("%Y-%m-%d %H:%M")
    _print_secret(f"New secret for channel {channel.code}; the old one works until {until}", secret,
                  given is not None)


def deactivate_channel(args) -> None:
    channel = channel_by_code(args.code)
    was_active = channel.is_active
    actions.deactivate_channel(actor=cli_actor(), channel=channel)
    print(f"{'Deactivated' if was_active else 'Already inactive'}: channel {channel.code}.")


def purge_deliveries(args) -> None:
    purged = actions.purge_deliveries(older_than=timedelta(days=args.days))
    print(f"Deleted {purged} delivery log entries older than {args.days} days.")
