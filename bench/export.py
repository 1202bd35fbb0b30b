"""``make bench-export``: exporting every customer of a loaded database, in each format.

    python -m bench.export --database URL [--formats csv xlsx vcf json]

URL is a database loaded earlier, e.g. by ``make bench-lookup SIZE=1000000 KEEP=1`` (it prints
its DATABASE_URL). Each export runs as ``patron export customers --format F --jobs J --output
FILE`` in a child process, each format once in one process and once with the default
workers; the table gives its wall time, customers per second, the file's size and the child's
peak memory (RSS). The baseline of the same run is ``patron customers list --limit 1``, the cost
of starting the command at all, and the goal of issue 5 is 1,000,000 customers in under a minute
with flat memory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import REPO, print_rows
from tests.cli_support import environment

PATRON = str(Path(sys.executable).with_name("patron"))
GOAL_SECONDS_PER_MILLION = 60


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="DATABASE_URL of a loaded database")
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx", "vcf", "json"])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as work:
        env = environment(Path(work) / "var", args.database)
        customers = _count(env)
        print(f"Export benchmark: {customers:,} customers in {args.database}. Load average: "
              f"{' '.join(f'{value:.1f}' for value in os.getloadavg())}.", flush=True)
        start_seconds, start_rss = _run([PATRON, "customers", "list", "--limit", "1"], env)
        rows = [["baseline: patron customers list --limit 1", f"{start_seconds:.1f}", "", "", f"{start_rss:.0f}", ""]]
        failed = False
        for format_key in args.formats:
            for jobs in ("1", "default"):
                output = Path(work) / f"customers.{format_key}"
                seconds, rss = _run([PATRON, "export", "customers", "--format", format_key, "--output", str(output),
                                     *(["--jobs", jobs] if jobs != "default" else [])], env)
                per_million = seconds / customers * 1_000_000
                met = per_million < GOAL_SECONDS_PER_MILLION
                failed |= not met and jobs == "default"
                label = "1 process" if jobs == "1" else "default --jobs"
                rows.append([f"export {format_key}, {label}", f"{seconds:.1f}",
                             f"{customers / seconds:,.0f}", f"{output.stat().st_size / 1e6:,.1f}", f"{rss:.0f}",
                             f"{'PASS' if met else 'FAIL'} ({per_million:.0f} s per million)"])
                output.unlink()
        print_rows(["run", "seconds", "customers/s", "file MB", "peak RSS MB", "goal < 60 s per million"], rows)
        print(f"(peak RSS of the largest process; with workers there are that many more of about that size. "
              f"The default --jobs is the processors, up to 4 ({os.cpu_count()} here); the goal is judged on it)")
    return 1 if failed else 0


def _count(env: dict) -> int:
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'patron.settings'); django.setup(); "
            "from patron.customers.models import Customer; print(Customer.objects.count())")
    return int(subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, check=True, capture_output=True,
                              text=True).stdout)


def _run(command: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
