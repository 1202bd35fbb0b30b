"""Settings: the index, and the customer settings an admin manages (account numbers, price
levels, tags, custom fields)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.credit.actions import credit_settings
from patron.customers import actions
from patron.customers.models import CustomerSettings, CustomFieldDefinition, PriceLevel, Tag
from patron.customers.queries import price_levels_with_counts, tags_with_counts
from patron.web.forms.settings import CustomerSettingsForm, CustomFieldForm, PriceLevelForm, TagForm
from patron.web.views.access import actor, requires, signed_in
from patron.web.views.settings_base import perform, perform_button, posted, render_form, render_page

MANAGE = "settings.manage"


@signed_in
def index(request):
    return render_page(request, "web/settings/index.html", "", credit_off=not credit_settings().is_enabled)


# --- customer settings -------------------------------------------------------------------------

@requires(MANAGE)
def customer_settings(request):
    shop = CustomerSettings.objects.get(pk=1)
    initial = {name: getattr(shop, name) for name in CustomerSettingsForm.base_fields}
    form = CustomerSettingsForm(posted(request), initial=initial)
    if form.is_valid() and perform(form, lambda: actions.update_customer_settings(
            actor=actor(request), **form.cleaned_data)):
        messages.success(request, _("Customer settings saved."))
        return redirect("web:settings_customers")
    return render_form(request, form, section="settings_customers", title=_("Customer settings"),
                       cancel_url=reverse("web:settings"))


# --- price levels ------------------------------------------------------------------------------

@requires(MANAGE)
def price_levels(request):
    return render_page(request, "web/settings/price_levels.html", "settings_price_levels",
                       price_levels=price_levels_with_counts())


@requires(MANAGE)
def price_level_edit(request, code: str | None = None):
    """Add a price level, or change the one with ``code``."""
    level = get_object_or_404(PriceLevel, code=code) if code is not None else None
    initial = {"code": level.code, "name": level.name, "position": level.position,
               "is_default": level.is_default} if level else {}
    form = PriceLevelForm(posted(request), initial=initial)
    if form.is_valid() and perform(form, lambda: actions.save_price_level(
            actor=actor(request), level=level, **form.cleaned_data)):
        messages.success(request, _("Price level %(code)s saved.") % {"code": form.cleaned_data["code"]})
        return redirect("web:settings_price_levels")
    return render_form(request, form, section="settings_price_levels",
                       title=_("Price level %(code)s") % {"code": level.code} if level else _("New price level"),
                       cancel_url=reverse("web:settings_price_levels"))


@requires(MANAGE)
@require_POST
def price_level_delete(request, code: str):
    level = get_object_or_404(PriceLevel, code=code)
    perform_button(request, lambda: actions.delete_price_level(actor=actor(request), level=level),
                   _("Price level %(code)s deleted.") % {"code": level.code})
    return redirect("web:settings_price_levels")


# --- tags --------------------------------------------------------------------------------------

@requires(MANAGE)
def tags(request):
    return render_page(request, "web/settings/tags.html", "settings_tags", tags=tags_with_counts())


@requires(MANAGE)
def tag_rename(request, name: str):
    tag = get_object_or_404(Tag, name=name)
    form = TagForm(posted(request), initial={"name": tag.name})
    if form.is_valid() and perform(form, lambda: actions.rename_tag(
            actor=actor(request), tag=tag, name=form.cleaned_data["name"])):
        messages.success(request, _("Tag renamed to %(name)s.") % {"name": tag.name})
        return redirect("web:settings_tags")
    return render_form(request, form, section="settings_tags", title=_("Rename tag %(name)s") % {"name": name},
                       submit=_("Rename"),
                       cancel_url=reverse("web:settings_tags"))


@requires(MANAGE)
@require_POST
def tag_delete(request, name: str):
    tag = get_object_or_404(Tag, name=name)
    perform_button(request, lambda: actions.delete_tag(actor=actor(request), tag=tag),
                   _("Tag %(name)s deleted.") % {"name": tag.name})
    return redirect("web:settings_tags")


# --- custom fields -----------------------------------------------------------------------------

@requires(MANAGE)
def custom_fields(request):
    return render_page(request, "web/settings/custom_fields.html", "settings_custom_fields",
                       definitions=CustomFieldDefinition.objects.all())


@requires(MANAGE)
def custom_field_edit(request, key: str | None = None):
    """Define a custom field, or change the one with ``key`` (its key and type stay)."""
    definition = get_object_or_404(CustomFieldDefinition, key=key) if key is not None else None
    form = CustomFieldForm(posted(request), initial=_custom_field_initial(definition),
                           editing=definition is not None)
    if form.is_valid() and perform(form, lambda: actions.save_custom_field(
            actor=actor(request), definition=definition, **form.cleaned_data)):
        messages.success(request, _("Custom field %(label)s saved.") % {"label": form.cleaned_data["label"]})
        return redirect("web:settings_custom_fields")
    return render_form(request, form, section="settings_custom_fields",
                       title=(_("Custom field %(label)s") % {"label": definition.label} if definition
                              else _("New custom field")),
                       cancel_url=reverse("web:settings_custom_fields"))


def _custom_field_initial(definition: CustomFieldDefinition | None) -> dict:
    if definition is None:
        return {}
    fields = ["key", "label", "field_type", "is_required", "is_active", "position", "help_text"]
    return {name: getattr(definition, name) for name in fields} | {"choices": "\n".join(definition.choices)}
