"""core.db.hot_cursor: the statements every request runs, prepared once on PostgreSQL."""

import pytest
from django.db import connection

from patron.core.db import PLANNED_FOR_ITS_VALUES, hot_cursor

pytestmark = pytest.mark.django_db


def _prepared(text: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = %s", [text])
        return cursor.fetchall()[0][0]


def test_a_hot_read_answers_like_any_cursor():
    for value in (1, 41):
        with hot_cursor() as cursor:
            cursor.execute("SELECT %s + 1, %s", [value, "it's"])
            assert cursor.fetchall() == [(value + 1, "it's")]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_a_hot_read_is_prepared_once_and_reused():
    for value in (1, 2, 3):
        with hot_cursor() as cursor:
            cursor.execute("SELECT %s::int * 2", [value])
            assert cursor.fetchall() == [(value * 2,)]
    assert _prepared("SELECT $1::int * 2") == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_statement_planned_for_its_values_is_sent_with_them_and_not_prepared():
    with hot_cursor() as cursor:
        cursor.execute(PLANNED_FOR_ITS_VALUES + "SELECT %s::text || 'x' WHERE %s LIKE %s", ["a'b", "abc", "%b%"])
        assert cursor.fetchall() == [("a'bx",)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%planned for its%"])
        assert cursor.fetchall() == [(0,)]


def _searchterm_statistics() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'customers_searchterm'")
        return cursor.fetchall()[0][0]


def _forget_searchterm_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = 'customers_searchterm'::regclass")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_rebuilding_the_index_refreshes_the_statistics_the_generic_plans_follow(system):
    from patron.customers.search_index import rebuild_index
    from patron.customers.tests.factories import customer_factory

    customer_factory(first_name="Ida", last_name="Ring")
    _forget_searchterm_statistics()
    assert _searchterm_statistics() == 0
    rebuild_index()
    assert _searchterm_statistics() > 0


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_large_import_refreshes_them_at_its_end(system, tmp_path, settings, monkeypatch):
    from patron.core.actors import system_actor
    from patron.transfer.imports import jobs

    settings.PATRON_IMPORTS_DIR = tmp_path / "imports"
    source = tmp_path / "people.csv"
    source.write_text("First Name,Last Name\nIda,Ring\nUdo,Ring\n", encoding="utf-8")
    for threshold, refreshed in ((3, False), (2, True)):
        monkeypatch.setattr(jobs, "FRESH_STATISTICS_AFTER", threshold)
        _forget_searchterm_statistics()
        actor = system_actor("test")
        job = jobs.create_job(actor=actor, source=str(source), file_name=source.name, keep_source=True)
        assert jobs.run_job(job, actor=actor).created_count == 2
        assert (_searchterm_statistics() > 0) is refreshed
