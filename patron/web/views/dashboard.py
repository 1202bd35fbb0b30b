"""The back office's home for managers: the shop's figures at a glance, each chart with its
figures in a table (web.charts draws them on the server)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.days import start_of_day
from patron.core.formats import format_date, format_money, format_percent, format_short_day
from patron.core.permissions import allows
from patron.credit.actions import credit_settings
from patron.credit.queries import overdue_accounts
from patron.customers import figures as customer_figures
from patron.marketing.queries import consent_shares
from patron.sales import figures as sales_figures
from patron.web.charts import Point, bar_chart, daily_bars, format_count, ranking_chart
from patron.web.views.access import requires, signed_in

SALES_DAYS = 30
NEW_CUSTOMER_WEEKS = 12
TOP_CUSTOMERS, TOP_CUSTOMER_DAYS = 10, 90


@signed_in
def home(request):
    """Managers land on the dashboard, everyone else on the customers."""
    return redirect("web:dashboard" if allows(request.user.role, "dashboard.view") else "web:customer_list")


@requires("dashboard.view")
def dashboard(request):
    now = timezone.now()
    today = timezone.localdate(now)
    week_start = start_of_day(today - datetime.timedelta(days=today.weekday()))
    month_start = start_of_day(today.replace(day=1))
    days = sales_figures.sales_by_day(SALES_DAYS, now)
    weeks = customer_figures.new_customers_by_week(NEW_CUSTOMER_WEEKS, now)
    overdue = overdue_accounts(today)
    aging = _aging_totals(overdue)
    top = sales_figures.top_customers(TOP_CUSTOMER_DAYS, TOP_CUSTOMERS, now)
    consent = consent_shares()
    return render(request, "web/dashboard.html", {
        "new_this_week": customer_figures.new_customers_since(week_start),
        "new_this_month": customer_figures.new_customers_since(month_start),
        "active": customer_figures.active_customers(now), "active_days": customer_figures.ACTIVE_WITHIN_DAYS,
        "revenue": sum((day.revenue for day in days), 0), "sales_count": sum(day.sales for day in days),
        "sales_days": SALES_DAYS, "days": days,
        "revenue_chart": daily_bars([(day.day, day.revenue) for day in days], money=True),
        "sales_chart": daily_bars([(day.day, day.sales) for day in days], money=False),
        "weeks": weeks,
        "new_customers_chart": bar_chart([Point(format_short_day(monday), _("Week of %(day)s") % {
            "day": format_date(monday)}, count) for monday, count in weeks], format_count),
        "credit_on": credit_settings().is_enabled,
        "overdue": overdue, "overdue_total": sum((row.overdue for row in overdue), 0),
        "aging": aging, "aging_chart": bar_chart([Point(label, label, amount) for label, amount in aging],
                                                 format_money),
        "top": top, "top_days": TOP_CUSTOMER_DAYS,
        "top_chart": ranking_chart([Point(customer.name, customer.name, amount) for customer, amount in top],
                                   format_money),
        "consent": consent,
        "consent_chart": ranking_chart([Point(share.label, share.label, _share(share.given, share.total))
                                        for share in consent], format_percent, scale=1),
    })


def _aging_totals(overdue) -> list[tuple[str, Decimal]]:
    """What the overdue accounts owe together, by age."""
    labels = {"current": _("Under 30 days"), "30": _("30–59 days"), "60": _("60–89 days"), "90+": _("90 days or more")}
    totals = dict.fromkeys(labels, Decimal(0))
    for row in overdue:
        for bucket, amount in row.aging.items():
            totals[bucket] += amount
    return [(labels[bucket], totals[bucket]) for bucket in labels]


def _share(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)
