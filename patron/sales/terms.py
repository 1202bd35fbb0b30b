"""What a till needs to know when a cashier selects a customer: may they buy, on account, at which
prices, with how much credit and how many points, and who may buy on their account."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from patron.core.errors import DomainError
from patron.credit.actions import credit_settings
from patron.credit.models import CreditAccount
from patron.customers import rules
from patron.customers.models import Contact, Customer
from patron.loyalty.actions import loyalty_settings, value_of
from patron.loyalty.models import PointsAccount


@dataclass(frozen=True)
class CustomerTerms:
    customer: Customer
    may_buy: bool
    may_buy_on_account: bool
    on_account_refusal: str  # why not, for the cashier ("" when allowed)
    price_level: str
    default_discount: Decimal
    is_tax_exempt: bool
    always_formal_invoice: bool
    has_credit: bool
    credit_limit: Decimal
    balance: Decimal
    available_credit: Decimal  # what may still be owed within the limit
    chargeable: Decimal  # what the till may put on account now: the credit balance, then the available credit
    points_balance: int
    points_value: Decimal
    authorized_buyers: list[Contact]


def _refusal(check, customer: Customer) -> str:
    try:
        check(customer)
    except DomainError as error:
        return error.message
    return ""


def customer_terms(customer: Customer) -> CustomerTerms:
    customer = Customer.objects.select_related("price_level").get(pk=customer.pk)
    account = CreditAccount.objects.filter(customer=customer).first()
    points = PointsAccount.objects.filter(customer=customer).values_list("balance", flat=True).first() or 0
    credit_on = credit_settings().is_enabled
    refusal = (_refusal(rules.check_may_buy_on_account, customer)
               or ("" if credit_on else "Customer credit is switched off.")
               or ("" if account else f"{customer.name} has no credit account."))
    available = Decimal("0.00") if refusal else account.available_credit
    chargeable = Decimal("0.00") if refusal else account.chargeable
    return CustomerTerms(
        customer=customer,
        may_buy=customer.status in rules.MAY_BUY,
        may_buy_on_account=not refusal and chargeable > 0,
        on_account_refusal=refusal or ("" if chargeable > 0 else "No credit available."),
        price_level=customer.price_level.code,
        default_discount=customer.default_discount,
        is_tax_exempt=customer.is_tax_exempt,
        always_formal_invoice=customer.always_formal_invoice,
        has_credit=account is not None,
        credit_limit=account.credit_limit if account else Decimal("0.00"),
        balance=account.balance if account else Decimal("0.00"),
        available_credit=available,
        chargeable=chargeable,
        points_balance=points if loyalty_settings().is_enabled else 0,
        points_value=value_of(points) if loyalty_settings().is_enabled else Decimal("0.00"),
        authorized_buyers=list(customer.contacts.filter(is_active=True, is_authorized_buyer=True)),
    )
