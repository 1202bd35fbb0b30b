"""Settings: customer credit and loyalty points (an admin switches them on, O16)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.credit.actions import credit_settings, set_credit_enabled
from patron.loyalty.actions import loyalty_settings, update_loyalty_settings
from patron.web.forms.settings import CreditLoyaltySettingsForm
from patron.web.views.access import actor, requires
from patron.web.views.settings_base import perform, posted, render_form


def _initial() -> dict:
    credit, loyalty = credit_settings(), loyalty_settings()
    return {"credit_enabled": credit.is_enabled, "payment_terms_days": credit.payment_terms_days,
            "loyalty_enabled": loyalty.is_enabled, "points_per_unit": loyalty.points_per_unit,
            "point_value": loyalty.point_value}


@transaction.atomic
def _save(by: Actor, data: dict):
    """Both settings or neither: a refused loyalty value undoes the credit change too."""
    set_credit_enabled(actor=by, is_enabled=data["credit_enabled"], payment_terms_days=data["payment_terms_days"])
    return update_loyalty_settings(actor=by, is_enabled=data["loyalty_enabled"],
                                   points_per_unit=data["points_per_unit"], point_value=data["point_value"])


@requires("settings.manage")
def credit_loyalty(request):
    form = CreditLoyaltySettingsForm(posted(request), initial=_initial())
    if form.is_valid() and perform(form, lambda: _save(actor(request), form.cleaned_data)):
        messages.success(request, _("Credit and loyalty settings saved."))
        return redirect("web:settings_credit_loyalty")
    return render_form(request, form, section="settings_credit_loyalty", title=_("Credit and loyalty"),
                       cancel_url=reverse("web:settings"),
                       intro=_("Credit lets customers with a limit buy on account; a manager gives each "
                               "customer a limit on their page."))
