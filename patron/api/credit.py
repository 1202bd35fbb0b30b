"""Customer credit accounts: the limit, charges, payments, adjustments, reversals, entries,
statements and the overdue list.

Every POST here moves money and therefore requires an Idempotency-Key. Entries are never changed
or deleted, so their addresses answer PUT, PATCH and DELETE with 405.
"""

from datetime import timedelta
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.customers import CUSTOMER
from patron.api.errors import ApiProblem
from patron.api.idempotency import idempotent
from patron.api.lookups import in_path
from patron.api.pagination import PageParams, page_of, paginate_rows, paginated_response
from patron.api.responses import respond
from patron.api.schemas.credit import (
    AdjustmentIn,
    ChargeIn,
    CreditAccountOut,
    CreditLimitIn,
    CreditPaymentIn,
    EntryOut,
    OverdueAccountOut,
    ReversalIn,
    StatementOut,
    StatementQuery,
)
from patron.core.errors import NotFound
from patron.credit import actions
from patron.credit.models import CreditAccount, LedgerEntry
from patron.credit.queries import account_of, aging, overdue_accounts, statement
from patron.customers import queries
from patron.customers.models import Customer

router = Router(tags=["credit"])
CREDIT = CUSTOMER + "/credit"
ENTRY = "/credit/entries/{uuid:entry_id}"
MAX_STATEMENT_DAYS = 366


def _account(customer: Customer) -> CreditAccount:
    account = account_of(customer)
    if account is None:
        raise NotFound(f"{customer.name} has no credit account: set a credit limit first.",
                       code="no-credit-account")
    return account


def _account_response(account: CreditAccount, *, status: int = 200) -> HttpResponse:
    return respond(CreditAccountOut.of(account, aging(account)), status=status)


def _entries():
    return LedgerEntry.objects.select_related("reverses")


def _entry_response(entry: LedgerEntry) -> HttpResponse:
    """A just-posted entry: 201 with its address."""
    location = reverse("api-v1:get_credit_entry", kwargs={"entry_id": entry.uuid})
    return respond(EntryOut.of(entry), status=201, location=location)


@router.get(CREDIT, response={200: CreditAccountOut})
@requires("credit.view")
def get_credit_account(request: HttpRequest, customer_id: UUID):
    """Limit, balance, available credit and aging; 404 no-credit-account when the customer has none."""
    return _account_response(_account(queries.get_customer(customer_id)))


@router.put(CREDIT, response={200: CreditAccountOut, 201: CreditAccountOut})
@checked_by_action("credit.set_limit")
def set_credit_limit(request: HttpRequest, customer_id: UUID, payload: CreditLimitIn):
    """Give the customer credit (201: the account is opened) or change the limit (200). A limit
    under the balance is allowed; charges are then refused until the balance is under it."""
    customer = queries.get_customer(customer_id)
    opened = account_of(customer) is None
    account = actions.set_credit_limit(actor=actor_of(request), customer=customer,
                                       credit_limit=payload.credit_limit)
    return _account_response(account, status=201 if opened else 200)


@router.post(CREDIT + "/charges", response={201: EntryOut})
@checked_by_action("credit.charge")
@idempotent(required=True)
def charge_account(request: HttpRequest, customer_id: UUID, payload: ChargeIn):
    """Charge a purchase to the account: 422 credit-limit-exceeded when it would pass the limit,
    409 when the customer's status forbids buying on account."""
    entry = actions.post_charge(actor=actor_of(request), customer=queries.get_customer(customer_id),
                                **payload.model_dump())
    return _entry_response(entry)


@router.post(CREDIT + "/payments", response={201: EntryOut})
@checked_by_action("credit.record_payment")
@idempotent(required=True)
def record_credit_payment(request: HttpRequest, customer_id: UUID, payload: CreditPaymentIn):
    entry = actions.post_payment(actor=actor_of(request), customer=queries.get_customer(customer_id),
                                 **payload.model_dump())
    return _entry_response(entry)


@router.post(CREDIT + "/adjustments", response={201: EntryOut})
@checked_by_action("credit.adjust")
@idempotent(required=True)
def adjust_credit_balance(request: HttpRequest, customer_id: UUID, payload: AdjustmentIn):
    """A manager's correction with a reason; it may take the balance over the limit (flagged)."""
    entry = actions.post_adjustment(actor=actor_of(request), customer=queries.get_customer(customer_id),
                                    **payload.model_dump())
    return _entry_response(entry)


@router.post(ENTRY + "/reversal", response={201: EntryOut})
@checked_by_action("credit.reverse")
@idempotent(required=True)
def reverse_credit_entry(request: HttpRequest, entry_id: UUID, payload: ReversalIn):
    """Post the exact opposite of an entry, pointing back at it. 409 already-reversed the second
    time, reversal-of-reversal for a reversal."""
    entry = in_path(_entries().select_related("account__customer"), entry_id, code="entry-not-found")
    return _entry_response(actions.reverse_entry(actor=actor_of(request), entry=entry, note=payload.note))


@router.get(CREDIT + "/entries", response={200: page_of(EntryOut)})
@requires("credit.view")
def list_credit_entries(request: HttpRequest, customer_id: UUID, page: Query[PageParams]):
    """Newest first."""
    account = _account(queries.get_customer(customer_id))
    return paginated_response(_entries().filter(account=account), page, ordering=("-sequence", "-id"),
                              item=EntryOut)


@router.get(ENTRY, response={200: EntryOut})
@requires("credit.view")
def get_credit_entry(request: HttpRequest, entry_id: UUID):
    return respond(EntryOut.of(in_path(_entries(), entry_id, code="entry-not-found")))


@router.get(CREDIT + "/statement", response={200: StatementOut})
@requires("credit.view")
def get_credit_statement(request: HttpRequest, customer_id: UUID, period: Query[StatementQuery]):
    """Opening balance, the period's entries, charges, credits and closing balance."""
    _check_period(period)
    account = _account(queries.get_customer(customer_id))
    return respond(StatementOut.of(statement(account, period.start, period.end)))


def _check_period(period: StatementQuery) -> None:
    if period.end < period.start:
        problem = "end is before start."
    elif period.end - period.start >= timedelta(days=MAX_STATEMENT_DAYS):
        problem = f"A statement covers at most {MAX_STATEMENT_DAYS} days; list the entries for more."
    else:
        return
    raise ApiProblem("validation-failed", problem, errors=[{"parameter": "end", "detail": problem}])


@router.get("/credit/overdue", response={200: page_of(OverdueAccountOut)})
@requires("credit.view_overdue")
def list_overdue_accounts(request: HttpRequest, page: Query[PageParams]):
    """Accounts owing for longer than the payment terms, the largest overdue amount first."""
    rows = paginate_rows(overdue_accounts(), page, name="overdue",
                         key=lambda row: (-int(row.overdue * 100), str(row.account.customer.uuid)))
    return respond(page_of(OverdueAccountOut)(items=[OverdueAccountOut.of(row) for row in rows.items],
                                              next_cursor=rows.next_cursor))
