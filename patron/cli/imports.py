"""``patron import``: customers from a CSV or XLSX file, with a dry run, progress, resume and rollback."""

from __future__ import annotations

import sys
import time

from patron.cli.common import CliError, cli_actor, positive_int
from patron.core.workers import DEFAULT_WORKERS, settled_for_a_long_run
from patron.transfer.imports import jobs
from patron.transfer.imports.mappings import MATCH_KEYS, all_targets
from patron.transfer.models import ImportJob, ImportStatus


def register(commands) -> None:
    imports = commands.add_parser("import", help="import customers from a file, resume or roll back an import",
                                  description="Import customers from CSV or XLSX files.")
    sub = imports.add_subparsers(dest="import_command", required=True, metavar="WHAT")
    customers = sub.add_parser(
        "customers", help="import customers from FILE",
        description="Import customers from a CSV (any common delimiter; UTF-8 with or without BOM, or --encoding) "
                    "or XLSX file. The exports of Shopify, Square, Lightspeed (X-Series), Mailchimp and Patron are "
                    "recognised; any other file is mapped with --map. A row that matches a customer by the match "
                    "key updates them, another creates one. Every row goes through the same rules as the back "
                    "office. Rows are committed in batches: an interrupted import is resumed with "
                    "`patron import resume JOB`, and a finished one undone with `patron import rollback JOB`.")
    customers.add_argument("file", metavar="FILE")
    customers.add_argument("--dry-run", action="store_true",
                           help="check every row and report each problem; write nothing")
    customers.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                           help="fill FIELD from COLUMN (repeat; FIELD blank ignores the column; "
                                "`patron import fields` lists the fields)")
    customers.add_argument("--mapping", default="", metavar="NAME", help="use a saved mapping")
    customers.add_argument("--save-mapping", default="", metavar="NAME", help="save this file's mapping as NAME")
    customers.add_argument("--match-key", choices=list(MATCH_KEYS), default="",
                           help="how a row finds its customer (default: the file's kind decides)")
    customers.add_argument("--channel", default="", metavar="CODE",
                           help="the webshop channel whose external references the file holds")
    customers.add_argument("--encoding", default="", help="the file's encoding if not UTF-8, e.g. cp1252")
    customers.add_argument("--delimiter", default="", help="the CSV delimiter if not detected, e.g. ';' or tab")
    customers.add_argument("--batch-size", type=positive_int, default=jobs.DEFAULT_BATCH,
                           help="rows per transaction, at most 1000 (default: %(default)s)")
    customers.add_argument("--strict", action="store_true",
                           help="reject a row with an invalid phone or e-mail (default: import the customer "
                                "without that value and list it as a warning)")
    customers.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_jobs(customers)
    customers.set_defaults(handler=import_customers)

    for name, handler, text in (("resume", resume_import, "go on with an interrupted import"),
                                ("rollback", rollback_import, "undo a whole import"),
                                ("show", show_import, "an import's counts and problems")):
        command = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        command.add_argument("job", metavar="JOB", help="the import's number (see `patron import list`)")
        command.add_argument("--quiet", action="store_true", help="no progress bar")
        if name == "resume":
            _add_jobs(command)
        command.set_defaults(handler=handler)
    run = sub.add_parser("run", help="run a queued import (what the back office starts in the background)")
    run.add_argument("job", metavar="JOB")
    run.add_argument("--check", action="store_true", help="the dry run")
    run.add_argument("--quiet", action="store_true")
    _add_jobs(run)
    run.set_defaults(handler=run_queued)
    sub.add_parser("list", help="recent imports").set_defaults(handler=list_imports)
    sub.add_parser("fields", help="the fields a column can fill").set_defaults(handler=list_fields)


def _add_jobs(command) -> None:
    command.add_argument("--jobs", "-j", type=positive_int, default=DEFAULT_WORKERS, metavar="N",
                         help="N processes: N-1 read and check the rows ahead while one writes them (default: "
                              "%(default)s, the processors here up to 4; 1 does all in this process)")


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        column, separator, target = pair.partition("=")
        if not separator:
            raise CliError(f"--map {pair!r}: write COLUMN=FIELD")
        mapping[column.strip()] = target.strip()
    return mapping


@settled_for_a_long_run()
def import_customers(args) -> None:
    actor = cli_actor()
    job = jobs.create_job(actor=actor, source=args.file, file_name=args.file, mapping=_mapping(args.map),
                          match_key=args.match_key, channel_code=args.channel, encoding=args.encoding,
                          delimiter=args.delimiter, saved_mapping=args.mapping, batch_size=args.batch_size,
                          keep_source=True, strict=args.strict)
    _describe(job)
    if args.save_mapping:
        jobs.save_mapping(actor=actor, name=args.save_mapping, job=job)
        print(f"Mapping saved as {args.save_mapping!r}.", file=sys.stderr)
    if args.dry_run:
        job = jobs.check_job(job, actor=actor, progress=_bar(args, "Checking"), workers=args.jobs)
    else:
        job = jobs.run_job(job, actor=actor, progress=_bar(args, "Importing"), workers=args.jobs)
    _report(job)


def _describe(job: ImportJob) -> None:
    mapped = {column: target for column, target in job.mapping.items() if target}
    print(f"Import {job.pk}: {job.file_name}" + (f" (recognised: {job.profile})" if job.profile else ""),
          file=sys.stderr)
    for column, target in mapped.items():
        print(f"  {column} -> {target}", file=sys.stderr)
    ignored = [column for column, target in job.mapping.items() if not target]
    if ignored:
        print(f"  ignored: {', '.join(ignored)}", file=sys.stderr)
    print(f"  match key: {job.match_key}", file=sys.stderr)


def _job(text: str) -> ImportJob:
    job = ImportJob.objects.filter(pk=int(text) if text.isdigit() else None).first()
    if job is None:
        raise CliError(f"There is no import {text}; see `patron import list`.")
    return job


@settled_for_a_long_run()
def resume_import(args) -> None:
    job = jobs.run_job(_job(args.job), actor=cli_actor(), progress=_bar(args, "Importing"), workers=args.jobs)
    _report(job)


@settled_for_a_long_run()
def run_queued(args) -> None:
    job = _job(args.job)
    run = jobs.check_job if args.check else jobs.run_job
    _report(run(job, actor=jobs.actor_of(job), progress=_bar(args, "Working"), workers=args.jobs))


def rollback_import(args) -> None:
    job = jobs.rollback_job(actor=cli_actor(), job=_job(args.job))
    print(f"Import {job.pk} rolled back: {job.created_count} created customers removed (or marked deleted), "
          f"{job.updated_count} updated customers restored.")


def show_import(args) -> None:
    _report(_job(args.job))


def list_imports(args) -> None:
    for job in ImportJob.objects.all()[:50]:
        print(f"{job.pk:>5}  {job.created_at:%Y-%m-%d %H:%M}  {_status(job):<22} {job.committed_rows:>9,} "
              f"rows  {job.file_name}" + (f" — {_next_step(job)}" if job.is_stalled else ""))


def _status(job: ImportJob) -> str:
    return "stalled" if job.is_stalled else job.get_status_display()


def _resume(job: ImportJob) -> str:
    return f"patron import resume {job.pk}"


def _next_step(job: ImportJob) -> str:
    """How a stalled job goes on: a stalled dry run is checked again, not imported."""
    if job.status == ImportStatus.CHECKING:
        return f"check again with `patron import run {job.pk} --check`"
    return f"resume with `{_resume(job)}`"


def list_fields(args) -> None:
    for key, label in all_targets().items():
        if key:
            print(f"{key:<28} {label}")


def _report(job: ImportJob) -> None:
    if job.status == ImportStatus.CHECKED:
        report = job.check_report
        print(f"Dry run of import {job.pk}: {report['created']:,} would be created, {report['updated']:,} updated, "
              f"{report['unchanged']:,} unchanged, {report['rejected']:,} rejected, {report.get('warned', 0):,} "
              f"warnings, {report.get('duplicated', 0):,} rows likely duplicates. Nothing was written.")
        for item in report.get("duplicates", []):
            print(f"  LIKELY DUPLICATE line {item['line']} (row {item['row']}): the same as {item['other']}? "
                  f"score {item['score']:.2f} ({item['reasons']})")
    else:
        print(f"Import {job.pk}: {_status(job).lower()}; {job.committed_rows:,} of {job.total_rows or 0:,} "
              f"rows: {job.created_count:,} created, {job.updated_count:,} updated, {job.unchanged_count:,} "
              f"unchanged, {job.rejected_count:,} rejected, {job.warning_count:,} warnings.")
    for problem in jobs.job_problems(job, limit=200):
        column = f" [{problem['column']}]" if problem.get("column") else ""
        print(f"  line {problem['line']} (row {problem['row']}){column}: {problem['message']}")
    for warning in jobs.job_warnings(job, limit=200):
        column = f" [{warning['column']}]" if warning.get("column") else ""
        print(f"  WARNING line {warning['line']} (row {warning['row']}){column} {warning['value']!r} left out: "
              f"{warning['message']}")
    if job.is_stalled:
        raise CliError(f"Import {job.pk} stalled: its worker stopped before the end (a crash, a kill or a "
                       f"restart); {_next_step(job)}.")
    if job.error:
        raise CliError(f"Import {job.pk} stopped: {job.error} Fix it and run `{_resume(job)}`.")


def _bar(args, verb: str):
    """A progress bar on standard error, redrawn at most ten times a second (a line per tenth of the
    file when standard error is not a terminal, e.g. a log)."""
    if getattr(args, "quiet", False):
        return None
    started, last, is_terminal = time.perf_counter(), [0.0, -1], sys.stderr.isatty()

    def show(job: ImportJob) -> None:
        now = time.perf_counter()
        total = job.total_rows or 1
        done = min(job.processed_rows / total, 1)
        rate = job.processed_rows / max(now - started, 1e-6)
        line = f"{verb} [{'#' * int(done * 30):<30}] {job.processed_rows:,}/{total:,} rows, {rate:,.0f}/s"
        if not is_terminal:
            if int(done * 10) > last[1]:
                last[1] = int(done * 10)
                print(line, file=sys.stderr, flush=True)
            return
        if now - last[0] < 0.1 and done < 1:
            return
        last[0] = now
        print(f"\r{line}", end="\n" if done >= 1 else "", file=sys.stderr, flush=True)
    return show
