"""The form of Settings > Webshop channels (shape only; patron.channels.actions checks the rules)."""

from django import forms

from patron.locations.models import LocationKind
from patron.web.forms.settings import LocationField


class ChannelForm(forms.Form):
    code = forms.CharField(max_length=40, help_text="Lower-case letters, digits and dashes, e.g. webshop. The "
                                                    "webshop delivers to /api/v1/channels/<code>/customers.")
    name = forms.CharField(max_length=100, help_text="The webshop's name, e.g. Online store.")
    location = LocationField(kinds={LocationKind.STORE}, label="Home store", empty_label="— the default store —",
                             required=False, help_text="Where the customers it creates are homed.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
