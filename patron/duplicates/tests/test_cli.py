"""``patron duplicates scan|list|show|not-same``."""

import gc
import json

import pytest

from patron.core.workers import FULL_PASS_AFTER
from patron.customers.tests.factories import customer_factory
from patron.duplicates import scan
from patron.duplicates.models import DuplicatePair, PairStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins():
    phone = [{"number": "+49 151 23456789"}]
    return (customer_factory(first_name="Anna", last_name="Meyer", phones=phone),
            customer_factory(first_name="Ana", last_name="Meyer", phones=phone))


def test_scan_list_show_and_not_same(cli, twins):
    status, out, _ = cli("duplicates", "scan")
    assert status == 0 and "1 proposed" in out and "Open pairs in the queue: 1" in out
    status, out, _ = cli("duplicates", "list", "--json")
    [pair] = json.loads(out)
    assert pair["reasons"] == "same phone, name similar" and pair["first"]["id"] == str(twins[0].uuid)
    status, out, _ = cli("duplicates", "list", "--reason", "same_email")
    assert out.strip() == "No pairs."
    status, out, _ = cli("duplicates", "show", str(pair["id"]), "--json")
    fields = {row["field"]: row for row in json.loads(out)["fields"]}
    assert fields["name"]["differs"] and not fields["phones"]["differs"]
    status, out, _ = cli("duplicates", "not-same", str(pair["id"]))
    assert status == 0 and "not the same customer" in out
    assert DuplicatePair.objects.get().status == PairStatus.NOT_SAME
    cli("duplicates", "scan", "--rebuild-keys")
    assert DuplicatePair.objects.get().status == PairStatus.NOT_SAME


def test_a_scan_runs_with_the_collector_set_for_a_long_run(cli, twins, monkeypatch):
    full_scan, thresholds, seen = scan.full_scan, gc.get_threshold(), []

    def watched_full_scan(**options):
        seen.append(gc.get_threshold())
        return full_scan(**options)

    monkeypatch.setattr(scan, "full_scan", watched_full_scan)
    status, out, _ = cli("duplicates", "scan")
    assert status == 0 and "1 proposed" in out
    assert seen == [(thresholds[0], thresholds[1], FULL_PASS_AFTER)]
    assert gc.get_threshold() == thresholds


def test_incremental_scan(cli, twins):
    status, out, _ = cli("duplicates", "scan", "--incremental")
    assert status == 0 and "Checked 2 customers" in out
    status, out, _ = cli("duplicates", "scan", "--incremental")
    assert "Checked 0 customers" in out


def test_unknown_pair_is_a_one_line_error(cli):
    status, _, err = cli("duplicates", "show", "99")
    assert status == 1 and err.count("\n") == 1 and "No pair 99" in err
