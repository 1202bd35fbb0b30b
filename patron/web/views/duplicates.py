"""The review queue of likely duplicates: strongest first, two records side by side, "not the
same customer" and a link to the merge. The rules are ``duplicates``; this only shows them."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.core.errors import DomainError
from patron.customers.models import AddressKind
from patron.duplicates import actions, queries
from patron.duplicates.entry import candidates_for_entry
from patron.duplicates.models import PairStatus
from patron.duplicates.rules import reason_words
from patron.locations.models import Location
from patron.web.forms.customers import CUSTOMER_FORMS
from patron.web.views.access import actor, raise_http, requires

PAGE_SIZE = 10


@requires("duplicates.review")
def duplicate_queue(request):
    location = Location.objects.filter(code=request.GET.get("location", "")).first()
    reason = request.GET.get("reason", "")
    reason = reason if reason in dict(queries.REASON_CHOICES) else ""
    rows = queries.pairs(queries.QueueFilter(status=PairStatus.OPEN, location=location, reason=reason))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    pairs = [{"pair": pair, "reasons": reason_words(pair.codes), "fields": queries.side_by_side(pair),
              "merge_url": queries.merge_url(pair.first, pair.second)} for pair in page.object_list]
    return render(request, "web/duplicates/queue.html", {
        "page": page, "pairs": pairs, "locations": Location.objects.order_by("code"), "location": location,
        "reasons": queries.REASON_CHOICES, "reason": reason})


@requires("duplicates.review")
@require_POST
def duplicate_not_same(request, pair_id):
    try:
        pair = actions.mark_not_same(actor=actor(request), pair_id=pair_id)
    except DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(first)s and %(second)s are not the same customer; they will not be "
                                    "proposed again.") % {"first": pair.first.name, "second": pair.second.name})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "web:duplicate_queue"
    return redirect(back or "web:duplicate_queue")


@requires("customers.create")
@require_POST
def duplicate_live_check(request, kind):
    """"Did you mean ...?" while a new customer is being typed (htmx, on each change of the form):
    the same candidates the creation would show, from what is typed so far, valid or not."""
    form_class = CUSTOMER_FORMS.get(kind)
    if form_class is None:
        raise Http404(_("No such kind of customer."))
    form, typed = form_class(role=request.user.role), request.POST
    values = {name: typed.get(name, "") for name in ("first_name", "last_name", "name", "birth_date", "tax_id",
                                                     "tax_id_country")}
    values["phones"] = [{"kind": kind_, "number": typed.get(name, "")} for name, kind_ in form.phone_fields]
    values["emails"] = [{"address": typed.get(name, "")} for name, _kind in form.email_fields]
    address = {part: typed.get(f"address_{part}", "") for part in ("line1", "postal_code", "country")}
    candidates = candidates_for_entry(actor(request), kind=kind, values=values,
                                      addresses=[{"kind": AddressKind.CONTACT, **address}])
    return render(request, "web/duplicates/_did_you_mean.html", {"candidates": candidates})
