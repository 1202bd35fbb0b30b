"""What the customer views share: the permission gate, finding a customer, and running an
action so that its domain errors land on the form (or become a message, a 403 or a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from patron.core import errors
from patron.customers.models import Customer
from patron.customers.queries import get_customer
from patron.web.forms import add_domain_errors
from patron.web.views.access import raise_http


def customer_or_404(uuid) -> Customer:
    try:
        return get_customer(uuid)
    except errors.NotFound:
        raise Http404(_("No such customer.")) from None


OPEN_PARAMETER = "open"  # the section a landing opens on


def customer_url(customer: Customer, section: str = "") -> str:
    url = reverse("web:customer_detail", args=[customer.uuid])
    return f"{url}#{section}" if section else url


def customer_landing(customer: Customer, section: str) -> str:
    """The customer page opened on ``section`` (E11) at the top, header and message in view: a
    #fragment would scroll them away, so the section is named in the query (web/patron.js)."""
    return f"{customer_url(customer)}?{urlencode({OPEN_PARAMETER: section})}"


class Rejected(Exception):
    """An action refused the input; its messages are on the form."""


def submit(form, action, *, field_map: dict[str, str] | None = None, **kwargs):
    """Run ``action(**kwargs)``; on a domain error put its messages on ``form`` and raise
    ``Rejected`` (inside ``transaction.atomic`` this also undoes earlier steps)."""
    try:
        return action(**kwargs)
    except errors.DomainError as error:
        raise_http(error)
        add_domain_errors(form, error, field_map)
        raise Rejected from error


def perform(request, action, **kwargs) -> bool:
    """Run an action that has no form (a button): a refusal becomes an error message."""
    try:
        action(**kwargs)
    except errors.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
        return False
    return True


def posted_version(request) -> int | None:
    """The version of the record the user saw (hidden field), for stale-edit checks."""
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None
