"""The Sales page (every sale and return with its customer, G23), one sale in full (G14, O20)
and e-mailing its receipt (G17)."""

from __future__ import annotations

import smtplib

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.core import errors
from patron.sales.queries import get_sale, list_sales
from patron.sales.receipts import send_receipt
from patron.web.forms.sales import ReceiptForm, SalesFilterForm
from patron.web.views.access import actor, raise_http, requires

PAGE_SIZE = 50


def sale_or_404(uuid):
    try:
        return get_sale(uuid)
    except errors.NotFound:
        raise Http404(_("No such sale.")) from None


@requires("sales.view")
def sale_list(request):
    form = SalesFilterForm(request.GET)
    sales = list_sales(search=form.value_of("q"), start=form.value_of("start", None),
                       end=form.value_of("end", None)).prefetch_related("payments")
    context = {"form": form, "page": Paginator(sales, PAGE_SIZE).get_page(request.GET.get("page"))}
    template = "web/sales/list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"  # typing in the search box replaces only the results
    return render(request, template, context)


@requires("sales.view")
def sale_detail(request, uuid):
    sale = sale_or_404(uuid)
    return render(request, "web/sales/detail.html", {"sale": sale, "returns": sale.returns.all(),
                                                     "receipt_form": ReceiptForm()})


def _back(request, sale) -> str:
    """Where the receipt form came from (the sale page, or the till's confirmation)."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return sale_url(sale)


def sale_url(sale) -> str:
    return reverse("web:sale_detail", args=[sale.uuid])


@requires("sales.email_receipt")
@require_POST
def email_receipt(request, uuid):
    """Send the receipt now; what went wrong (no address, a bad one, the mail server) is a message."""
    sale = sale_or_404(uuid)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(message for field in form.errors.values() for message in field))
        return redirect(_back(request, sale))
    try:
        recipient = send_receipt(actor=actor(request), sale=sale, to=form.cleaned_data["to"] or None)
    except errors.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    except (smtplib.SMTPException, OSError) as error:
        messages.error(request, _("The receipt could not be sent: the mail server said “%(error)s”.") % {
            "error": error})
    else:
        messages.success(request, _("Receipt %(number)s sent to %(address)s.") % {
            "number": sale.number, "address": recipient})
    return redirect(_back(request, sale))
