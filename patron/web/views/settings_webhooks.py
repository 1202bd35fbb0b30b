"""Settings > Webhooks: subscriptions to Patron's events, their delivery log, sending again (admins)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.events import actions, queries
from patron.events.models import Subscription
from patron.web.forms.webhooks import SubscriptionForm
from patron.web.views.access import actor, requires
from patron.web.views.settings_base import perform, perform_button, posted, render_form, render_page

MANAGE = "webhooks.manage"
SECTION = "settings_webhooks"


def _subscription(uuid) -> Subscription:
    return get_object_or_404(Subscription, uuid=uuid, is_active=True)


@requires(MANAGE)
def webhooks(request):
    return render_page(request, "web/settings/webhooks.html", SECTION, subscriptions=queries.subscriptions())


@requires(MANAGE)
def webhook_create(request):
    form = SubscriptionForm(posted(request))
    created = form.is_valid() and perform(form, lambda: actions.create_subscription(
        actor=actor(request), **form.cleaned_data))
    if not created:
        return render_form(request, form, section=SECTION, title=_("New webhook"), submit=_("Add webhook"),
                           cancel_url=reverse("web:settings_webhooks"))
    return _show_secret(request, *created)


@requires(MANAGE)
def webhook_detail(request, uuid):
    subscription = _subscription(uuid)
    return render_page(request, "web/settings/webhook.html", SECTION, subscription=subscription,
                       deliveries=queries.deliveries_of(subscription, status=request.GET.get("status", "")))


@requires(MANAGE)
def webhook_edit(request, uuid):
    subscription = _subscription(uuid)
    form = SubscriptionForm(posted(request), initial={"url": subscription.url, "event_types": subscription.event_types,
                                                      "description": subscription.description})
    if form.is_valid() and perform(form, lambda: actions.update_subscription(
            actor=actor(request), subscription=subscription, **form.cleaned_data)):
        return redirect("web:settings_webhook", subscription.uuid)
    return render_form(request, form, section=SECTION, title=_("Change webhook"),
                       cancel_url=reverse("web:settings_webhook", args=[subscription.uuid]))


@requires(MANAGE)
@require_POST
def webhook_rotate(request, uuid):
    subscription, secret = actions.rotate_subscription_secret(actor=actor(request), subscription=_subscription(uuid))
    return _show_secret(request, subscription, secret)


def _show_secret(request, subscription: Subscription, secret: str):
    # The secret lives only in this response: never redirected through or kept in a message.
    response = render_page(request, "web/settings/webhook_secret.html", SECTION, subscription=subscription,
                           secret=secret)
    add_never_cache_headers(response)
    return response


def _button(request, uuid, action, done: str, *, back: str = "web:settings_webhook"):
    """A button's action on one subscription, its outcome as a message, then back to the page."""
    subscription = _subscription(uuid)
    perform_button(request, lambda: action(actor=actor(request), subscription=subscription), done)
    return redirect(back, subscription.uuid) if back == "web:settings_webhook" else redirect(back)


@requires(MANAGE)
@require_POST
def webhook_pause(request, uuid):
    return _button(request, uuid, actions.pause_subscription, _("Paused: its deliveries wait until you resume it."))


@requires(MANAGE)
@require_POST
def webhook_resume(request, uuid):
    return _button(request, uuid, actions.resume_subscription,
                   _("Resumed: the waiting deliveries go out now, oldest first."))


@requires(MANAGE)
@require_POST
def webhook_remove(request, uuid):
    return _button(request, uuid, actions.remove_subscription, _("Webhook removed: nothing more is sent to it."),
                   back="web:settings_webhooks")


@requires(MANAGE)
@require_POST
def webhook_redeliver(request, uuid, delivery_id: int):
    subscription = _subscription(uuid)
    delivery = get_object_or_404(subscription.deliveries, pk=delivery_id)
    perform_button(request, lambda: actions.redeliver(actor=actor(request), delivery=delivery),
                   _("Queued to be sent again."))
    return redirect("web:settings_webhook", subscription.uuid)
