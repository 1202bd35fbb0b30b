"""The API's rate limits (per token, per client address, failed authentications per address),
kept in the database or in Redis, answered with 429 problem+json and Retry-After; and CORS."""

import os
import socket
import uuid

import pytest
from django.db import connection
from django.test import Client

from patron.api.tests.conftest import ApiClient, assert_problem
from patron.core.permissions import Role
from patron.ops import ratelimit
from patron.ops.models import RateCount
from patron.staff.tests.factories import token_factory

pytestmark = pytest.mark.django_db
NOW = 1_800_000_030.0  # 30 s into a minute: Retry-After is then 30


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    """Each test runs against the database and against a Redis server on this machine."""
    if request.param == "redis":
        if not _redis_reachable():
            pytest.skip("no Redis server at 127.0.0.1:6379")
        settings.PATRON_RATE_LIMIT_CACHE_URL = "redis://127.0.0.1:6379/0"
        settings.CACHES = {**settings.CACHES, ratelimit.CACHE_ALIAS: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.PATRON_RATE_LIMIT_CACHE_URL,
            "KEY_PREFIX": f"patron-test-{os.getpid()}-{uuid.uuid4().hex}"}}
    return request.param


@pytest.fixture
def clock(monkeypatch):
    now = [NOW]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    return now


def _limits(settings, **limits):
    settings.PATRON_API_RATE_WINDOW_SECONDS = 60
    settings.PATRON_API_RATE_LIMITS = {"token": 0, "address": 0, "failures": 0, **limits}


def test_a_hundred_bad_token_requests_end_in_429_until_the_window_passes(client, settings, store, clock):
    _limits(settings, failures=20, address=1000, token=1000)
    guesser = ApiClient(client, None)
    statuses = [guesser.get("/customers", headers={"Authorization": f"Bearer guess-{n}"}).status_code
                for n in range(100)]
    assert statuses == [401] * 20 + [429] * 80
    refused = guesser.get("/customers", headers={"Authorization": "Bearer guess-101"})
    assert_problem(refused, 429, "rate-limited")
    assert refused["Retry-After"] == "30"
    # Not even a valid token gets through from that address until the window ends...
    _, secret = token_factory(Role.MANAGER)
    assert ApiClient(client, secret).get("/customers").status_code == 429
    # ...while another address is not affected.
    assert ApiClient(Client(REMOTE_ADDR="198.51.100.7"), secret).get("/customers").status_code == 200
    clock[0] = NOW + 30
    assert ApiClient(client, secret).get("/customers").status_code == 200
    assert guesser.get("/customers", headers={"Authorization": "Bearer guess-102"}).status_code == 401


def test_each_token_has_its_own_limit(client, settings, store, clock):
    _limits(settings, token=5, address=100)
    _, first = token_factory(Role.MANAGER)
    _, second = token_factory(Role.CASHIER)
    till = ApiClient(client, first)
    assert [till.get("/customers").status_code for _ in range(6)] == [200] * 5 + [429]
    clock[0] = NOW + 15
    refused = till.get("/customers")
    assert_problem(refused, 429, "rate-limited")
    assert refused["Retry-After"] == "15"
    assert "token" in refused.json()["detail"]
    assert ApiClient(client, second).get("/customers").status_code == 200
    clock[0] = NOW + 31  # the next minute
    assert till.get("/customers").status_code == 200


def test_each_client_address_has_its_own_limit_behind_a_trusted_proxy(settings, store, clock):
    _limits(settings, address=3)
    settings.PATRON_TRUSTED_PROXIES = ["10.0.0.1"]
    _, secret = token_factory(Role.MANAGER)

    def through_proxy(client_address: str) -> int:
        return ApiClient(Client(REMOTE_ADDR="10.0.0.1"), secret).get(
            "/customers", headers={"X-Forwarded-For": client_address}).status_code

    assert [through_proxy("198.51.100.1") for _ in range(4)] == [200, 200, 200, 429]
    assert through_proxy("198.51.100.2") == 200
    settings.PATRON_TRUSTED_PROXIES = []  # untrusted: every client is the proxy, and they share its limit
    assert [through_proxy(f"198.51.100.{n}") for n in range(3, 7)] == [200, 200, 200, 429]


def test_the_counts_are_in_the_shared_store(client, settings, store, clock):
    _limits(settings, token=10, address=10)
    _, secret = token_factory(Role.MANAGER)
    for _ in range(3):
        ApiClient(client, secret).get("/customers")
    window = ratelimit.current_window(60, NOW)
    assert ratelimit.hit({"address:127.0.0.1": 0}, window) == {"address:127.0.0.1": 3}
    assert (RateCount.objects.count() > 0) == (store == "database")


def test_expired_counts_are_deleted(settings):
    window = ratelimit.current_window(60, NOW)
    assert ratelimit.hit({"address:a": 1, "token:b": 1}, window) == {"address:a": 1, "token:b": 1}
    assert ratelimit.hit({"address:a": 1, "token:b": 0}, window) == {"address:a": 2, "token:b": 1}
    assert ratelimit.purge_expired(window.end - 1) == 0
    assert ratelimit.purge_expired(window.end + 1) == 2


def test_only_a_windows_first_request_may_delete_expired_counts(monkeypatch):
    monkeypatch.setattr(ratelimit, "PURGE_CHANCE", 1.0)
    monkeypatch.setattr(ratelimit, "clock", lambda: NOW)
    window = ratelimit.current_window(60, NOW)

    def expired_count_kept() -> bool:
        RateCount.objects.get_or_create(key="address:old@0", defaults={"count": 1, "expires_at": 60.0})
        ratelimit.hit({"address:a": 1, "failures:a": 0}, window)
        return RateCount.objects.filter(key="address:old@0").exists()

    assert not expired_count_kept()
    assert expired_count_kept()  # the second request, though its failures' count is still 0


def test_the_back_office_is_not_limited_by_the_api_limits(client, settings, clock):
    _limits(settings, address=1, failures=1)
    assert [client.get("/login/").status_code for _ in range(3)] == [200] * 3


# --- CORS --------------------------------------------------------------------------------------

SHOP = "https://shop.example.com"


def _preflight(client, path="/api/v1/customers", origin=SHOP):
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                         "Access-Control-Request-Headers": "authorization, idempotency-key"})


def test_cors_is_off_by_default(client, settings):
    settings.CORS_ALLOWED_ORIGINS = []
    assert "Access-Control-Allow-Origin" not in _preflight(client)
    _, secret = token_factory(Role.MANAGER)
    response = ApiClient(client, secret).get("/customers", headers={"Origin": SHOP})
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response


def test_cors_answers_only_the_allowed_origins_and_only_on_the_api(client, settings):
    settings.CORS_ALLOWED_ORIGINS = [SHOP]
    allowed = _preflight(client)
    assert allowed["Access-Control-Allow-Origin"] == SHOP
    assert {"authorization", "idempotency-key"} <= {
        name.strip() for name in allowed["Access-Control-Allow-Headers"].split(",")}
    assert "Access-Control-Allow-Credentials" not in allowed
    assert "Access-Control-Allow-Origin" not in _preflight(client, origin="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in _preflight(client, path="/customers/")
    _, secret = token_factory(Role.MANAGER)
    response = ApiClient(client, secret).get("/customers", headers={"Origin": SHOP})
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "retry-after" in response["Access-Control-Expose-Headers"].lower()


def test_a_429_is_readable_by_an_allowed_origin(client, settings, clock):
    settings.CORS_ALLOWED_ORIGINS = [SHOP]
    _limits(settings, failures=1)
    anonymous = ApiClient(client, None)
    assert anonymous.get("/customers", headers={"Origin": SHOP}).status_code == 401
    refused = anonymous.get("/customers", headers={"Origin": SHOP})
    assert refused.status_code == 429 and refused["Access-Control-Allow-Origin"] == SHOP


@pytest.mark.django_db(transaction=True)
def test_counting_outside_a_transaction_leaves_the_durability_setting_as_it_was():
    window = ratelimit.current_window(60, NOW)
    assert ratelimit.hit({"address:c": 1}, window) == {"address:c": 1}
    assert ratelimit.hit({"address:c": 1}, window) == {"address:c": 2}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
