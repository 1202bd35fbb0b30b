"""``patron user ...`` and ``patron token ...``: staff logins and API tokens."""

from __future__ import annotations

import getpass
import sys

from django.utils import timezone

from patron.cli.common import CliError, cli_actor, print_table
from patron.core.errors import NotFound
from patron.core.permissions import Role
from patron.locations.queries import get_location_by_code
from patron.staff import actions
from patron.staff.models import ApiToken
from patron.staff.queries import api_tokens, staff_users

PREFIX_LENGTH = 12  # as ApiToken.prefix stores it: "ptn_" and the secret's first 8 characters


def register(commands) -> None:
    user = commands.add_parser("user", help="staff users who log in to the back office",
                               description="Create and list staff users.")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="COMMAND")
    create = user_commands.add_parser(
        "create", help="create a staff user",
        description="Create a staff user. Without --password-stdin the password is asked for twice.")
    create.add_argument("username")
    _add_role_and_store(create, "where the user works; customers they create are homed there")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input instead of asking")
    create.set_defaults(handler=create_user)
    user_commands.add_parser("list", help="list staff users",
                             description="List staff users with their role and store.").set_defaults(
        handler=list_users)

    token = commands.add_parser("token", help="API tokens for POS terminals and webshops",
                                description="Create, list and revoke API tokens.")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="COMMAND")
    create = token_commands.add_parser(
        "create", help="create an API token and print its secret",
        description="Create an API token. The secret goes to standard output and is shown only this once; "
                    "the API client sends it as `Authorization: Bearer <secret>`.")
    create.add_argument("name", help="the terminal or shop that uses the token, e.g. 'Till 1'")
    _add_role_and_store(create, "the store of the terminal; customers created through it are homed there")
    create.set_defaults(handler=create_token)
    token_commands.add_parser("list", help="list API tokens",
                              description="List API tokens (never their secrets).").set_defaults(
        handler=list_tokens)
    revoke = token_commands.add_parser("revoke", help="revoke an API token",
                                       description="Revoke an API token: it stops working at once.")
    revoke.add_argument("token", metavar="PREFIX_OR_ID",
                        help=f"the token's id or its {PREFIX_LENGTH}-character prefix, "
                             "as `patron token list` shows")
    revoke.set_defaults(handler=revoke_token)


def _add_role_and_store(parser, store_help: str) -> None:
    parser.add_argument("--role", required=True, choices=Role.values,
                        help="what it may do (see docs/permissions.md)")
    parser.add_argument("--store", metavar="CODE", help=f"location code: {store_help}")


def _location(code: str | None):
    return get_location_by_code(code) if code else None


# --- users ------------------------------------------------------------------------------------

def create_user(args) -> None:
    location = _location(args.store)
    password = _read_password(from_stdin=args.password_stdin)
    user = actions.create_user(actor=cli_actor(), username=args.username, password=password, role=args.role,
                               location=location)
    print(f"Created {user.role} {user.username}" + (f" at {location.code}." if location else "."))


def _read_password(*, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError("No password on standard input.")
        return password
    if not sys.stdin.isatty():
        raise CliError("There is no terminal to ask for the password: pipe it in with --password-stdin.")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != password:
        raise CliError("The two passwords differ; nothing was created.")
    return password


def list_users(args) -> None:
    print_table([
        {"username": user.username, "role": user.role, "store": user.location.code if user.location else "",
         "active": "yes" if user.is_active else "no", "last login": _moment(user.last_login)}
        for user in staff_users()
    ])


# --- tokens -----------------------------------------------------------------------------------

def create_token(args) -> None:
    location = _location(args.store)
    token, secret = actions.create_api_token(actor=cli_actor(), name=args.name, role=args.role,
                                             location=location)
    where = f" at {location.code}" if location else ""
    # The secret alone on stdout, so scripts can capture it: SECRET=$(patron token create ...)
    print(f"Created API token {token.name!r} (id {token.pk}, {token.role}{where}). "
          "Its secret, shown only this once:", file=sys.stderr)
    print(secret)


def list_tokens(args) -> None:
    print_table([
        {"id": token.pk, "prefix": token.prefix, "name": token.name, "role": token.role,
         "store": token.location.code if token.location else "", "created": _moment(token.created_at),
         "last used": _moment(token.last_used_at), "revoked": _moment(token.revoked_at)}
        for token in api_tokens()
    ])


def revoke_token(args) -> None:
    token = _find_token(args.token)
    was_active = token.is_active
    token = actions.revoke_api_token(actor=cli_actor(), token=token)
    state = "Revoked" if was_active else "Already revoked"
    print(f"{state}: API token {token.name!r} (id {token.pk}, {token.prefix}).")


def _find_token(reference: str) -> ApiToken:
    reference = reference.strip()
    if reference.isdigit():
        matches = ApiToken.objects.filter(pk=int(reference))
    elif len(reference) >= PREFIX_LENGTH:  # the prefix, or the whole secret
        matches = ApiToken.objects.filter(prefix=reference[:PREFIX_LENGTH])
    else:
        raise CliError(f"Give the token's id or its whole {PREFIX_LENGTH}-character prefix "
                       "(see `patron token list`).")
    tokens = list(matches[:2])
    if not tokens:
        raise NotFound(f"No API token has the id or prefix “{reference}”.", code="token-not-found")
    if len(tokens) > 1:
        raise CliError(f"Several tokens have the prefix {reference[:PREFIX_LENGTH]}: revoke by id instead.")
    return tokens[0]


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
