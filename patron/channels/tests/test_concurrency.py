"""Concurrent first deliveries of one webshop customer, over real HTTP and with real threads.

Each thread has its own database connection. On PostgreSQL an advisory lock per external id
serialises them; on SQLite (a file, as in production), BEGIN IMMEDIATE does."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.test import Client

from patron.channels.actions import create_channel
from patron.channels.models import Delivery, ExternalReference
from patron.channels.tests.support import customer_body, deliver, signed_headers
from patron.core.actors import system_actor
from patron.customers.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def channel_secret():
    return create_channel(actor=system_actor(), code="webshop", name="Our webshop")[1]


def _in_parallel(count: int, request) -> list:
    start, results = threading.Barrier(count), [None] * count

    def worker(index: int):
        try:
            start.wait()
            results[index] = request(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("trial", range(3))
def test_concurrent_first_deliveries_of_one_customer_make_one_customer(channel_secret, trial):
    # when: eight deliveries of the same new customer at once, each with its own delivery id
    responses = _in_parallel(8, lambda index: deliver(Client(), "webshop", channel_secret, customer_body(),
                                                      key=f"delivery-{trial}-{index}"))
    # then
    assert sorted(response.status_code for response in responses) == [200] * 7 + [201], \
        [response.content for response in responses]
    assert {response.json()["customer_id"] for response in responses} == {str(Customer.objects.get().uuid)}
    assert ExternalReference.objects.count() == 1 and Delivery.objects.count() == 8


def test_a_real_webshop_over_http(live_server, channel_secret):
    raw = json.dumps(customer_body(external_id="w-1")).encode()
    url = f"{live_server.url}/api/v1/channels/webshop/customers"

    def post(headers):
        request = urllib.request.Request(url, data=raw, method="POST",
                                         headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.headers, json.loads(error.read())

    status, _, body = post(signed_headers(channel_secret, raw, key="http-1"))
    assert status == 201 and body["outcome"] == "created"
    status, headers, again = post(signed_headers(channel_secret, raw, key="http-1"))
    assert (status, headers["Idempotent-Replayed"], again) == (201, "true", body)
    status, headers, problem = post(signed_headers("pcs_" + "z" * 40, raw))
    assert status == 401 and headers["Content-Type"] == "application/problem+json"
    assert problem["code"] == "unauthenticated" and Customer.objects.count() == 1
