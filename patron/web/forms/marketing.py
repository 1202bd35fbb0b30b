"""The customer page's consent form. Shape only: ``marketing.actions.record_consent`` checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.marketing.models import ConsentChannel, ConsentSource


class ConsentForm(forms.Form):
    prefix = "consent"
    channel = forms.ChoiceField(choices=ConsentChannel.choices, label=_("Channel"))
    answer = forms.ChoiceField(choices=[("granted", _("Agrees to marketing")), ("withdrawn", _("Withdraws / refuses"))],
                               label=_("Answer"))
    source = forms.ChoiceField(choices=ConsentSource.choices, initial=ConsentSource.BACK_OFFICE, label=_("Given at"))
    proof = forms.CharField(required=False, max_length=500, label=_("Proof"),
                            help_text=_("E.g. signed form number, e-mail received, double opt-in token."))
