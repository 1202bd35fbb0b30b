"""Web forms check shape only (required, type, length); business rules run in the actions.

``add_domain_errors`` puts a domain error's field messages next to the matching form fields, so
the user sees every problem where it belongs and keeps what they typed.
"""

from __future__ import annotations

from django import forms

from patron.core.errors import DomainError


def add_domain_errors(form: forms.Form, error: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Attach ``error``'s messages to the form: ``field_map`` renames domain fields to form
    fields ("phones.0.number" -> "mobile_phone"); unknown fields become non-field errors."""
    field_map = field_map or {}
    for field, messages in error.errors.items():
        name = field_map.get(field, field)
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
            else:
                form.add_error(None, message)


class FilterForm(forms.Form):
    """A GET form of list filters: a missing or invalid filter falls back to its default
    instead of failing the page."""

    def value_of(self, name: str, default=""):
        """The cleaned value of a filter, or its default when it was missing or invalid."""
        if not self.is_valid() and name in self.errors:
            return default
        return self.cleaned_data.get(name) or default
