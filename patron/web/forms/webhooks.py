"""The form of Settings > Webhooks (shape only; patron.events.actions checks the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.events.kinds import EVENT_TYPES


class SubscriptionForm(forms.Form):
    url = forms.CharField(label=_("Endpoint URL"), max_length=500,
                          help_text=_("Where the events are POSTed, e.g. https://pos.example.com/patron-events."))
    event_types = forms.MultipleChoiceField(
        label=_("Events"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(kind, kind) for kind in EVENT_TYPES], help_text=_("None ticked: every event."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False,
                                  help_text=_("Who receives them, e.g. the POS vendor's name."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
