"""Customer credit accounts: the account, its entries, statements and the overdue list."""

from datetime import date
from decimal import Decimal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from patron.api.schemas.common import FullDate, InputSchema, Timestamp, from_record, text
from patron.api.schemas.customers import CustomerRef
from patron.api.schemas.money import Amount, AmountOrZero, Currency, MoneyOut, SignedAmount, money
from patron.credit.models import CreditAccount, LedgerEntry, PaymentMethod
from patron.credit.queries import OverdueAccount, Statement


class CreditLimitIn(InputSchema):
    credit_limit: AmountOrZero = Field(description="Opens the account when the customer has none.")


class ChargeIn(InputSchema):
    amount: Amount
    reference: text(100) = Field("", description="E.g. the sale or invoice number.")
    note: text(500) = ""
    currency: Currency | None = None


class CreditPaymentIn(InputSchema):
    amount: Amount
    method: PaymentMethod
    reference: text(100) = ""
    note: text(500) = ""
    currency: Currency | None = None


class AdjustmentIn(InputSchema):
    amount: SignedAmount = Field(description="Positive raises what the customer owes, negative lowers it.")
    note: text(500) = Field(description="Why (required).")


class ReversalIn(InputSchema):
    note: text(500) = Field("", description='Default: "Reverses entry <sequence>".')


class AgingOut(Schema):
    """What is owed by the age of the charges (payments settle the oldest first)."""

    current: MoneyOut = Field(description="Under 30 days.")
    days_30: MoneyOut = Field(description="30 to 59 days.")
    days_60: MoneyOut = Field(description="60 to 89 days.")
    days_90_plus: MoneyOut = Field(description="90 days and more.")

    @classmethod
    def of(cls, buckets: dict[str, Decimal]) -> "AgingOut":
        return cls(current=money(buckets["current"]), days_30=money(buckets["30"]), days_60=money(buckets["60"]),
                   days_90_plus=money(buckets["90+"]))


class CreditAccountOut(Schema):
    customer: CustomerRef
    credit_limit: MoneyOut
    balance: MoneyOut = Field(description="What the customer owes; the sum of the entries. Negative when the "
                                          "customer paid more than was owed (a credit balance).")
    credit_balance: MoneyOut = Field(description="What the customer paid beyond what was owed (0.00 when the "
                                                 "balance is not negative); the next charges spend it first.")
    available_credit: MoneyOut = Field(description="What may still be owed within the limit: the limit less "
                                                   "what is owed, never more than the limit.")
    chargeable: MoneyOut = Field(description="The largest charge accepted now: credit_balance + available_credit.")
    currency: str
    aging: AgingOut
    opened_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, account: CreditAccount, aging: dict[str, Decimal]) -> "CreditAccountOut":
        return from_record(cls, account, customer=CustomerRef.of(account.customer),
                           credit_limit=money(account.credit_limit), balance=money(account.balance),
                           credit_balance=money(account.credit_balance),
                           available_credit=money(account.available_credit), chargeable=money(account.chargeable),
                           aging=AgingOut.of(aging))


class EntryOut(Schema):
    """A posted entry; entries are never changed or deleted (a reversal corrects one)."""

    id: UUID
    sequence: int = Field(description="1, 2, 3 ... per account, without gaps.")
    kind: str
    amount: MoneyOut = Field(description="Positive raises the balance (charge), negative lowers it.")
    balance_after: MoneyOut
    effective_date: date
    posted_at: Timestamp
    posted_by: str
    method: str
    reference: str
    note: str
    reverses: UUID | None = Field(description="The entry this reversal cancels.")
    exceeds_limit: bool = Field(description="Posted although it took the balance over the limit "
                                            "(a reversal of a payment, an adjustment).")

    @classmethod
    def of(cls, entry: LedgerEntry) -> "EntryOut":
        return from_record(cls, entry, id=entry.uuid, amount=money(entry.amount),
                           balance_after=money(entry.balance_after), posted_by=entry.actor_label,
                           reverses=entry.reverses.uuid if entry.reverses_id else None)


class StatementQuery(Schema):
    start: FullDate = Field(description="First day of the period.")
    end: FullDate = Field(description="Last day, included (at most 366 days after start).")


class StatementOut(Schema):
    customer: CustomerRef
    currency: str
    start: date
    end: date
    opening_balance: MoneyOut
    charges: MoneyOut = Field(description="Sum of the period's positive entries.")
    credits: MoneyOut = Field(description="Sum of the period's negative entries.")
    closing_balance: MoneyOut = Field(description="opening_balance + charges + credits.")
    entries: list[EntryOut] = Field(description="The entries dated in the period, oldest first.")

    @classmethod
    def of(cls, statement: Statement) -> "StatementOut":
        return from_record(
            cls, statement, customer=CustomerRef.of(statement.account.customer), currency=statement.account.currency,
            opening_balance=money(statement.opening_balance), charges=money(statement.charges),
            credits=money(statement.credits), closing_balance=money(statement.closing_balance),
            entries=[EntryOut.of(entry) for entry in statement.entries],
        )


class OverdueAccountOut(Schema):
    customer: CustomerRef
    balance: MoneyOut
    credit_limit: MoneyOut
    overdue: MoneyOut = Field(description="Owed for longer than the payment terms.")
    oldest_open: date = Field(description="Date of the oldest charge not yet paid off.")
    aging: AgingOut

    @classmethod
    def of(cls, row: OverdueAccount) -> "OverdueAccountOut":
        account = row.account
        return cls(customer=CustomerRef.of(account.customer), balance=money(account.balance),
                   credit_limit=money(account.credit_limit), overdue=money(row.overdue), oldest_open=row.oldest_open,
                   aging=AgingOut.of(row.aging))
