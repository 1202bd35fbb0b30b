"""What a till shows when a cashier selects a customer."""

from uuid import UUID

from ninja import Schema
from pydantic import Field

from patron.api.schemas.common import from_record
from patron.api.schemas.contacts import ContactRef
from patron.api.schemas.customers import photo_url
from patron.api.schemas.money import MoneyOut, money
from patron.core.money import currency
from patron.sales.terms import CustomerTerms


class TermsOut(Schema):
    id: UUID
    name: str
    account_number: str
    status: str
    photo_url: str | None
    photo_version: int
    may_buy: bool
    may_buy_on_account: bool
    on_account_refusal: str = Field(description='Why not, for the cashier ("" when allowed).')
    price_level: str
    default_discount: str = Field(description="Percent, a decimal string.")
    is_tax_exempt: bool
    always_formal_invoice: bool
    has_credit: bool = Field(description="Whether the customer has a credit account.")
    credit_limit: MoneyOut
    balance: MoneyOut
    available_credit: MoneyOut = Field(description="What may still be owed within the limit; 0.00 when the "
                                                   "customer may not buy on account.")
    chargeable: MoneyOut = Field(description="The most the till may put on account now: a credit balance (an "
                                             "overpayment) first, then the available credit; 0.00 when the "
                                             "customer may not buy on account.")
    currency: str
    points_balance: int
    points_value: MoneyOut
    authorized_buyers: list[ContactRef] = Field(description="Contacts who may buy on the account.")

    @classmethod
    def of(cls, terms: CustomerTerms) -> "TermsOut":
        customer = terms.customer
        return from_record(
            cls, terms, id=customer.uuid, name=customer.name, account_number=customer.account_number,
            status=customer.status, photo_url=photo_url(customer), photo_version=customer.photo_version,
            default_discount=f"{terms.default_discount:.2f}", credit_limit=money(terms.credit_limit),
            balance=money(terms.balance), available_credit=money(terms.available_credit),
            chargeable=money(terms.chargeable), currency=currency(),
            points_value=money(terms.points_value),
            authorized_buyers=[ContactRef.of(contact) for contact in terms.authorized_buyers],
        )
