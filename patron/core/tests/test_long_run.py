"""``settled_for_a_long_run``: the collector's setting for a long bulk run (an import, a full
duplicate scan), undone afterwards so that a ``patron worker``'s next job runs with the usual
collector."""

import gc

import pytest

from patron.core.workers import FULL_PASS_AFTER, settled_for_a_long_run


@pytest.fixture
def nothing_frozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_long_run_freezes_what_lives_and_passes_seldom_then_restores_the_collector(nothing_frozen):
    thresholds = gc.get_threshold()
    # when
    with settled_for_a_long_run():
        # then
        assert gc.get_threshold() == (thresholds[0], thresholds[1], FULL_PASS_AFTER)
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0


def test_the_collector_is_restored_when_the_run_fails(nothing_frozen):
    thresholds = gc.get_threshold()
    with pytest.raises(RuntimeError), settled_for_a_long_run():
        raise RuntimeError("the import failed")
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0


def test_what_the_process_froze_itself_stays_frozen(nothing_frozen):
    gc.freeze()  # as `patron serve` does at start
    frozen = gc.get_freeze_count()
    # (a frozen object whose last reference goes is still freed: the count may only fall a little)
    with settled_for_a_long_run():
        assert frozen // 2 < gc.get_freeze_count() <= frozen
    assert frozen // 2 < gc.get_freeze_count() <= frozen
