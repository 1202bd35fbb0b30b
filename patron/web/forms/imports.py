"""The Import pages' forms. Shape only: ``transfer.imports.jobs`` checks the file and the mapping."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.core.formats import format_number
from patron.transfer.imports.mappings import MATCH_KEYS, all_targets
from patron.transfer.imports.reading import max_upload_bytes
from patron.transfer.models import ImportJob, SavedMapping

DELIMITERS = [("", _("Detect")), (",", _("Comma ,")), (";", _("Semicolon ;")), ("tab", _("Tab")), ("|", _("Bar |"))]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV or XLSX: an export of Shopify, Square, Lightspeed, "
                                                     "Mailchimp or Patron is recognised; any other file is mapped "
                                                     "column by column."))
    encoding = forms.CharField(required=False, max_length=30, label=_("Encoding"),
                               help_text=_("Leave blank for UTF-8. Older Windows programs write cp1252."))
    delimiter = forms.ChoiceField(required=False, choices=DELIMITERS, label=_("Delimiter"))
    saved_mapping = forms.ChoiceField(required=False, label=_("Saved mapping"))
    strict = forms.BooleanField(required=False, label=_("Reject rows with an invalid phone or e-mail"),
                                help_text=_("Otherwise such a customer is imported without that value, and the "
                                            "report lists it as a warning."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saved_mapping"].choices = [("", _("None: recognise or suggest"))] + [
            (name, name) for name in SavedMapping.objects.values_list("name", flat=True)]
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.tsv,.xlsx"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(_("The file is %(size)s MB; at most %(limit)s MB can be imported at once. "
                                          "Split it into smaller files.") % {
                "size": format_number(round(upload.size / 1e6, 1)), "limit": format_number(round(limit / 1e6))})
        return upload


class MappingForm(forms.Form):
    """One choice per column of the file, the match key, the channel of external references."""

    match_key = forms.ChoiceField(label=_("Match customers by"), choices=list(MATCH_KEYS.items()))
    channel_code = forms.ChoiceField(required=False, label=_("External references belong to"))
    save_as = forms.CharField(required=False, max_length=80, label=_("Save this mapping as"),
                              help_text=_("To import the next file of this layout in one step."))

    def __init__(self, *args, job: ImportJob, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = list(job.mapping)
        targets = list(all_targets().items())
        for index, column in enumerate(self.columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                required=False, choices=targets, label=column, initial=job.mapping[column])
        self.fields["match_key"].initial = job.match_key
        self.fields["channel_code"].choices = [("", _("No channel"))] + _channels()
        self.fields["channel_code"].initial = job.channel_code

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.columns))]

    def mapping(self) -> dict[str, str]:
        return {column: self.cleaned_data.get(f"column_{index}") or ""
                for index, column in enumerate(self.columns)}


def _channels() -> list[tuple[str, str]]:
    from patron.channels.models import Channel

    return [(code, f"{name} ({code})") for code, name in Channel.objects.order_by("code").values_list("code", "name")]
