"""Which statements make a request a write that its client must read back (core.replicas): the
reads of the replica itself are tested against a real streaming replica in tests/test_replica.py."""

import pytest

from patron.core.replicas import ReplicaRouter, _writes


@pytest.mark.parametrize("sql", [
    "SELECT 1", "  select id FROM t", "/* planned for its values */ SELECT a FROM t WHERE b LIKE 'x%'",
    "WITH RECURSIVE up AS (SELECT 1) SELECT * FROM up", 'SAVEPOINT "s1_x"', 'RELEASE SAVEPOINT "s1_x"',
    "SET join_collapse_limit = 1", "RESET join_collapse_limit", "SELECT id FROM t FOR UPDATE",
])
def test_reads_are_not_writes(sql):
    assert not _writes(sql)


@pytest.mark.parametrize("sql", [
    "INSERT INTO t VALUES (1)", "update t set a = 1", "DELETE FROM t", "COPY t FROM STDIN",
    "WITH moved AS (UPDATE t SET a = 1 RETURNING id) SELECT count(*) FROM moved",
    "/* a comment */ INSERT INTO t SELECT * FROM unnest(%s)",
])
def test_changes_are_writes(sql):
    assert _writes(sql)


def test_without_a_scope_reads_and_writes_go_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(None) == "default" and router.db_for_write(None) == "default"
    assert not router.allow_migrate("replica", "customers")
