"""The form of Settings > Webshop channels (shape only; patron.channels.actions checks the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.locations.models import LocationKind
from patron.web.forms.settings import LocationField


class ChannelForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40,
                           help_text=_("Lower-case letters, digits and dashes, e.g. webshop. The "
                                       "webshop delivers to /api/v1/channels/<code>/customers."))
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("The webshop's name, e.g. Online store."))
    location = LocationField(kinds={LocationKind.STORE}, label=_("Home store"), empty_label=_("— the default store —"),
                             required=False, help_text=_("Where the customers it creates are homed."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
