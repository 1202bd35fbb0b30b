"""A year of trading over the demo customers, so every screen shows something on a first run:
sales and returns at the stores and in the webshop, purchases on account settled month by month
(a few accounts left overdue), loyalty points earned and spent, and orders.

Recorded through the domain actions in the order things happened, as tills and staff would have
recorded them, so limits, points and statements come out as they would in a real shop. Customer
statuses are given afterwards (``dataset``): an account on credit hold is one whose last months
were left unpaid, an inactive customer one who stopped buying months ago.
"""

from __future__ import annotations

import datetime
import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from patron.core.actors import Actor
from patron.core.errors import ValidationFailed
from patron.core.money import quantize
from patron.credit import actions as credit
from patron.credit.models import PaymentMethod
from patron.customers.models import Customer, CustomerKind, CustomerStatus
from patron.demo.values import DemoValues
from patron.loyalty import actions as loyalty
from patron.loyalty.queries import points_balance
from patron.marketing.actions import record_consent
from patron.marketing.models import ConsentChannel, ConsentSource
from patron.sales import actions as sales
from patron.sales.models import Channel, Order, OrderKind, OrderStatus, Sale, SaleKind, TenderKind

# Customers who never bought joined within this many days of now.
NEW_CUSTOMER_DAYS = 45
HISTORY_DAYS = 365
# What the demo shop sells: (SKU, description, department, unit price).
PRODUCTS = (
    ("HW-1001", "Cordless drill 18 V", "Tools", Decimal("89.00")),
    ("HW-1002", "Screwdriver set, 12 pieces", "Tools", Decimal("24.50")),
    ("HW-1003", "Wood screws, box of 200", "Fixings", Decimal("7.95")),
    ("HW-1004", "Wall plugs, 100", "Fixings", Decimal("4.20")),
    ("GD-2001", "Garden hose, 25 m", "Garden", Decimal("32.00")),
    ("GD-2002", "Potting soil, 40 l", "Garden", Decimal("8.49")),
    ("GD-2003", "Pruning shears", "Garden", Decimal("19.90")),
    ("PT-3001", "Interior paint, white, 5 l", "Paint", Decimal("45.00")),
    ("PT-3002", "Paint roller set", "Paint", Decimal("12.75")),
    ("PT-3003", "Masking tape, 50 m", "Paint", Decimal("3.60")),
    ("EL-4001", "LED bulb E27, 4-pack", "Electrical", Decimal("11.99")),
    ("EL-4002", "Extension cord, 5 m", "Electrical", Decimal("14.50")),
    ("KT-5001", "Stainless steel pan, 28 cm", "Kitchen", Decimal("54.00")),
    ("KT-5002", "Chef's knife", "Kitchen", Decimal("39.00")),
)
# Purchases a year (lowest, highest), by kind.
SALES_A_YEAR = {CustomerKind.PERSON: (0, 14), CustomerKind.COMPANY: (4, 24), CustomerKind.PLACEHOLDER: (10, 30)}
CREDIT_LIMITS = (Decimal("1000"), Decimal("2500"), Decimal("5000"), Decimal("10000"))
PAYMENT_TERMS_DAYS = 45
PAY_ON_DAY = 10  # of the month after: when an account's month of purchases is paid (within the terms)
RETURN_SHARE = 0.03
WEBSHOP_SHARE = 0.15
ORDER_SHARE = 0.15
# Of the private persons: who said yes to the newsletter by e-mail or SMS; some e-mail yeses are
# withdrawn later.
CONSENT_SHARES = {ConsentChannel.EMAIL: 0.45, ConsentChannel.SMS: 0.15}
WITHDRAWN_SHARE = 0.12
UNPAID_MONTHS_ON_HOLD = 3  # an account on credit hold left its last months unpaid
INACTIVE_AFTER_DAYS = 200  # an inactive customer's last purchase was at least this long ago


@dataclass
class TradingSummary:
    sales: int = 0
    returns: int = 0
    payments: int = 0
    orders: int = 0


@dataclass
class _Account:
    """What the demo knows of an account while it records: enough to stay within the limit."""

    limit: Decimal
    balance: Decimal = Decimal("0")
    owed_by_month: dict[tuple[int, int], Decimal] = field(default_factory=lambda: defaultdict(Decimal))


def record_a_year_of_trading(*, actor: Actor, values: DemoValues, customers: list[tuple[Customer, str]],
                             loaded_since: datetime.datetime) -> TradingSummary:
    """Sales, returns, account payments and orders over the past year for ``customers`` (each with
    the status it is going to get), recorded in the order they happened. Every customer created
    since ``loaded_since`` (representatives too) gets a join date in that year."""
    now = timezone.now()
    _switch_credit_and_points_on(actor)
    trading = _Trading(actor, values, now)
    for customer, status in customers:
        trading.plan_customer(customer, status)
    trading.plan_settlements()
    trading.run()
    trading.date_the_joining(loaded_since)
    return trading.summary


def _switch_credit_and_points_on(actor: Actor) -> None:
    if not credit.credit_settings().is_enabled:
        credit.set_credit_enabled(actor=actor, is_enabled=True, payment_terms_days=PAYMENT_TERMS_DAYS)
    settings = loyalty.loyalty_settings()
    if not settings.is_enabled:
        loyalty.update_loyalty_settings(actor=actor, is_enabled=True, points_per_unit=settings.points_per_unit,
                                        point_value=settings.point_value)


class _Trading:
    def __init__(self, actor: Actor, values: DemoValues, now: datetime.datetime):
        self.actor, self.values, self.now = actor, values, now
        self.events: list[tuple] = []  # heap of (when, sequence, what, arguments)
        self.accounts: dict[int, _Account] = {}
        self.on_hold: set[int] = set()
        self.first_seen: dict[int, datetime.datetime] = {}  # customer id: their first purchase or consent
        self.summary = TradingSummary()
        # A second demo load numbers on after the first.
        self.numbers = {"D": Sale.objects.count(), "O": Order.objects.count()}

    def _at(self, when: datetime.datetime, what: str, *arguments) -> None:
        heapq.heappush(self.events, (when, len(self.events), what, arguments))
        if arguments and isinstance(arguments[0], Customer):
            customer_id = arguments[0].pk
            self.first_seen[customer_id] = min(when, self.first_seen.get(customer_id, when))

    def _moment(self, *, oldest_days: int, newest_days: int = 0) -> datetime.datetime:
        """A time in opening hours between ``oldest_days`` and ``newest_days`` ago, never ahead of now."""
        day = self.now - datetime.timedelta(days=self.values.rng.randint(newest_days, oldest_days))
        moment = day.replace(hour=self.values.rng.randint(8, 18), minute=self.values.rng.randint(0, 59))
        return min(moment, self.now - datetime.timedelta(minutes=self.values.rng.randint(5, 300)))

    # --- planning ------------------------------------------------------------------------------

    def plan_customer(self, customer: Customer, status: str) -> None:
        rng = self.values.rng
        if customer.is_placeholder and not customer.track_sales:
            return
        if (customer.is_company and status != CustomerStatus.INACTIVE) or status == CustomerStatus.CREDIT_HOLD:
            self.accounts[customer.pk] = _Account(limit=rng.choice(CREDIT_LIMITS))
            credit.set_credit_limit(actor=self.actor, customer=customer, credit_limit=self.accounts[customer.pk].limit)
        newest = INACTIVE_AFTER_DAYS if status == CustomerStatus.INACTIVE else 0
        moments = [self._moment(oldest_days=HISTORY_DAYS, newest_days=newest)
                   for _ in range(rng.randint(*SALES_A_YEAR[customer.kind]))]
        if status == CustomerStatus.CREDIT_HOLD:  # bought on account two and three months ago, never paid
            self.on_hold.add(customer.pk)
            moments += [self._moment(oldest_days=90, newest_days=50) for _ in range(2)]
        for moment in moments:
            self._at(moment, "sale", customer)
        if status in (CustomerStatus.ACTIVE, CustomerStatus.PROSPECT) and self.values.chance(ORDER_SHARE):
            self._at(self._moment(oldest_days=90), "order", customer)
        if customer.is_person:
            for channel, share in CONSENT_SHARES.items():
                if self.values.chance(share):
                    given = self._moment(oldest_days=HISTORY_DAYS)
                    self._at(given, "consent", customer, channel, True)
                    if self.values.chance(WITHDRAWN_SHARE):
                        self._at(min(given + datetime.timedelta(days=rng.randint(10, 200)), self.now), "consent",
                                 customer, channel, False)

    def plan_settlements(self) -> None:
        """Each account pays a month's purchases on PAY_ON_DAY of the next month (the events run
        in time order, so by then the month is complete)."""
        first = (self.now - datetime.timedelta(days=HISTORY_DAYS)).date().replace(day=1)
        month = first
        while True:
            due = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=PAY_ON_DAY)
            moment = timezone.make_aware(datetime.datetime.combine(due, datetime.time(10)), datetime.UTC)
            if moment >= self.now:
                return
            for customer_id in self.accounts:
                self._at(moment, "settle", customer_id, (month.year, month.month))
            month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)

    # --- recording -----------------------------------------------------------------------------

    def run(self) -> None:
        customers = {}
        while self.events:
            when, _sequence, what, arguments = heapq.heappop(self.events)
            if what == "sale":
                self._sale(when, *arguments)
            elif what == "return":
                self._return(when, *arguments)
            elif what == "consent":
                self._consent(when, *arguments)
            elif what == "settle":
                customer_id, month = arguments
                customers.setdefault(customer_id, Customer.objects.get(pk=customer_id))
                self._settle(when, customers[customer_id], month)
            else:
                self._order(when, *arguments)

    def date_the_joining(self, loaded_since: datetime.datetime) -> None:
        """Each customer joined before their first purchase; one who never bought joined lately
        (a new customer who has not bought yet), so "new customers" this week and month and "new
        customers by week" have figures. A demo's shortcut: the audit trail still says when the
        demo was loaded."""
        for customer_id in Customer.objects.filter(created_at__gte=loaded_since).values_list("pk", flat=True):
            if customer_id in self.first_seen:
                first = self.first_seen[customer_id]
                joined = first - datetime.timedelta(days=self.values.rng.randint(0, 30), hours=1)
            else:
                joined = self._moment(oldest_days=NEW_CUSTOMER_DAYS)
            Customer.objects.filter(pk=customer_id).update(created_at=joined)

    def _number(self, series: str = "D") -> str:
        self.numbers[series] += 1
        return f"{series}{self.numbers[series]:06d}"

    def _lines(self, customer: Customer) -> list[dict]:
        rng = self.values.rng
        most = 10 if customer.is_company else 3
        return [{"sku": sku, "description": description, "department": department,
                 "quantity": str(rng.randint(1, most)), "unit_price": str(price)}
                for sku, description, department, price in rng.sample(PRODUCTS, rng.randint(1, 3))]

    def _sale(self, when: datetime.datetime, customer: Customer) -> None:
        lines = self._lines(customer)
        total = sum((Decimal(line["quantity"]) * Decimal(line["unit_price"]) for line in lines), Decimal("0"))
        tender = self._tender(customer, quantize(total))
        webshop = customer.is_person and self.values.chance(WEBSHOP_SHARE)
        sale = sales.record_sale(
            actor=self.actor, source="demo-webshop" if webshop else "demo-till", number=self._number(),
            location=customer.home_location, lines=lines, payments=[{"tender": tender, "amount": str(total)}],
            customer=customer, occurred_at=when, channel=Channel.WEBSHOP if webshop else Channel.POS)
        self.summary.sales += 1
        if tender == TenderKind.ON_ACCOUNT:
            account = self.accounts[customer.pk]
            account.balance += sale.total
            account.owed_by_month[(when.year, when.month)] += sale.total
        if self.values.chance(RETURN_SHARE):
            later = when + datetime.timedelta(days=self.values.rng.randint(1, 14), hours=1)
            if later < self.now:
                self._at(later, "return", sale, tender)

    def _tender(self, customer: Customer, total: Decimal) -> str:
        account = self.accounts.get(customer.pk)
        if account is not None and account.balance + total <= account.limit:
            return TenderKind.ON_ACCOUNT
        if customer.is_person and self.values.chance(0.2) and loyalty.value_of(points_balance(customer)) >= total:
            try:
                loyalty.points_needed(total)
                return TenderKind.POINTS
            except ValidationFailed:  # the point value does not divide this total
                pass
        return self.values.pick((TenderKind.CARD, TenderKind.CARD, TenderKind.CASH))

    def _return(self, when: datetime.datetime, sale: Sale, tender: str) -> None:
        line = sale.lines.order_by("position").first()
        refund = TenderKind.CARD if tender == TenderKind.POINTS else tender
        returned = sales.record_sale(
            actor=self.actor, source=sale.source, number=self._number(), location=sale.location,
            lines=[{"sku": line.sku, "description": line.description, "department": line.department,
                    "quantity": str(line.quantity), "unit_price": str(line.unit_price)}],
            payments=[{"tender": refund, "amount": str(line.line_total)}], customer=sale.customer,
            occurred_at=when, channel=sale.channel, kind=SaleKind.RETURN, original_sale=sale)
        self.summary.returns += 1
        if refund == TenderKind.ON_ACCOUNT:
            account = self.accounts[sale.customer_id]
            account.balance += returned.total  # negative
            account.owed_by_month[(when.year, when.month)] += returned.total

    def _settle(self, when: datetime.datetime, customer: Customer, month: tuple[int, int]) -> None:
        account = self.accounts[customer.pk]
        owed = account.owed_by_month.pop(month, Decimal("0"))
        months_ago = (self.now.year - month[0]) * 12 + self.now.month - month[1]
        left_unpaid = customer.pk in self.on_hold and months_ago <= UNPAID_MONTHS_ON_HOLD
        if owed <= 0 or left_unpaid:
            return
        credit.post_payment(actor=self.actor, customer=customer, amount=owed,
                            method=self.values.pick((PaymentMethod.BANK_TRANSFER, PaymentMethod.BANK_TRANSFER,
                                                     PaymentMethod.CARD)),
                            reference=f"Invoice {month[0]}-{month[1]:02d}", effective_date=when.date())
        account.balance -= owed
        self.summary.payments += 1

    def _consent(self, when: datetime.datetime, customer: Customer, channel: str, granted: bool) -> None:
        record_consent(actor=self.actor, customer=customer, channel=channel, granted=granted, occurred_at=when,
                       source=self.values.pick((ConsentSource.POS, ConsentSource.WEBSHOP)),
                       proof="Asked at the till" if granted else "Unsubscribe link")

    def _order(self, when: datetime.datetime, customer: Customer) -> None:
        rng = self.values.rng
        sku, description, _department, price = rng.choice(PRODUCTS)
        order = sales.record_order(
            actor=self.actor, customer=customer, source="demo-till", number=self._number("O"),
            kind=rng.choice(OrderKind.values), location=customer.home_location,
            amount_due=str(price * rng.randint(1, 4)), placed_at=when, description=f"{description} ({sku})")
        if when < self.now - datetime.timedelta(days=30) and self.values.chance(0.8):
            sales.update_order(actor=self.actor, order=order, status=OrderStatus.COMPLETED)
        self.summary.orders += 1
