"""What the Settings pages share: access by permission, calling an action from a form or a
button, and the list of sections each role sees."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patron.core.errors import DomainError
from patron.core.permissions import allows
from patron.web.forms import add_domain_errors
from patron.web.views.access import raise_http

T = TypeVar("T")


class Section(NamedTuple):
    name: str  # URL name under "web:", also the key a page passes to mark itself current
    title: str
    permission: str
    description: str

    @property
    def url(self) -> str:
        return reverse(f"web:{self.name}")


SECTIONS = [
    Section("settings_customers", _("Customers"), "settings.manage",
            _("Account number pattern, next number, status of new customers.")),
    Section("settings_price_levels", _("Price levels"), "settings.manage",
            _("The price levels customers can have.")),
    Section("settings_tags", _("Tags"), "settings.manage", _("Rename or remove the tags put on customers.")),
    Section("settings_custom_fields", _("Custom fields"), "settings.manage",
            _("Extra fields on every customer record.")),
    Section("settings_credit_loyalty", _("Credit and loyalty"), "settings.manage",
            _("Customer credit on or off, payment terms, loyalty points.")),
    Section("settings_locations", _("Locations"), "locations.view",
            _("Company, branches and stores; location groups.")),
    Section("settings_staff", _("Staff"), "staff.manage", _("Users, their roles and stores, passwords.")),
    Section("settings_tokens", _("API tokens"), "staff.manage", _("Credentials of POS terminals and webshops.")),
    Section("settings_channels", _("Webshop channels"), "channels.manage",
            _("Webshops that send their customers, and their signing secrets.")),
    Section("settings_webhooks", _("Webhooks"), "webhooks.manage",
            _("Patron's events sent to integrators: subscriptions and their delivery log.")),
]


def visible_sections(user) -> list[Section]:
    return [section for section in SECTIONS if allows(user.role, section.permission)]


def posted(request):
    """The form data of a POST, else None (so a GET shows an unbound form with its initial values)."""
    return request.POST if request.method == "POST" else None


def perform(form, call: Callable[[], T], field_map: dict[str, str] | None = None) -> T | None:
    """Run an action; on a domain error show its messages next to the form's fields (the bound
    form keeps what the user typed) and return None. Actions that take a form return a record."""
    try:
        return call()
    except DomainError as error:
        raise_http(error)
        add_domain_errors(form, error, field_map)
        return None


def perform_button(request, call: Callable[[], object], done: str) -> None:
    """Run an action behind a button (delete, revoke, ...) and report the outcome as a message."""
    try:
        call()
    except DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, done)


def render_page(request, template: str, section: str, **context):
    """Render a Settings page with the section navigation the user's role may see."""
    navigation = {"sections": visible_sections(request.user), "current": section}
    return render(request, template, {**navigation, **context})


def render_form(request, form, *, section: str, title: str, cancel_url: str, submit: str = "",
                intro: str = ""):
    """The add/edit page every Settings form shares."""
    return render_page(request, "web/settings/form.html", section, form=form, title=title,
                       cancel_url=cancel_url, submit=submit or gettext("Save"), intro=intro)
