"""The customer page's Consent section: the current answer per channel and the history."""

from __future__ import annotations

from patron.core.permissions import allows
from patron.marketing.queries import consent_history
from patron.web.forms.marketing import ConsentForm

HISTORY_ROWS = 100


def consent_section(request, customer) -> dict:
    """Context of the section; empty (no section) for roles that may not view customers."""
    if not allows(request.user.role, "customers.view"):
        return {}
    history = list(consent_history(customer)[:HISTORY_ROWS])
    current = {channel: next((event for event in history if event.channel == channel), None)
               for channel in ("email", "sms")}
    return {"consent_history": history, "consent_email": current["email"], "consent_sms": current["sms"],
            "consent_form": ConsentForm()}
