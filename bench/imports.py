"""``make bench-import``: importing generated customer files into an empty database, per engine.

    python -m bench.imports [--sizes 100000 1000000] [--engines sqlite postgresql] [--pg-url URL]

For each size, the first N rows of the generator's stream (../data/customers_<N>.csv, else
generated) are imported by ``patron import customers FILE`` in a child process into an empty,
migrated scratch database: all rows are new customers (match key "none"), once in one process
(``--jobs 1``) and once with the default workers checking rows ahead. The table gives the wall
time, rows per second, the child's peak memory (RSS) and the outcome; the baseline of the same run
is reading the file alone (Python's csv module, no database), and the ceiling of one process is
reading and checking the rows as an import does, without writing (``--read-and-check``, in a child
on the migrated SQLite database). Every rate is also given as a ratio to that one. Goals of
issue 16: at least 10,000 rows/s on each engine, peak RSS under 400 MB at 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ENGINE_NAMES, ENGINES, REPO, pg_reachable, print_rows, scratch_database_url
from bench.lookup import customer_data
from tests.cli_support import environment

GOAL_ROWS_PER_SECOND = 10_000
GOAL_RSS_MB = 400
# The checkout's own code (``python -m`` puts the working directory first on sys.path), not
# whatever checkout the venv's ``patron`` script was installed from.
PATRON = [sys.executable, "-m", "patron.cli"]
COUNTED_PATRON = [sys.executable, "-m", "bench.engine_time"]  # the same command, the engine's CPU time counted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[100_000])
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--read-and-check", metavar="FILE", help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args(argv)
    if args.read_and_check:
        _django()
        print(_read_and_check(Path(args.read_and_check)))
        return 0
    engines = [engine for engine in args.engines if engine != "postgresql" or pg_reachable(args.pg_url)]
    os.environ.setdefault("DATABASE_URL", args.pg_url if "postgresql" in engines else "")
    _django()
    rows, failed = [], False
    with tempfile.TemporaryDirectory(prefix="bench-import-") as work:
        for size in args.sizes:
            source = _first_rows(customer_data(size), size, Path(work) / f"customers_{size}.csv")
            reading = _read_rate(source)
            checked = _read_and_check_rate(source, Path(work) / f"check-{size}")
            rows.append([f"{size:,}", "read the file alone (csv module)", "",
                         f"{reading:,.0f} ({reading / checked['rate']:.2f}x)", "", "", "", "", ""])
            rows.append([f"{size:,}", "read and check the rows, 1 process, no writes", f"{checked['seconds']:.1f}",
                         f"{checked['rate']:,.0f} (1x)", f"{checked['rss']:.0f}",
                         f"{checked['cpu_per_row'] * 1e6:,.0f}",
                         f"{checked['cpu_per_row'] * GOAL_ROWS_PER_SECOND:.1f}", "", ""])
            for engine in engines:
                for jobs in ("1", "default"):
                    outcome = _import(engine, source, Path(work) / f"{engine}-{size}-{jobs}", jobs)
                    met = outcome["rate"] >= GOAL_ROWS_PER_SECOND and (size < 1_000_000 or outcome["rss"] < GOAL_RSS_MB)
                    failed |= not met and jobs == "default"
                    rows.append([f"{size:,}", f"import into {ENGINE_NAMES[engine]}, "
                                 f"{'1 process' if jobs == '1' else 'default --jobs'}", f"{outcome['seconds']:.1f}",
                                 f"{outcome['rate']:,.0f} ({outcome['rate'] / checked['rate']:.2f}x)",
                                 f"{outcome['rss']:.0f}",
                                 f"{outcome['cpu_per_row'] * 1e6:,.0f} ({outcome['engine_per_row'] * 1e6:,.0f})",
                                 f"{outcome['cpu_per_row'] * GOAL_ROWS_PER_SECOND:.1f} "
                                 f"({1 / outcome['engine_per_row']:,.0f}/s)",
                                 outcome["summary"], "PASS" if met else "FAIL"])
    print(f"Import benchmark. Load average: {' '.join(f'{value:.1f}' for value in os.getloadavg())}.")
    print_rows(["rows", "run", "seconds", "rows/s (x read and check)", "peak RSS MB",
                "CPU us/row (engine's)", f"cores for {GOAL_ROWS_PER_SECOND:,}/s (engine alone)", "outcome",
                f"goal >= {GOAL_ROWS_PER_SECOND:,}/s, RSS < {GOAL_RSS_MB} MB"], rows)
    print(f"(the default --jobs is the processors, up to 4 ({os.cpu_count()} here); the goal is judged on it. "
          "Peak RSS is the writing process's. CPU per row: the import's processes, and on PostgreSQL the "
          "server process of its writing connection; in brackets the database engine's part of it "
          "(bench/engine_time.py). Cores: what that CPU comes to at the goal's rate; in brackets the most "
          "rows/s one writer could reach if its own Python took no time)")
    return 1 if failed else 0


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    django.setup()


def _first_rows(source: Path, size: int, target: Path) -> Path:
    with open(source, encoding="utf-8") as stream, open(target, "w", encoding="utf-8") as out:
        for number, line in enumerate(stream):
            if number > size:
                break
            out.write(line)
    return target


def _read_rate(path: Path) -> float:
    started = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as stream:
        count = sum(1 for _ in csv.DictReader(stream))
    return count / (time.perf_counter() - started)


def _read_and_check_rate(source: Path, work: Path) -> dict:
    """Rows per second of one process reading and checking the file as an import's checking
    worker does (mapping, places, match key, every rule of a new customer), writing nothing: the
    most one process doing all of an import could reach. In a child, on a migrated SQLite database
    (the rules read the shop's settings)."""
    work.mkdir()
    env = environment(work / "var", f"sqlite:///{work / 'check.sqlite3'}")
    subprocess.run([*PATRON, "migrate"], env=env, cwd=REPO, check=True, capture_output=True)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "bench.imports", "--read-and-check", str(source)],
                               env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"reading and checking failed:\n{process.stderr.read().decode()}")
    seconds, cpu = (float(figure) for figure in process.stdout.read().decode().split())
    with open(source, newline="", encoding="utf-8") as stream:
        count = sum(1 for _ in csv.reader(stream)) - 1
    return {"seconds": time.perf_counter() - started, "rate": count / seconds, "rss": usage.ru_maxrss / 1024,
            "cpu_per_row": cpu / count}


def _read_and_check(source: Path) -> str:
    """(In the child) the seconds it takes to read and check every row of ``source``, after Django
    is set up, as ``patron import customers FILE --match-key none`` would with ``--jobs 1``, but
    without the writing."""
    from patron.core.actors import system_actor
    from patron.transfer.imports import jobs

    actor = system_actor("bench")
    job = jobs.create_job(actor=actor, source=str(source), file_name=source.name, match_key="none",
                          keep_source=True)
    started, cpu = time.perf_counter(), time.process_time()
    for batch in jobs._batches(job, start_after=0):
        jobs._read_rows(job, batch, actor, check_ahead=True)
    return f"{time.perf_counter() - started:.3f} {time.process_time() - cpu:.3f}"


def _import(engine: str, source: Path, work: Path, jobs: str) -> dict:
    work.mkdir()
    with scratch_database_url(engine, work) as url:
        env = environment(work / "var", url)
        subprocess.run([*PATRON, "migrate"], env=env, cwd=REPO, check=True, capture_output=True)
        print(f"  importing {source.name} into {ENGINE_NAMES[engine]} ...", flush=True)
        started = time.perf_counter()
        process = subprocess.Popen([*COUNTED_PATRON, "import", "customers", str(source), "--match-key", "none",
                                    "--quiet", *(["--jobs", jobs] if jobs != "default" else [])],
                                   env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        output, errors = process.stdout.read().decode(), process.stderr.read().decode()
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"the import failed:\n{errors}")
    found = re.search(r"([\d,]+) created, ([\d,]+) updated, ([\d,]+) unchanged, ([\d,]+) rejected", output)
    created, rejected = (int(found.group(index).replace(",", "")) for index in (1, 4))
    total = created + rejected
    engine_cpu = float(re.search(r"engine-cpu-seconds=([\d.]+)", errors).group(1))
    # the import's processes (the writer and the checking workers it waited for), and on
    # PostgreSQL the server process of the writer's connection too
    cpu = usage.ru_utime + usage.ru_stime + (engine_cpu if engine == "postgresql" else 0.0)
    return {"seconds": seconds, "rate": total / seconds, "rss": usage.ru_maxrss / 1024,
            "summary": f"{created:,} created, {rejected:,} rejected",
            "cpu_per_row": cpu / total, "engine_per_row": engine_cpu / total}


if __name__ == "__main__":
    sys.exit(main())
