"""Orders on the customer page (O22): mark a pending order completed or cancelled."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.sales.actions import update_order
from patron.sales.models import Order, OrderStatus
from patron.web.views.access import actor, requires
from patron.web.views.customer_common import customer_or_404, customer_url, perform, posted_version


@requires("orders.record")
@require_POST
def order_status(request, uuid, order_uuid):
    customer = customer_or_404(uuid)
    order = get_object_or_404(Order, uuid=order_uuid, customer=customer)
    status = request.POST.get("status", "")
    if perform(request, update_order, actor=actor(request), order=order, status=status,
               expected_version=posted_version(request)):
        messages.success(request, _("%(order)s is %(status)s.") % {
            "order": order, "status": OrderStatus(status).label.lower()})
    return redirect(customer_url(customer, "orders"))
