"""The Django side of ``make bench-dedup``, run in child processes against the scratch database
(DATABASE_URL). Each command prints one JSON document on stdout; progress goes to stderr.

    python -m bench.dedup_data load SIZE SEED BATCH WORK_DIR  -> loaded rows; labels and entry cases in WORK_DIR
    python -m bench.dedup_data scan                           -> keys rebuilt and the full scan, timed
    python -m bench.dedup_data evaluate WORK_DIR              -> precision, recall, F1 of the queue's pairs
    python -m bench.dedup_data entry WORK_DIR                 -> share of re-entries the entry warning catches
    python -m bench.dedup_data incremental COUNT SEED         -> one changed customer checked, latencies
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import django

ENTRY_CASES = 2000  # re-entries of loaded customers checked at entry
FRESH_CASES = 1000  # new people checked at entry (false warnings)


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def load(size: str, seed: str, batch: str, work_dir: str) -> dict:
    from bench.dedup_gen import Generator
    from patron.core.actors import system_actor
    from patron.customers.actions import create_customers_in_bulk

    generator, actor, work = Generator(int(seed)), system_actor("bench"), Path(work_dir)
    counts, rejections, kept = Counter(), Counter(), []
    rng = random.Random(int(seed) + 7)
    started = time.perf_counter()
    next_analyse = 10_000
    with open(work / "labels.jsonl", "w") as labels:
        chunk = []
        for record in generator.records(int(size)):
            chunk.append(record)
            if not record.variation and not record.negative and record.kind == "person" and rng.random() < 0.05:
                kept.append(record)
            if len(chunk) >= int(batch):
                _load_chunk(actor, chunk, labels, counts, rejections, create_customers_in_bulk)
                chunk = []
                if counts["rows"] >= next_analyse:
                    _analyse_everything()
                    next_analyse *= 2
                if counts["rows"] % 50_000 < int(batch):
                    rate = counts["rows"] / (time.perf_counter() - started)
                    _progress(f"    loaded {counts['rows']:,} rows, {rate:,.0f}/s")
        _load_chunk(actor, chunk, labels, counts, rejections, create_customers_in_bulk)
    seconds = time.perf_counter() - started
    from bench.dedup_gen import VARIATIONS

    cases = [{"expect": base.account, **_case(generator.re_entry(base, rng.choice(VARIATIONS)))}
             for base in rng.sample(kept, min(ENTRY_CASES, len(kept)))]
    fresh = [{"expect": None, **_case(generator.person("fresh"))} for _ in range(FRESH_CASES)]
    (work / "entry.json").write_text(json.dumps({"cases": cases, "fresh": fresh}))
    return {"rows": counts["rows"], "created": counts["created"], "rejected": dict(rejections),
            "seconds": round(seconds, 1), "rows_per_second": round(counts["rows"] / seconds)}


def _analyse_everything() -> None:
    """Fresh PostgreSQL statistics each time the tables have doubled, as autovacuum would (this
    machine's server has it off): planned from the numbers of an empty table, every statement
    that should walk an index reads the whole table, and loading slows down as it grows."""
    from django.apps import apps

    from patron.core.db import refresh_statistics

    refresh_statistics(apps.get_models(include_auto_created=True))


def _case(record) -> dict:
    return {"variation": record.variation, "channel": record.channel, "kind": record.kind, "values": record.values,
            "addresses": record.addresses}


def _load_chunk(actor, chunk, labels, counts, rejections, create) -> None:
    if not chunk:
        return
    result = create(actor=actor, rows=[record.row() for record in chunk])
    for index, error in result.rejected.items():
        rejections[f"{chunk[index].variation or chunk[index].negative or 'single'}: {error.message[:60]}"] += 1
    rejected = set(result.rejected)
    for index, record in enumerate(chunk):
        if index not in rejected:
            labels.write(json.dumps({"a": record.account, "c": record.cluster, "v": record.variation,
                                     "n": record.negative, "ch": record.channel}) + "\n")
    counts.update(rows=len(chunk), created=len(result.created))


def scan() -> dict:
    from patron.core.workers import settled_for_a_long_run
    from patron.duplicates.scan import full_scan, rebuild_keys

    with settled_for_a_long_run():  # as `patron duplicates scan` runs
        started = time.perf_counter()
        rebuild_keys(progress=_progress)
        keys_seconds = time.perf_counter() - started
        result = full_scan(progress=_progress)
    return {"keys_seconds": round(keys_seconds, 1), "pairs_seconds": round(result.seconds, 1),
            "customers": result.customers, "compared": result.compared, "proposed": result.proposed}


def evaluate(work_dir: str) -> dict:
    from patron.customers.models import Customer
    from patron.duplicates.models import DuplicatePair, PairStatus

    labels = {}
    with open(Path(work_dir) / "labels.jsonl") as lines:
        for line in lines:
            label = json.loads(line)
            labels[label["a"]] = label
    account_of = dict(Customer.objects.values_list("pk", "account_number").iterator(chunk_size=10_000))
    members = defaultdict(list)
    for account, label in labels.items():
        members[label["c"]].append(account)
    truth_by_variation, negatives = Counter(), Counter()
    for accounts in members.values():
        for index, one in enumerate(accounts):
            for other in accounts[index + 1:]:
                truth_by_variation[_variation(labels[one], labels[other])] += 1
    negative_groups = defaultdict(list)
    for account, label in labels.items():
        if label["n"]:
            negative_groups[label["c"][:-1]].append(account)
    negatives.update(labels[accounts[0]]["n"] for accounts in negative_groups.values() if len(accounts) == 2)
    found_by_variation, wrong_by_kind, proposed, strong_wrong, strong = Counter(), Counter(), 0, 0, 0
    joined = _Components()
    for first, second, score in DuplicatePair.objects.filter(status=PairStatus.OPEN).values_list(
            "first_id", "second_id", "score").iterator(chunk_size=10_000):
        a, b = labels.get(account_of.get(first)), labels.get(account_of.get(second))
        if a is None or b is None:
            continue
        proposed += 1
        strong += score >= 0.8
        joined.union(a["a"], b["a"])
        if a["c"] == b["c"]:
            found_by_variation[_variation(a, b)] += 1
        else:
            kind = a["n"] if a["n"] and a["n"] == b["n"] and a["c"][:-1] == b["c"][:-1] else "other"
            wrong_by_kind[kind] += 1
            strong_wrong += score >= 0.8
    true_pairs, found = sum(truth_by_variation.values()), sum(found_by_variation.values())
    # Pairs of one cluster that end up in one group once the queue's pairs are joined (merging A
    # with B and A with C also joins B and C, which share no key: a till entry and a webshop one).
    found_joined = sum(1 for accounts in members.values() for index, one in enumerate(accounts)
                       for other in accounts[index + 1:] if joined.find(one) == joined.find(other))
    precision = found / proposed if proposed else 1.0
    recall = found / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"proposed": proposed, "true_pairs": true_pairs, "found": found, "precision": precision,
            "recall": recall, "f1": f1, "recall_joined": found_joined / true_pairs if true_pairs else 1.0,
            "strong": strong, "strong_wrong": strong_wrong,
            "by_variation": {v: [found_by_variation[v], truth_by_variation[v]] for v in sorted(truth_by_variation)},
            "negatives": {kind: [wrong_by_kind[kind], negatives[kind]] for kind in sorted(negatives)},
            "wrong_other": wrong_by_kind["other"]}


class _Components:
    """Union-find over account numbers."""

    def __init__(self):
        self.parent = {}

    def find(self, item):
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def union(self, a, b):
        self.parent[self.find(a)] = self.find(b)


def _variation(a: dict, b: dict) -> str:
    """The variation a pair of one cluster shows: the re-entry's against the first entry, or two
    re-entries against each other."""
    if not a["v"] or not b["v"]:
        return a["v"] or b["v"]
    return "two re-entries"


def entry(work_dir: str) -> dict:
    from patron.customers.models import Customer
    from patron.duplicates.queries import candidates_for_values

    data = json.loads((Path(work_dir) / "entry.json").read_text())
    caught, by_variation, latencies = Counter(), Counter(), []
    ids = dict(Customer.objects.filter(account_number__in=[case["expect"] for case in data["cases"]])
               .values_list("account_number", "pk"))
    for case in data["cases"]:
        started = time.perf_counter()
        candidates = candidates_for_values(kind=case["kind"], values=case["values"], addresses=case["addresses"])
        latencies.append(time.perf_counter() - started)
        hit = ids.get(case["expect"]) in {candidate.customer.pk for candidate in candidates}
        caught[case["variation"]] += hit
        by_variation[case["variation"]] += 1
    warned_fresh = sum(bool(candidates_for_values(kind=case["kind"], values=case["values"],
                                                  addresses=case["addresses"])) for case in data["fresh"])
    latencies.sort()
    return {"cases": len(data["cases"]), "caught": sum(caught.values()),
            "by_variation": {v: [caught[v], by_variation[v]] for v in sorted(by_variation)},
            "fresh": len(data["fresh"]), "fresh_warned": warned_fresh,
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1)}


def incremental(count: str, seed: str) -> dict:
    """Change COUNT customers (a new e-mail, as the back office would) and time the incremental
    check of each one alone."""
    from patron.core.actors import system_actor
    from patron.customers.actions import update_customer
    from patron.customers.models import Customer
    from patron.duplicates.models import PendingCheck
    from patron.duplicates.scan import check_customers

    rng = random.Random(int(seed))
    last = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    PendingCheck.objects.all().delete()
    timings, actor = [], system_actor("bench")
    for _ in range(int(count)):
        customer = Customer.objects.filter(pk__gte=rng.randint(1, last), kind="person").order_by("pk").first()
        if customer is None:
            continue
        update_customer(actor=actor, customer=customer,
                        values={"emails": [{"address": f"changed{rng.randint(1, 10**9)}@example.com"}]})
        started = time.perf_counter()
        check_customers([customer.pk])
        timings.append(time.perf_counter() - started)
    timings.sort()
    return {"checks": len(timings), "p50_ms": round(statistics.median(timings) * 1000, 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1] * 1000, 1)}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    django.setup()
    command, *arguments = argv
    result = {"load": load, "scan": scan, "evaluate": evaluate, "entry": entry, "incremental": incremental}[command](
        *arguments)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
