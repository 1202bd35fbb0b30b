"""Settings > Webshop channels: the webshops that send their customers, and their secrets (admins)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.channels import actions
from patron.channels.models import Channel
from patron.channels.queries import channels_with_counts
from patron.web.forms.channels import ChannelForm
from patron.web.views.access import actor, requires
from patron.web.views.settings_base import perform, perform_button, posted, render_form, render_page

MANAGE = "channels.manage"


@requires(MANAGE)
def channels(request):
    return render_page(request, "web/settings/channels.html", "settings_channels",
                       channels=channels_with_counts().select_related("location"))


@requires(MANAGE)
def channel_create(request):
    form = ChannelForm(posted(request))
    created = form.is_valid() and perform(form, lambda: actions.create_channel(
        actor=actor(request), **form.cleaned_data))
    if not created:
        return render_form(request, form, section="settings_channels", title=_("New webshop channel"),
                           submit=_("Add channel"), cancel_url=reverse("web:settings_channels"))
    channel, secret = created
    return _show_secret(request, channel, secret, "created")


@requires(MANAGE)
@require_POST
def channel_rotate(request, code: str):
    channel = get_object_or_404(Channel, code=code)
    channel, secret = actions.rotate_secret(actor=actor(request), channel=channel)
    return _show_secret(request, channel, secret, "rotated")


def _show_secret(request, channel: Channel, secret: str, event: str):
    # The secret lives only in this response: never redirected through or kept in a message.
    response = render_page(request, "web/settings/channel_secret.html", "settings_channels", channel=channel,
                           secret=secret, event=event)
    add_never_cache_headers(response)
    return response


@requires(MANAGE)
@require_POST
def channel_deactivate(request, code: str):
    channel = get_object_or_404(Channel, code=code)
    perform_button(request, lambda: actions.deactivate_channel(actor=actor(request), channel=channel),
                   _("Channel %(code)s deactivated: its deliveries are refused from now on.") % {"code": channel.code})
    return redirect("web:settings_channels")


@requires(MANAGE)
@require_POST
def channel_reactivate(request, code: str):
    channel = get_object_or_404(Channel, code=code)
    perform_button(request, lambda: actions.reactivate_channel(actor=actor(request), channel=channel),
                   _("Channel %(code)s accepts deliveries again.") % {"code": channel.code})
    return redirect("web:settings_channels")
