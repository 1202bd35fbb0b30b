"""Settings > Locations: the company / branch / store hierarchy and the location groups."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from patron.locations import actions
from patron.locations.models import Location, LocationGroup
from patron.locations.queries import location_groups, location_tree
from patron.web.forms.settings import LocationForm, LocationGroupForm
from patron.web.views.access import actor, requires
from patron.web.views.settings_base import perform, posted, render_form, render_page

MANAGE = "locations.manage"


@requires("locations.view")
def locations(request):
    return render_page(request, "web/settings/locations.html", "settings_locations",
                       tree=location_tree(), groups=location_groups())


@requires(MANAGE)
def location_edit(request, uuid=None):
    """Add a location, or change the one with ``uuid``."""
    location = get_object_or_404(Location, uuid=uuid) if uuid is not None else None
    initial = {"code": location.code, "name": location.name, "kind": location.kind,
               "parent": str(location.parent.uuid) if location.parent else "", "country": location.country,
               "time_zone": location.time_zone} if location else {}
    form = LocationForm(posted(request), initial=initial)
    if form.is_valid() and perform(form, lambda: _save_location(request, location, form.cleaned_data)):
        messages.success(request, _("Location %(name)s saved.") % {"name": form.cleaned_data["name"]})
        return redirect("web:settings_locations")
    return render_form(request, form, section="settings_locations",
                       title=_("Location %(name)s") % {"name": location.name} if location else _("New location"),
                       cancel_url=reverse("web:settings_locations"))


def _save_location(request, location: Location | None, values: dict) -> Location:
    if location is None:
        return actions.create_location(actor=actor(request), **values)
    return actions.update_location(actor=actor(request), location=location, **values)


@requires(MANAGE)
def group_edit(request, uuid=None):
    """Add a location group, or change the one with ``uuid``."""
    group = get_object_or_404(LocationGroup, uuid=uuid) if uuid is not None else None
    initial = {"name": group.name, "is_default": group.is_default,
               "locations": [str(location.uuid) for location in group.locations.all()]} if group else {}
    form = LocationGroupForm(posted(request), initial=initial)
    if form.is_valid() and perform(form, lambda: actions.save_location_group(
            actor=actor(request), group=group, **form.cleaned_data)):
        messages.success(request, _("Location group %(name)s saved.") % {"name": form.cleaned_data["name"]})
        return redirect("web:settings_locations")
    return render_form(request, form, section="settings_locations",
                       title=_("Location group %(name)s") % {"name": group.name} if group else _("New location group"),
                       cancel_url=reverse("web:settings_locations"))
