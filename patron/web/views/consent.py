"""Recording a customer's marketing consent from the customer page's Consent section."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.marketing import actions
from patron.web.forms.marketing import ConsentForm
from patron.web.views.access import actor, requires
from patron.web.views.customer_common import customer_or_404, submit
from patron.web.views.customer_detail import save_section_form


@requires("consent.record")
@require_POST
def record_consent(request, uuid):
    customer = customer_or_404(uuid)
    form = ConsentForm(request.POST)

    def save(data):
        return submit(form, actions.record_consent, actor=actor(request), customer=customer,
                      channel=data["channel"], granted=data["answer"] == "granted", source=data["source"],
                      proof=data["proof"])

    return save_section_form(request, customer, form, form_key="consent_form", section="consent", save=save,
                             done=lambda event: (_("%(channel)s consent: granted.") if event.granted else
                                                _("%(channel)s consent: withdrawn.")) % {
                                 "channel": event.get_channel_display()})
