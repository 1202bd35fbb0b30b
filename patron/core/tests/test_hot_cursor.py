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
