"""Entry point of the ``patron`` console script.

Django is set up before the commands are imported, so they can import models at module level.
Expected failures (a domain rule, an unknown customer, a failed backup) end as one line on stderr
and exit status 1; wrong usage exits with 2, as argparse does.
"""

from __future__ import annotations

import os
import sys

import django

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    django.setup()
    from patron.cli.commands import build_parser
    from patron.cli.common import EXPECTED_ERRORS, one_line

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except EXPECTED_ERRORS as error:
        print(f"patron: error: {one_line(error)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the output went to a pager or `head` that quit early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
