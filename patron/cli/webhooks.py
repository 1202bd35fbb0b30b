"""``patron webhook ...``: subscriptions that receive Patron's events, and their delivery log."""

from __future__ import annotations

import sys

from patron.cli.common import cli_actor, print_json, print_listing
from patron.events import actions, queries
from patron.events.kinds import EVENT_TYPES
from patron.events.models import DeliveryStatus


def register(commands) -> None:
    webhook = commands.add_parser(
        "webhook", help="webhook subscriptions: Patron's events sent to integrators",
        description="Subscriptions receive Patron's events (" + ", ".join(EVENT_TYPES) + ") as signed POSTs "
                    "(Standard Webhooks), at least once and in order per customer (docs/api.md, \"Webhooks\").")
    verbs = webhook.add_subparsers(dest="webhook_command", required=True, metavar="COMMAND")
    add = verbs.add_parser("add", help="add a subscription and print its signing secret once")
    add.add_argument("url")
    add.add_argument("--event", action="append", dest="events", default=[], metavar="TYPE",
                     help="an event type it receives (repeat it); none: every type")
    add.add_argument("--description", default="")
    add.set_defaults(handler=add_subscription)
    listing = verbs.add_parser("list", help="subscriptions with their waiting and delivered counts")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_subscriptions)
    for name, handler, text in (("pause", pause, "hold its deliveries back"), ("resume", resume, "send again"),
                                ("remove", remove, "send it nothing more"),
                                ("rotate-secret", rotate, "give it a new signing secret, printed once")):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument("subscription", metavar="ID", help="its id, or the start of it")
        verb.set_defaults(handler=handler)
    log = verbs.add_parser("deliveries", help="the delivery log of a subscription, newest first")
    log.add_argument("subscription", metavar="ID")
    log.add_argument("--status", choices=DeliveryStatus.values, default="")
    log.add_argument("--limit", type=int, default=50)
    log.add_argument("--json", action="store_true")
    log.set_defaults(handler=list_deliveries)
    again = verbs.add_parser("redeliver", help="send a delivery again (same event id)")
    again.add_argument("subscription", metavar="ID")
    again.add_argument("delivery", type=int, metavar="DELIVERY")
    again.set_defaults(handler=redeliver)


def add_subscription(args) -> None:
    subscription, secret = actions.create_subscription(actor=cli_actor(), url=args.url, event_types=args.events,
                                                       description=args.description)
    print(f"Subscription {subscription.uuid} added. Its signing secret, shown only this once:", file=sys.stderr)
    print(secret)


def _summary(subscription) -> dict:
    return {"id": str(subscription.uuid), "url": subscription.url,
            "events": ", ".join(subscription.event_types) or "all",
            "state": "paused" if subscription.paused_at else "active",
            "waiting": subscription.waiting, "delivered": subscription.delivered}


def list_subscriptions(args) -> None:
    print_listing([_summary(subscription) for subscription in queries.subscriptions()], as_json=args.json,
                  empty="No webhook subscriptions.", max_width=60)


def pause(args) -> None:
    actions.pause_subscription(actor=cli_actor(), subscription=queries.get_subscription(args.subscription))
    print("Paused: deliveries wait until it is resumed.")


def resume(args) -> None:
    actions.resume_subscription(actor=cli_actor(), subscription=queries.get_subscription(args.subscription))
    print("Resumed: waiting deliveries go out now, oldest first.")


def remove(args) -> None:
    actions.remove_subscription(actor=cli_actor(), subscription=queries.get_subscription(args.subscription))
    print("Removed: nothing more is sent to it.")


def rotate(args) -> None:
    _, secret = actions.rotate_subscription_secret(actor=cli_actor(),
                                                   subscription=queries.get_subscription(args.subscription))
    print("New signing secret, shown only this once:", file=sys.stderr)
    print(secret)


def delivery_summary(delivery) -> dict:
    return {"id": delivery.pk, "event": f"msg_{delivery.event.uuid.hex}", "type": delivery.event.kind,
            "status": delivery.status, "attempts": delivery.attempts, "last_error": delivery.last_error,
            "created": delivery.created_at.isoformat(timespec="seconds"),
            "delivered": delivery.delivered_at.isoformat(timespec="seconds") if delivery.delivered_at else None,
            "log": [{"at": attempt.attempted_at.isoformat(timespec="seconds"), "status_code": attempt.status_code,
                     "error": attempt.error, "ms": attempt.duration_ms} for attempt in delivery.log.all()]}


def list_deliveries(args) -> None:
    deliveries = queries.deliveries_of(queries.get_subscription(args.subscription), status=args.status,
                                       limit=args.limit)
    rows = [delivery_summary(delivery) for delivery in deliveries]
    if args.json:
        print_json(rows)
    else:  # the attempts are in the JSON only
        print_listing([{key: value for key, value in row.items() if key != "log"} for row in rows], as_json=False,
                      empty="No deliveries.", max_width=50)


def redeliver(args) -> None:
    subscription = queries.get_subscription(args.subscription)
    actions.redeliver(actor=cli_actor(), delivery=queries.get_delivery(subscription, args.delivery))
    print("Queued to be sent again.")
