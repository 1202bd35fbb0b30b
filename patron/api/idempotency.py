"""Idempotency-Key for POST requests: a retried request gets the first answer, not a second effect.

- The key is 1-255 printable ASCII characters, scoped to the API token that sends it.
- Same key, same request (method, path and body): the stored status, headers and body are
  replayed byte for byte with ``Idempotent-Replayed: true``.
- Same key, another request: 422 ``idempotency-key-reused``, and nothing happens.
- The record is written in the same transaction as the effect. A concurrent duplicate waits for
  the first request's transaction and then gets its answer (or, after waiting too long, 409
  ``idempotency-request-in-flight``), so there is exactly one effect.
- Requests refused for their input are not stored, so the corrected request may reuse the key:
  the schema's and the parser's refusals (400, 413, 415, 422) and the actions' ``ValidationFailed``
  and ``TooLarge``. Every other refusal raised while the request runs (``Refused`` such as
  credit-limit-exceeded, ``RuleViolation``, ``Conflict``, ``NotFound``, ``PermissionDenied``,
  ``StaleVersion``) is stored and replayed like a success: the retry of a charge refused over the
  limit stays refused, even after a payment freed credit. Whatever the refused request had
  written is undone first (it runs in a savepoint), so only its answer is kept.
- Records are kept for ``PATRON_API_IDEMPOTENCY_DAYS`` (7); after that the key is new again.
  ``purge_expired_records`` (command ``purge_idempotency_keys``) deletes old ones.

Apply ``@idempotent()`` to every POST operation; operations that move money use ``required=True``.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from functools import partial, wraps

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.utils import contribute_operation_callback

from patron.api.errors import ApiProblem, render_domain_error
from patron.api.models import IdempotencyRecord
from patron.api.parser import is_json, read_raw_body
from patron.core.errors import DomainError, TooLarge, ValidationFailed

HEADER = "Idempotency-Key"
_KEY = re.compile(r"[\x20-\x7e]{1,255}")
_STORED_HEADERS = ("Content-Type", "ETag", "Location")
# Refusals of the input itself: like request validation, they are not stored.
_INPUT_REFUSALS = (ValidationFailed, TooLarge)
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout expired


def retention() -> timedelta:
    return timedelta(days=settings.PATRON_API_IDEMPOTENCY_DAYS)


def idempotent(*, required: bool = False):
    """Make a POST operation honour Idempotency-Key (mandatory when ``required``)."""

    def decorate(view):
        @wraps(view)
        def once(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            key = _key_of(request, required)
            if key is None:
                return view(request, *args, **kwargs)
            try:
                with transaction.atomic():
                    _bound_lock_waits()
                    record, replay = _claim(request.auth, key, request_fingerprint(request))
                    if replay is not None:
                        return replay
                    response = _run_storing_refusals(view, request, *args, **kwargs)
                    _store(record, response)
                    return response
            except OperationalError as error:
                if getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                    raise ApiProblem("busy", "The record is busy with other requests; retry in a moment.",
                                     headers={"Retry-After": "1"}) from None
                raise

        once.idempotency = "required" if required else "optional"
        contribute_operation_callback(once, partial(_document_header, required=required))
        return once

    return decorate


def _key_of(request: HttpRequest, required: bool) -> str | None:
    if HEADER not in request.headers:
        if required:
            raise ApiProblem("idempotency-key-required",
                             f"Send an {HEADER} header: unique per operation, the same when you retry it.")
        return None
    key = request.headers[HEADER]
    if not _KEY.fullmatch(key):
        raise ApiProblem("invalid-idempotency-key", f"{HEADER} must be 1 to 255 printable ASCII characters.")
    return key


def request_fingerprint(request: HttpRequest) -> str:
    """What makes two requests "the same": method, path with query, and body (JSON compared by
    value, so key order and spacing do not matter)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(_body_identity(request))
    return digest.hexdigest()


def _body_identity(request: HttpRequest) -> bytes:
    content_type = request.content_type or ""
    if is_json(content_type):
        try:
            return json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            return request.body
    if content_type.startswith("multipart/"):
        fields = [f"{name}={value}" for name, value in sorted(request.POST.lists())]
        files = [f"{name}:{hashlib.sha256(upload.read()).hexdigest()}"
                 for name, upload in sorted(request.FILES.items())]
        for upload in request.FILES.values():
            upload.seek(0)
        return "\n".join(fields + files).encode()
    return read_raw_body(request)


def _claim(token, key: str, fingerprint: str) -> tuple[IdempotencyRecord, HttpResponse | None]:
    """Take the key for this request, or find the stored answer to an earlier one."""
    record = _insert(token, key, fingerprint)
    if record is not None:
        return record, None
    earlier = IdempotencyRecord.objects.filter(token=token, key=key).first()
    if earlier is None or earlier.created_at < timezone.now() - retention():
        if earlier is not None:
            earlier.delete()
        return _insert(token, key, fingerprint) or _raise_in_flight(), None
    if earlier.fingerprint != fingerprint:
        raise ApiProblem("idempotency-key-reused", f"This {HEADER} was already used for a different request "
                                                   "(another body or another address). Use a new key.")
    if not earlier.status_code:
        _raise_in_flight()
    return earlier, _replay(earlier)


def _insert(token, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """Claim the key, or return None when a record holds it already. ON CONFLICT DO NOTHING waits
    for a concurrent holder to finish (PostgreSQL) without raising, so no savepoint is needed."""
    record = IdempotencyRecord(token=token, key=key, fingerprint=fingerprint)
    fields = [field for field in IdempotencyRecord._meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(record, True), connection) for field in fields]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {IdempotencyRecord._meta.db_table} ({', '.join(field.column for field in fields)}) "
                f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT (token_id, key) DO NOTHING RETURNING id",
                values)
            row = cursor.fetchone()
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:  # the holder is still running
            _raise_in_flight()
        raise
    if row is None:
        return None
    record.pk, record._state.adding = row[0], False
    return record


def _bound_lock_waits() -> None:
    """On PostgreSQL a duplicate waits for the first request's transaction, and a charge for the
    account's row lock; bound those waits for this transaction so a client gets 409 or 503
    rather than hanging. (SQLite serialises writers at BEGIN, under its busy timeout.)"""
    if connection.vendor == "postgresql":
        wait_ms = int(settings.PATRON_API_IDEMPOTENCY_WAIT_SECONDS * 1000)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{wait_ms}ms"])


def _raise_in_flight():
    raise ApiProblem("idempotency-request-in-flight",
                     f"A request with this {HEADER} is still being processed; retry in a moment.")


def _run_storing_refusals(view, request: HttpRequest, *args, **kwargs) -> HttpResponse:
    try:
        with transaction.atomic():  # a refusal keeps nothing of what the request wrote
            return view(request, *args, **kwargs)
    except DomainError as error:
        if isinstance(error, _INPUT_REFUSALS):
            raise  # the whole transaction, key included, is undone
        return render_domain_error(error)


def _store(record: IdempotencyRecord, response: HttpResponse) -> None:
    record.status_code = response.status_code
    record.headers = {name: response[name] for name in _STORED_HEADERS if response.has_header(name)}
    record.body = response.content
    record.save(update_fields=["status_code", "headers", "body"])


def _replay(record: IdempotencyRecord) -> HttpResponse:
    headers = dict(record.headers)
    response = HttpResponse(bytes(record.body), status=record.status_code,
                            content_type=headers.pop("Content-Type", None))
    for name, value in headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _document_header(operation, *, required: bool) -> None:
    parameter = {
        "in": "header", "name": HEADER, "required": required,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
        "description": "A unique value per operation (e.g. a UUID); send the same value when retrying. "
                       "See docs/api.md for what is replayed.",
    }
    operation.openapi_extra = {**(operation.openapi_extra or {})}
    operation.openapi_extra.setdefault("parameters", []).append(parameter)


def purge_expired_records(*, now=None, batch_size: int = 10_000) -> int:
    """Delete records past the retention window, in batches; returns how many went."""
    cutoff = (now or timezone.now()) - retention()
    purged = 0
    while True:
        expired = IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)
        batch = list(expired[:batch_size])
        if not batch:
            return purged
        purged += IdempotencyRecord.objects.filter(pk__in=batch).delete()[0]
