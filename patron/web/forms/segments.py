"""The Segments page's form. Shape only: ``marketing.actions.create_segment`` checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.core.money import DECIMALS
from patron.customers.models import CustomerStatus, Tag
from patron.locations.models import Location, LocationGroup
from patron.marketing.models import ConsentFilter
from patron.web.forms.numbers import LocalNumberField


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=80, label=_("Name"))
    description = forms.CharField(max_length=500, required=False, label=_("Description"))
    statuses = forms.MultipleChoiceField(choices=CustomerStatus.choices, required=False, label=_("Statuses"),
                                         widget=forms.CheckboxSelectMultiple, help_text=_("None ticked keeps all."))
    tags = forms.ModelMultipleChoiceField(queryset=Tag.objects.order_by("name"), required=False,
                                          label=_("Any of the tags"), to_field_name="name",
                                          widget=forms.CheckboxSelectMultiple)
    home_location = forms.ModelChoiceField(queryset=Location.objects.order_by("name"), required=False,
                                           label=_("Home location (or beneath it)"))
    location_group = forms.ModelChoiceField(queryset=LocationGroup.objects.order_by("name"), required=False,
                                            label=_("Location group"))
    min_total_spend = LocalNumberField(decimals=DECIMALS, amount=True, required=False, min_value=0,
                                       label=_("Spent at least"))
    max_total_spend = LocalNumberField(decimals=DECIMALS, amount=True, required=False, min_value=0,
                                       label=_("Spent at most"))
    last_purchase_after = forms.DateField(required=False, label=_("Last purchase on or after"),
                                          widget=forms.DateInput(attrs={"type": "date"}))
    last_purchase_before = forms.DateField(required=False, label=_("Last purchase on or before"),
                                           widget=forms.DateInput(attrs={"type": "date"}))
    email_consent = forms.ChoiceField(choices=ConsentFilter.choices, required=False, label=_("E-mail consent"))
    sms_consent = forms.ChoiceField(choices=ConsentFilter.choices, required=False, label=_("SMS consent"))
    newsletter_tag = forms.CharField(max_length=100, required=False, label=_("Tag on the newsletter platform"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    @classmethod
    def initial_of(cls, segment) -> dict:
        """The form's values for editing ``segment``."""
        fields = [name for name in cls.base_fields if name not in ("tags", "version")]
        return {**{name: getattr(segment, name) for name in fields},
                "tags": list(segment.tags.all()), "version": segment.version}

    def values(self) -> dict:
        """The criteria as ``create_segment`` takes them (tags by name)."""
        values = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        values["tags"] = [tag.name for tag in values["tags"]]
        return values
