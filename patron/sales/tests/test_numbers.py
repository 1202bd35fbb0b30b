"""Sale numbers Patron gives its own tills: 000001, 000002 ... per source, never the same twice."""

import threading

import pytest
from django.db import connection

from patron.sales.models import SaleCounter
from patron.sales.numbers import next_sale_number
from patron.sales.tests.factories import sale_factory


@pytest.mark.django_db
def test_numbers_count_up_per_source():
    assert [next_sale_number("web-till-S01") for _ in range(3)] == ["000001", "000002", "000003"]
    assert next_sale_number("web-till-S02") == "000001"
    assert SaleCounter.objects.get(source="web-till-S01").last_number == 3


@pytest.mark.django_db
def test_numbers_another_client_already_used_are_skipped():
    sale_factory(number="000001")  # the factory's source is "till-1"
    sale_factory(number="000002")
    assert next_sale_number("till-1") == "000003"


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_get_the_same_number():
    count, numbers = 8, []
    start = threading.Barrier(count)

    def take():
        try:
            start.wait()
            numbers.extend(next_sale_number("web-till-S01") for _ in range(5))
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [f"{number:06d}" for number in range(1, 41)]
