"""Loyalty points in the back office: a manager's adjustment from the customer page's Points section."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.loyalty import actions
from patron.web.forms.credit import PointsAdjustmentForm
from patron.web.views.access import actor, requires
from patron.web.views.customer_common import customer_or_404, submit
from patron.web.views.customer_detail import save_section_form


@requires("loyalty.adjust")
@require_POST
def adjust_points(request, uuid):
    customer = customer_or_404(uuid)
    form = PointsAdjustmentForm(request.POST)
    return save_section_form(
        request, customer, form, form_key="points_form", section="points",
        save=lambda data: submit(form, actions.adjust_points, actor=actor(request), customer=customer, **data),
        done=lambda entry: _("Points adjusted by %(points)s: the balance is %(balance)s.") % {
            "points": f"{entry.points:+d}", "balance": entry.balance_after})
