"""The customer page's consent form. Shape only: ``marketing.actions.record_consent`` checks the rules."""

from __future__ import annotations

from django import forms

from patron.marketing.models import ConsentChannel, ConsentSource


class ConsentForm(forms.Form):
    prefix = "consent"
    channel = forms.ChoiceField(choices=ConsentChannel.choices, label="Channel")
    answer = forms.ChoiceField(choices=[("granted", "Agrees to marketing"), ("withdrawn", "Withdraws / refuses")],
                               label="Answer")
    source = forms.ChoiceField(choices=ConsentSource.choices, initial=ConsentSource.BACK_OFFICE, label="Given at")
    proof = forms.CharField(required=False, max_length=500, label="Proof",
                            help_text="E.g. signed form number, e-mail received, double opt-in token.")
