"""Privacy duties on the customer page (admins): download everything held about the customer, erase them."""

from __future__ import annotations

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patron.privacy.erasure import erase_customer
from patron.privacy.export import archive_name, export_pieces
from patron.privacy.models import RequestStatus
from patron.web.views.access import actor, requires
from patron.web.views.customer_common import customer_or_404, customer_url, perform


@requires("privacy.manage")
@require_GET
def customer_privacy_export(request, uuid):
    customer = customer_or_404(uuid)
    response = StreamingHttpResponse(export_pieces(actor=actor(request), customer=customer),
                                     content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_name(customer)}"'
    response["Cache-Control"] = "no-store"
    return response


@requires("privacy.manage")
@require_POST
def customer_erase(request, uuid):
    customer = customer_or_404(uuid)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Give the reason for the erasure (e.g. the date and way of the request)."))
        return redirect(customer_url(customer))
    done = []
    if perform(request, lambda **kwargs: done.append(erase_customer(**kwargs)), actor=actor(request),
               customer=customer, reason=reason[:500]):
        erasure = done[0]
        if erasure.status == RequestStatus.DONE:
            messages.success(request, _("The customer's personal data was erased; sales and credit entries are kept."))
        else:
            messages.info(request, _("The erasure is queued: it waits until %(until)s, then runs by itself.") % {
                "until": erasure.waiting_for})
    return redirect(customer_url(customer))
