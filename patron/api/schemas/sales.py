"""Sales, returns, orders and purchase figures."""

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from ninja import Schema
from pydantic import Field, StringConstraints

from patron.api.schemas.common import DateTime, FullDate, InputSchema, Timestamp, from_record, text
from patron.api.schemas.contacts import ContactRef
from patron.api.schemas.customers import CustomerRef, LocationRef
from patron.api.schemas.money import Amount, AmountOrZero, Currency, MoneyOut, money
from patron.customers.queries import SEARCH_MAX
from patron.sales.actions import MAX_LINES
from patron.sales.models import (
    Channel,
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    Sale,
    SaleKind,
    SaleLine,
    SalePayment,
    TenderKind,
)
from patron.sales.queries import PurchaseSummary

MAX_PAYMENTS = 20
Quantity = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,6}(?:\.[0-9]{1,3})?$"), Field(
    description='A positive decimal string with at most three decimals, e.g. "1" or "0.5".', examples=["1"])]


def _quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")  # "1", "0.5", "100" (normalize alone would give "1E+2")


class SaleLineIn(InputSchema):
    sku: text(60) = ""
    description: text(200)
    department: text(60) = ""
    quantity: Quantity
    unit_price: AmountOrZero
    discount: AmountOrZero = Field("0.00", description="Off the line (quantity × unit price).")
    tax: AmountOrZero = "0.00"


class SalePaymentIn(InputSchema):
    tender: TenderKind
    amount: Amount


class SaleIn(InputSchema):
    """A sale, or a return (``kind`` "return" with ``original_sale``): lines and payments carry
    positive amounts either way. Payments must add up to the total."""

    source: text(60) = Field(min_length=1, description="The till or webshop that numbered the sale.")
    number: text(40) = Field(min_length=1, description="Unique per source.")
    kind: SaleKind = SaleKind.SALE
    original_sale: UUID | None = Field(None, description="For a return: the sale it refunds.")
    occurred_at: DateTime | None = Field(None, description="When it happened (RFC 3339); default now.")
    location: UUID | None = Field(None, description="Default: the token's store.")
    channel: Channel = Channel.POS
    customer: UUID | None = None
    bought_by: UUID | None = Field(None, description="The customer's contact who bought (on account: an "
                                                     "authorized buyer).")
    currency: Currency | None = None
    lines: list[SaleLineIn] = Field(min_length=1, max_length=MAX_LINES)
    payments: list[SalePaymentIn] = Field(default_factory=list, max_length=MAX_PAYMENTS)


class SaleQuery(Schema):
    q: text(SEARCH_MAX) = Field("", description="Sale number or customer name.")
    customer: UUID | None = None
    start: FullDate | None = Field(None, description="First day (the shop's time zone).")
    end: FullDate | None = Field(None, description="Last day, included.")


class SaleLink(Schema):
    id: UUID
    number: str

    @classmethod
    def of(cls, sale: Sale) -> "SaleLink":
        return cls(id=sale.uuid, number=sale.number)


class SaleLineOut(Schema):
    position: int
    sku: str
    description: str
    department: str
    quantity: str
    unit_price: MoneyOut
    discount: MoneyOut
    tax: MoneyOut
    line_total: MoneyOut

    @classmethod
    def of(cls, line: SaleLine) -> "SaleLineOut":
        return from_record(cls, line, quantity=_quantity(line.quantity), unit_price=money(line.unit_price),
                           discount=money(line.discount), tax=money(line.tax), line_total=money(line.line_total))


class SalePaymentOut(Schema):
    tender: str
    amount: MoneyOut = Field(description="Negative for a refund.")
    credit_entry: UUID | None = Field(description="The charge or refund on the credit account (on_account).")
    points: int | None = Field(description="Points redeemed (points).")

    @classmethod
    def of(cls, payment: SalePayment) -> "SalePaymentOut":
        entry, points = payment.ledger_entry, payment.points_entry
        return cls(tender=payment.tender, amount=money(payment.amount), credit_entry=entry.uuid if entry else None,
                   points=-points.points if points else None)


class SaleSummaryOut(Schema):
    """A sale as lists show it."""

    id: UUID
    source: str
    number: str
    kind: str
    original_sale: SaleLink | None = Field(description="What a return refunds.")
    occurred_at: Timestamp
    location: LocationRef
    channel: str
    customer: CustomerRef | None
    total: MoneyOut = Field(description="Negative for a return.")
    currency: str
    payments: list[SalePaymentOut]

    @classmethod
    def of(cls, sale: Sale) -> "SaleSummaryOut":
        return from_record(cls, sale, **_summary_values(sale))


def _summary_values(sale: Sale) -> dict:
    return {"id": sale.uuid, "location": LocationRef.of(sale.location), "total": money(sale.total),
            "original_sale": SaleLink.of(sale.original_sale) if sale.original_sale else None,
            "customer": CustomerRef.of(sale.customer) if sale.customer else None,
            "payments": [SalePaymentOut.of(payment) for payment in sale.payments.all()]}


class SaleOut(SaleSummaryOut):
    bought_by: ContactRef | None
    subtotal: MoneyOut
    discount_total: MoneyOut
    tax_total: MoneyOut
    lines: list[SaleLineOut]
    returns: list[SaleLink] = Field(description="Returns that refund this sale.")
    recorded_by: str
    created_at: Timestamp

    @classmethod
    def of(cls, sale: Sale) -> "SaleOut":
        return from_record(
            cls, sale, **_summary_values(sale), bought_by=ContactRef.of(sale.bought_by) if sale.bought_by else None,
            subtotal=money(sale.subtotal), discount_total=money(sale.discount_total), tax_total=money(sale.tax_total),
            lines=[SaleLineOut.of(line) for line in sale.lines.all()],
            returns=[SaleLink.of(sale_return) for sale_return in sale.returns.order_by("occurred_at", "id")],
        )


class ReceiptIn(InputSchema):
    to: text(254) | None = Field(None, description="Default: the customer's first e-mail address.")


class ReceiptOut(Schema):
    sale: UUID
    sent_to: str


class PeriodQuery(Schema):
    start: FullDate | None = Field(None, description="First day (the shop's time zone); default: the first sale.")
    end: FullDate | None = Field(None, description="Last day, included; default: today.")


class MonthSpendOut(Schema):
    month: date = Field(description="The first day of the month.")
    total: MoneyOut


class DepartmentRevenueOut(Schema):
    department: str
    total: MoneyOut


class PurchaseSummaryOut(Schema):
    start: date | None
    end: date | None
    total: MoneyOut = Field(description="Net spend of the period (returns subtracted).")
    sale_count: int
    return_count: int
    visit_count: int = Field(description="Days with a sale or a return.")
    average_basket: MoneyOut
    last_visit: Timestamp | None
    spend_by_month: list[MonthSpendOut]
    revenue_by_department: list[DepartmentRevenueOut]

    @classmethod
    def of(cls, period: PeriodQuery, summary: PurchaseSummary, by_month: list[tuple[date, Decimal]],
           by_department: dict[str, Decimal]) -> "PurchaseSummaryOut":
        return from_record(
            cls, summary, start=period.start, end=period.end, total=money(summary.total),
            average_basket=money(summary.average_basket),
            spend_by_month=[MonthSpendOut(month=month, total=money(total)) for month, total in by_month],
            revenue_by_department=[DepartmentRevenueOut(department=name, total=money(total))
                                   for name, total in by_department.items()],
        )


class OrderIn(InputSchema):
    customer: UUID
    source: text(60) = Field(min_length=1)
    number: text(40) = Field(min_length=1, description="Unique per source.")
    kind: OrderKind
    location: UUID | None = Field(None, description="Default: the token's store.")
    amount_due: AmountOrZero
    placed_at: DateTime | None = Field(None, description="Default: now.")
    description: text(500) = ""


class OrderPatch(InputSchema):
    status: OrderStatus | None = Field(None, description="Completing or cancelling sets closed_at.")
    amount_due: AmountOrZero | None = None


class OrderLineOut(Schema):
    position: int
    sku: str
    description: str
    quantity: str
    unit_price: MoneyOut
    line_total: MoneyOut

    @classmethod
    def of(cls, line: OrderLine) -> "OrderLineOut":
        return from_record(cls, line, quantity=_quantity(line.quantity), unit_price=money(line.unit_price),
                           line_total=money(line.line_total))


class OrderOut(Schema):
    id: UUID
    customer: CustomerRef
    source: str
    number: str
    kind: str
    status: str
    location: LocationRef
    placed_at: Timestamp
    amount_due: MoneyOut
    closed_at: Timestamp | None
    description: str
    lines: list[OrderLineOut] = Field(description="What the order is for, when it was taken with lines (the back "
                                                  "office); the amount due is then their total.")
    version: int

    @classmethod
    def of(cls, order: Order) -> "OrderOut":
        return from_record(cls, order, id=order.uuid, customer=CustomerRef.of(order.customer),
                           location=LocationRef.of(order.location), amount_due=money(order.amount_due),
                           lines=[OrderLineOut.of(line) for line in order.lines.all()])
