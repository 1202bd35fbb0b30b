"""``make bench-lookup``: finding customers among N, on SQLite and on PostgreSQL (issue 4).

Per engine: a scratch database; the first N rows of the generated customer data loaded through
``create_customers_in_bulk``; the lookup index rebuilt from scratch (timed); queries of twelve
types drawn from the data with a seed; then, against ``patron serve`` on that database, one client
and 8 client processes per query type, a trivial authenticated endpoint of the same server
(``bench.lookup_urls``), the engine alone in-process, customer creations through the API, and
the relevance of identifying queries. One table per engine, then the goals.

    python -m bench.lookup [--size 100000] [--engines sqlite postgresql] [--keep] [--reuse URL] ...

Exit status 1 when a request failed (the goals are reported, not enforced).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import django

from bench.common import (
    ENGINE_NAMES,
    ENGINES,
    REPO,
    ClientsRun,
    Timing,
    django_child,
    latency_timing,
    pg_reachable,
    print_rows,
    run_clients,
    running_server,
    scratch_database_url,
    timing_of,
)
from bench.invariants import Exchange
from bench.lookup_queries import QUERY_TYPES, TYPES_BY_KEY
from tests.cli_support import environment, patron_ok

DATA_DIR = REPO.parent / "data"  # customers_<N>.csv made by ../shared/data/gen_customers.py
GENERATOR = REPO.parent / "shared" / "data" / "gen_customers.py"
GENERATED_DIR = REPO / "var" / "bench-data"
REPORT_DIR = REPO / "var" / "bench-lookup"
PLAN_LINES_SHOWN = 25
LOOKUP_PATH = "/api/v1/lookup?scope=till&q="
TRIVIAL_PATH = "/bench/fixed-page"  # bench.lookup_urls
CREATE_PATH = "/api/v1/customers"
LOAD_SECONDS = 6 * 3600
GOAL_SIZE = 1_000_000
GOAL_P95, GOAL_PER_SECOND, GOAL_TRIVIAL_RATIO, GOAL_TOP3 = 0.020, 400, 2.0, 0.99
GOAL_BUILD_SECONDS, GOAL_CREATE_P95 = 120, 0.030


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.reuse:
        args.engines = [_engine_of(args.reuse)]
    engines = [engine for engine in args.engines if engine == "sqlite" or pg_reachable(args.pg_url)]
    # This process only creates and drops the scratch PostgreSQL databases (tests.cli_support).
    os.environ["DATABASE_URL"] = args.pg_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    django.setup()
    data = None if args.reuse else customer_data(args.size)
    print(f"Lookup benchmark: {args.size:,} customers{f' from {data}' if data else ''}, engines: "
          f"{', '.join(ENGINE_NAMES[engine] for engine in engines)}. Load average before: {_load()}.", flush=True)
    reports = [bench_engine(engine, args, data) for engine in engines]
    for report in reports:
        print_report(report, args)
    return 0 if all(not report.failures for report in reports) else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.lookup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="customers to load (default: %(default)s)")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL database to connect to while creating the scratch one")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch database (and print how to use it) instead of removing it")
    parser.add_argument("--reuse", metavar="DATABASE_URL",
                        help="a database loaded by an earlier --keep run: skip loading (it is migrated)")
    parser.add_argument("--batch", type=int, default=1000, help="rows per create_customers_in_bulk call")
    parser.add_argument("--per-type", type=int, default=250, help="queries drawn per type (default: %(default)s)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client processes (default: %(default)s)")
    parser.add_argument("--per-client", type=int, default=100,
                        help="lookups per client and query type in the concurrent runs (default: %(default)s)")
    parser.add_argument("--trivial", type=int, default=500, help="trivial requests, one client (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=100, help="untimed requests before each run")
    parser.add_argument("--creations", type=int, default=200, help="customers created through the API")
    parser.add_argument("--workers", type=int, default=4, help="patron serve --workers (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    return parser


def _engine_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


# --- the data -----------------------------------------------------------------------------------------

def customer_data(size: int) -> Path:
    """A customers_<M>.csv with M >= size (the files are prefixes of one stream): from ../data, else
    generated once into var/bench-data with ../shared/data/gen_customers.py."""
    for folder in (DATA_DIR, GENERATED_DIR):
        found = sorted((int(match.group(1)), path) for path in folder.glob("customers_*.csv")
                       if (match := re.fullmatch(r"customers_(\d+)\.csv", path.name)) and int(match.group(1)) >= size)
        if found:
            return found[0][1]
    if not GENERATOR.exists():
        sys.exit(f"No customer data: neither {DATA_DIR}/customers_<N>.csv (N >= {size}) nor the generator "
                 f"{GENERATOR}. Generate it elsewhere (python gen_customers.py --sizes {size} --out DIR, "
                 f"needs Faker) and copy customers_{size}.csv into {DATA_DIR}.")
    print(f"Generating {size:,} customers with {GENERATOR} (a few minutes per million) ...", flush=True)
    GENERATED_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(GENERATOR), "--sizes", str(size), "--out", str(GENERATED_DIR)], check=True)
    return GENERATED_DIR / f"customers_{size}.csv"


# --- one engine ---------------------------------------------------------------------------------------

@dataclass
class TypeFigures:
    one: Timing  # one client
    many: Timing  # the concurrent clients
    engine: Timing  # the engine alone, in-process
    found: int | None  # identifying queries with the target in the top 3
    identifying: int
    misses: list[str] = field(default_factory=list)


@dataclass
class EngineReport:
    engine: str
    database: str
    kept: bool
    token: str
    work_dir: Path
    load: dict | None
    rebuild: dict
    drawn: dict
    types: dict[str, TypeFigures]
    one_all: Timing
    many_all: Timing
    engine_all: Timing
    trivial_one: Timing
    trivial_many: Timing
    create: Timing
    explain: dict
    failures: list[str]


def bench_engine(engine: str, args, data: Path | None) -> EngineReport:
    print(f"\n{ENGINE_NAMES[engine]}:", flush=True)
    with _work_dir(engine, keep=args.keep) as work_dir, \
            _database(engine, work_dir, args) as url:
        env = environment(work_dir / "var", url)
        load = None
        patron_ok("migrate", env=env)  # a reused database too: kept by an older checkout, it may lack a migration
        if not args.reuse:
            print(f"  loading {args.size:,} rows through create_customers_in_bulk ...", flush=True)
            load = django_child("bench.lookup_data", env, "load", str(data), str(args.size), str(args.batch),
                                timeout=LOAD_SECONDS, show_progress=True)
            print(f"  loaded in {load['seconds']:.0f} s ({load['rows'] / load['seconds']:,.0f} rows/s)", flush=True)
        token = django_child("bench.lookup_data", env, "token")["token"]
        print("  rebuilding the index from scratch ...", flush=True)
        rebuild = django_child("bench.lookup_data", env, "rebuild", timeout=LOAD_SECONDS)
        queries_file = work_dir / "queries.json"
        drawn = django_child("bench.lookup_data", env, "queries", str(args.seed), str(args.per_type),
                             str(args.creations + args.warmup), str(queries_file), timeout=3600)
        drawn_file = json.loads(queries_file.read_text())
        queries, creations = drawn_file["queries"], drawn_file["creations"]
        print(f"  {len(queries):,} queries drawn; the engine alone ...", flush=True)
        direct = django_child("bench.lookup_data", env, "direct", str(queries_file), str(args.warmup),
                              timeout=3600)["latencies"]
        runs = _through_the_server(env, work_dir, token, queries, creations, args)
        types = {key: _type_figures(key, queries, direct, runs) for key in drawn["drawn"]}
        slowest = sorted(types, key=lambda key: types[key].one.p95, reverse=True)[:3]
        explain = django_child("bench.lookup_data", env, "explain", str(queries_file), *slowest, timeout=3600)
    return EngineReport(
        engine=engine, database=url, kept=args.keep and not args.reuse, token=token,
        work_dir=work_dir, load=load, rebuild=rebuild, drawn=drawn, types=types,
        one_all=timing_of(runs["one"].measured), many_all=_combined(runs["many"].values()),
        engine_all=latency_timing(direct, sum(direct)), trivial_one=_time_spent(runs["trivial_one"].measured),
        trivial_many=timing_of(runs["trivial_many"].measured), create=timing_of(runs["create"].measured),
        explain=explain, failures=_failures(runs))


@contextmanager
def _work_dir(engine: str, *, keep: bool) -> Iterator[Path]:
    """Logs, plans, results and the SQLite file; removed afterwards unless kept."""
    work_dir = Path(tempfile.mkdtemp(prefix=f"bench-lookup-{engine}-"))
    try:
        yield work_dir
    finally:
        if not keep:
            shutil.rmtree(work_dir, ignore_errors=True)


@contextmanager
def _database(engine: str, work_dir: Path, args) -> Iterator[str]:
    if args.reuse:
        yield args.reuse
        return
    with scratch_database_url(engine, work_dir, keep=args.keep) as url:
        yield url


def _through_the_server(env: dict, work_dir: Path, token: str, queries: list[dict], creations: list[dict],
                        args) -> dict:
    """Every run against patron serve with the bench URLs: the trivial endpoint and the lookups
    with one client and with several, then the creations."""
    rng = random.Random(args.seed)
    runs = {}
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.lookup_site"}
    with running_server(server_env, work_dir / "server.log", workers=args.workers) as server:
        def run(name: str, plans: list[dict]):
            return run_clients(server, token, plans, work_dir / name)

        print("  through the server: the trivial endpoint ...", flush=True)
        trivial = {"method": "GET", "path": TRIVIAL_PATH}
        runs["trivial_many"] = run("trivial-many", [{"warmup": [trivial] * 10, "measured": [trivial] * args.per_client}
                                                    for _ in range(args.clients)])
        print("  lookups and the trivial endpoint, one client ...", flush=True)
        shuffled = rng.sample(queries, len(queries))
        runs["one"], runs["trivial_one"] = _split_trivial(run("one", [{
            "warmup": [*[_lookup(query) for query in shuffled[:args.warmup]], *[trivial] * (args.warmup // 5)],
            "measured": _interleaved([_lookup(query, keep_body=True) for query in shuffled], trivial, args.trivial)}]))
        print(f"  lookups, {args.clients} clients, per query type ...", flush=True)
        runs["many"] = {}
        for key in dict.fromkeys(query["type"] for query in queries):
            pool = [query for query in queries if query["type"] == key]
            runs["many"][key] = run(f"many-{key}", [
                {"warmup": [_lookup(query) for query in rng.choices(pool, k=10)],
                 "measured": [_lookup(query) for query in rng.choices(pool, k=args.per_client)]}
                for _ in range(args.clients)])
        print(f"  {len(creations) - args.warmup} customers created through the API ...", flush=True)
        posts = [{"method": "POST", "path": CREATE_PATH, "body": body, "key": str(uuid.uuid4())} for body in creations]
        runs["create"] = run("create", [{"warmup": posts[:args.warmup], "measured": posts[args.warmup:]}])
        runs["server_log"] = server.log()
    return runs


def _interleaved(lookups: list[dict], trivial: dict, count: int) -> list[dict]:
    """The lookups with ``count`` trivial requests spread evenly among them: the floor is measured
    in the same minutes as the lookups, so that a machine that is busier in some minutes than in
    others (a shared VM's neighbours, the OS) weighs on both alike."""
    every = max(1, len(lookups) // max(1, count))
    requests = []
    for index, lookup in enumerate(lookups):
        requests.append(lookup)
        if index % every == every - 1 and len(requests) - index - 1 < count:
            requests.append(trivial)
    return requests


def _time_spent(exchanges: list[Exchange]):
    """Percentiles, and requests per second of the time spent on them (the one-client run mixes
    query types and trivial requests, so no type has a window of its own)."""
    latencies = [exchange.result["latency"] for exchange in exchanges]
    return latency_timing(latencies, sum(latencies))


def _split_trivial(run: ClientsRun) -> tuple[ClientsRun, ClientsRun]:
    """A run of lookups and trivial requests, as two runs."""
    def part(exchanges: list[Exchange], trivial: bool) -> list[Exchange]:
        return [exchange for exchange in exchanges if (exchange.request["path"] == TRIVIAL_PATH) == trivial]

    return (ClientsRun(part(run.exchanges, False), part(run.measured, False)),
            ClientsRun(part(run.exchanges, True), part(run.measured, True)))


def _lookup(query: dict, *, keep_body: bool = False) -> dict:
    request = {"method": "GET", "path": LOOKUP_PATH + quote(query["q"]), "query": query}
    if keep_body and query["target"]:
        request["keep_body"] = True
    return request


def _type_figures(key: str, queries: list[dict], direct: list[float], runs: dict) -> TypeFigures:
    one = [exchange for exchange in runs["one"].measured if exchange.request["query"]["type"] == key]
    direct_latencies = [latency for query, latency in zip(queries, direct, strict=True) if query["type"] == key]
    identifying = [exchange for exchange in one if exchange.request["query"]["target"]]
    found = [exchange for exchange in identifying if _target_in_top3(exchange)]
    return TypeFigures(one=_time_spent(one), many=timing_of(runs["many"][key].measured),
                       engine=latency_timing(direct_latencies, sum(direct_latencies)),
                       found=len(found) if TYPES_BY_KEY[key].identifying else None, identifying=len(identifying),
                       misses=[_miss(exchange) for exchange in identifying if exchange not in found][:3])


def _top(exchange: Exchange) -> list[dict]:
    body = exchange.result["body"]
    return body["items"][:3] if isinstance(body, dict) else []


def _target_in_top3(exchange: Exchange) -> bool:
    return exchange.request["query"]["target"] in [item["customer"]["id"] for item in _top(exchange)]


def _miss(exchange: Exchange) -> str:
    query = exchange.request["query"]
    top = "; ".join(f"{item['customer']['name']} ({item['matched_on']})" for item in _top(exchange)) or "nothing"
    note = f" [{query['note']}]" if query["note"] else ""
    return f"{query['q']!r}{note} -> {top}"


def _combined(runs) -> Timing:
    """Several concurrent runs one after the other: their latencies, over the sum of their windows."""
    timings = [timing_of(run.measured) for run in runs]
    latencies = [exchange.result["latency"] for run in runs for exchange in run.measured]
    return latency_timing(latencies, sum(timing.count / timing.per_second for timing in timings))


def _failures(runs: dict) -> list[str]:
    """Answers that were not what the run expects (200, or 201 for creations), and server errors."""
    failures = []
    every = [*runs["trivial_one"].exchanges, *runs["trivial_many"].exchanges, *runs["one"].exchanges,
             *(exchange for run in runs["many"].values() for exchange in run.exchanges)]
    failures += [f"{exchange.status} for GET {exchange.request['path']}" for exchange in every
                 if exchange.status != 200]
    failures += [f"{exchange.status} for POST {CREATE_PATH}: {exchange.result['body']}"
                 for exchange in runs["create"].exchanges if exchange.status != 201]
    if "Traceback" in runs["server_log"]:
        failures.append("the server log has a traceback")
    return failures


# --- the report ---------------------------------------------------------------------------------------

def print_report(report: EngineReport, args) -> None:
    name = ENGINE_NAMES[report.engine]
    print(f"\n== {name}: {_customers(report)} ==")
    rows = [[TYPES_BY_KEY[key].label, str(figures.one.count), _ms(figures.one), f"{figures.one.per_second:.0f}",
             _ms(figures.many), f"{figures.many.per_second:.0f}", _ms(figures.engine),
             _ratio(figures.one.p50, report.trivial_one.p50), _ratio(figures.one.p50, figures.engine.p50),
             _share(figures.found, figures.identifying)]
            for key, figures in _in_order(report.types)]
    rows.append(["all types", str(report.one_all.count), _ms(report.one_all), f"{report.one_all.per_second:.0f}",
                 _ms(report.many_all), f"{report.many_all.per_second:.0f}", _ms(report.engine_all),
                 _ratio(report.one_all.p50, report.trivial_one.p50), _ratio(report.one_all.p50, report.engine_all.p50),
                 _share(*_relevance_total(report))])
    rows.append(["trivial endpoint (fixed page of 20)", str(report.trivial_one.count), _ms(report.trivial_one),
                 f"{report.trivial_one.per_second:.0f}", _ms(report.trivial_many),
                 f"{report.trivial_many.per_second:.0f}", "", "", "", ""])
    print_rows(["query type", "n", "1 client p50/p95/p99 ms", "/s", f"{args.clients} clients p50/p95/p99 ms", "/s",
                "engine alone p50/p95/p99 ms", "p50/trivial", "p50/engine", "top 3"], rows)
    print(f"(/s: lookups per second; one client: per type, n over the time spent on that type; {args.clients} "
          "clients: one run per type, over the window it spans; all types: the equal mix)")
    _print_details(report, args)
    _print_goals(report)
    _print_explain(report)
    if report.kept:
        _print_kept(report)


def _customers(report: EngineReport) -> str:
    return f"{report.rebuild['customers']:,} customers"


def _in_order(types: dict[str, TypeFigures]):
    return [(query_type.key, types[query_type.key]) for query_type in QUERY_TYPES if query_type.key in types]


def _ms(timing: Timing) -> str:
    return " / ".join(f"{seconds * 1000:.1f}" for seconds in (timing.p50, timing.p95, timing.p99))


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.1f}x"


def _share(found: int | None, total: int) -> str:
    return "" if found is None or not total else f"{found / total:.1%}"


def _relevance_total(report: EngineReport) -> tuple[int, int]:
    identifying = [figures for figures in report.types.values() if figures.found is not None]
    return sum(figures.found for figures in identifying), sum(figures.identifying for figures in identifying)


def _print_details(report: EngineReport, args) -> None:
    load = report.load
    if load:
        rejected = "".join(f"; {count} rejected ({reason})" for reason, count in load["rejections"].items())
        print(f"load: {load['rows']:,} rows in {load['seconds']:.0f} s = {load['rows'] / load['seconds']:,.0f} rows/s "
              f"through create_customers_in_bulk ({args.batch} per call); {load['created']:,} created, "
              f"{load['phones_dropped']:,} without their phone (invalid for its country){rejected}")
    else:
        print(f"load: none (reused {report.database})")
    rebuild = report.rebuild
    print(f"index built from scratch (rebuild_index, one transaction): {rebuild['seconds']:.1f} s, "
          f"{rebuild['rows']['customers_searchterm']:,} terms, {rebuild['rows']['customers_searchvariant']:,} "
          f"variants{'; then VACUUM ANALYZE' if rebuild['analysed'] else ''}")
    print(f"create a customer (POST {CREATE_PATH}, 1 client, n={report.create.count}): "
          f"p50/p95/p99 {_ms(report.create)} ms")
    skipped = ", ".join(f"{key} {count}" for key, count in report.drawn["not_identifying"].items())
    print(f"queries: {args.per_type} per type, seed {args.seed}; scope=till; server: patron serve --workers "
          f"{args.workers}; drawn but not identifying (left out): {skipped or 'none'}")
    for key, figures in _in_order(report.types):
        for miss in figures.misses:
            print(f"  not in the top 3 ({TYPES_BY_KEY[key].label}): {miss}")
    for failure in report.failures[:10]:
        print(f"FAILED: {failure}")


def _print_goals(report: EngineReport) -> None:
    label = "" if report.rebuild["customers"] >= GOAL_SIZE else \
        f" (they apply to {GOAL_SIZE:,} customers; this run has {_customers(report)})"
    print(f"goals{label}:")
    worst = max(report.types.items(), key=lambda item: item[1].one.p95)
    identifying = [(key, figures) for key, figures in report.types.items() if figures.found is not None]
    lowest = min(identifying, key=lambda item: item[1].found / max(1, item[1].identifying))
    lowest_share = lowest[1].found / max(1, lowest[1].identifying)
    goals = [
        ("p95 <= 20 ms, 1 client, all lookups", report.one_all.p95 <= GOAL_P95, f"{report.one_all.p95 * 1000:.1f} ms"),
        ("p95 <= 20 ms, 1 client, every query type", worst[1].one.p95 <= GOAL_P95,
         f"worst {TYPES_BY_KEY[worst[0]].label}: {worst[1].one.p95 * 1000:.1f} ms"),
        (f">= {GOAL_PER_SECOND} lookups/s, 8 clients", report.many_all.per_second >= GOAL_PER_SECOND,
         f"{report.many_all.per_second:.0f}/s"),
        ("lookup p50 <= 2x trivial p50", report.one_all.p50 <= GOAL_TRIVIAL_RATIO * report.trivial_one.p50,
         f"{report.one_all.p50 / report.trivial_one.p50:.2f}x ({report.one_all.p50 * 1000:.2f} / "
         f"{report.trivial_one.p50 * 1000:.2f} ms)"),
        ("top 3 >= 99%, every identifying type", lowest_share >= GOAL_TOP3,
         f"lowest {TYPES_BY_KEY[lowest[0]].label}: {lowest_share:.1%}"),
        ("index build < 2 min", report.rebuild["seconds"] < GOAL_BUILD_SECONDS, f"{report.rebuild['seconds']:.1f} s"),
        ("create p95 < 30 ms", report.create.p95 < GOAL_CREATE_P95, f"{report.create.p95 * 1000:.1f} ms"),
    ]
    print_rows(["goal", "", ""], [[name, "PASS" if met else "FAIL", detail] for name, met, detail in goals])


def _print_explain(report: EngineReport) -> None:
    """The slowest statements on screen (the plan's first lines), everything in a file under var/."""
    path = REPORT_DIR / f"explain-{report.engine}-{report.rebuild['customers']}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as full:
        print(f"where the time goes (engine alone; the slowest query of the slowest types; all in {path}):")
        for key, slowest in report.explain.items():
            heading = f"  {TYPES_BY_KEY[key].label}: {slowest['q']!r}, {slowest['ms']:.1f} ms"
            statements = sorted(slowest["statements"], key=lambda item: item["ms"], reverse=True)
            lines = [f"    {item['ms']:.1f} ms  {item['sql']}  {_params(item['params'])}" for item in statements]
            plan = [f"      {line}" for line in slowest["plan"]]
            print("\n".join([heading, *lines[:3], *plan[:PLAN_LINES_SHOWN]]))
            if len(plan) > PLAN_LINES_SHOWN:
                print(f"      ... ({len(plan) - PLAN_LINES_SHOWN} more lines in the file)")
            full.write("\n".join([heading, *lines, *plan, ""]))


def _params(params: list) -> str:
    return json.dumps(params, ensure_ascii=True).replace("\\udbff\\udfff", "<high>")


def _print_kept(report: EngineReport) -> None:
    var_dir = report.work_dir / "var"
    print(f"kept: DATABASE_URL={report.database} PATRON_VAR_DIR={var_dir} (work folder {report.work_dir}; "
          f"a cashier's token: {report.token})")
    print(f"  e.g. DATABASE_URL={report.database} PATRON_VAR_DIR={var_dir} .venv/bin/patron serve; "
          f"make bench-lookup REUSE={report.database}")
    if report.engine == "postgresql":
        name = urlsplit(report.database).path.lstrip("/")
        print(f"  remove it with: psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE \"{name}\"'")
    else:
        print(f"  remove it with: rm -r {report.work_dir}")


if __name__ == "__main__":
    sys.exit(main())
