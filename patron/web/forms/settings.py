"""Forms of the Settings pages. They check shape only; the actions check the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from patron.core.permissions import Role
from patron.customers.models import CustomerStatus, CustomFieldType
from patron.locations.models import Location, LocationKind
from patron.locations.queries import location_tree
from patron.web.forms.numbers import LocalNumberField

# PositiveSmallIntegerField's range: bigger positions would fail in the database, not in a rule.
_POSITION = {"min_value": 0, "max_value": 32767, "initial": 0}


def _location_choices(kinds: set[str] | None = None) -> list[tuple[str, str]]:
    """Locations in hierarchy order, indented by depth; identified by their public uuid."""
    return [(str(location.uuid), "\u2003" * depth + f"{location.name} ({location.code})")
            for location, depth in location_tree() if kinds is None or location.kind in kinds]


def _locations_by_uuid(values: list[str]) -> list[Location]:
    return list(Location.objects.filter(uuid__in=values))


class LocationField(forms.ChoiceField):
    """One location picked from the hierarchy, or none; cleans to a ``Location``."""

    def __init__(self, *, kinds: set[str] | None = None, empty_label: str = "—", **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=lambda: [("", empty_label), *_location_choices(kinds)], **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return _locations_by_uuid([value])[0] if value else None


class LocationsField(forms.MultipleChoiceField):
    """Several locations picked from the hierarchy; cleans to a list of ``Location``."""

    def __init__(self, **kwargs):
        super().__init__(choices=_location_choices, **kwargs)

    def clean(self, value):
        return _locations_by_uuid(super().clean(value))


def _store_field() -> LocationField:
    return LocationField(kinds={LocationKind.STORE}, label=_("Store"), empty_label=_("— no store —"))


class _SettingsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields, no colon needed
        super().__init__(*args, **kwargs)


class CustomerSettingsForm(_SettingsForm):
    account_number_pattern = forms.CharField(
        label=_("Account number pattern"), max_length=30,
        help_text=_("Each # is a digit of the sequence: C###### gives C000001."))
    next_account_number = forms.IntegerField(label=_("Next account number"), max_value=10**15,
                                             help_text=_("The number the next new customer gets."))
    initial_status = forms.ChoiceField(label=_("Status of new customers"), choices=CustomerStatus.choices,
                                       help_text=_("The status new customers start in."))


class PriceLevelForm(_SettingsForm):
    code = forms.CharField(label=_("Code"), max_length=10)
    name = forms.CharField(label=_("Name"), max_length=60, required=False,
                           help_text=_("Left empty, the code is the name."))
    position = forms.IntegerField(label=_("Position"), **_POSITION, help_text=_("Price levels are listed by position."))
    is_default = forms.BooleanField(required=False, label=_("Default for new customers"))


class TagForm(_SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=50)


class CustomFieldForm(_SettingsForm):
    key = forms.CharField(label=_("Key"), max_length=40,
                          help_text=_("Lower-case letters, digits and _; it cannot change later."))
    label = forms.CharField(label=_("Label"), max_length=80)
    field_type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices,
                                   help_text=_("It cannot change later."))
    choices = forms.CharField(label=_("Choices"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              help_text=_("For a choice field: the values to choose from, one per line."))
    is_required = forms.BooleanField(required=False, label=_("Required"))
    is_active = forms.BooleanField(required=False, label=_("Active"), initial=True)
    position = forms.IntegerField(label=_("Position"), **_POSITION)
    help_text = forms.CharField(label=_("Help text"), max_length=200, required=False,
                                help_text=_("Shown under the field."))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # stored values depend on them, so the form ignores whatever is posted
            self.fields["key"].disabled = True
            self.fields["field_type"].disabled = True

    def clean_choices(self) -> list[str]:
        return self.cleaned_data["choices"].splitlines()


class LocationForm(_SettingsForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=LocationKind.choices,
                             help_text=_("A company holds branches and stores; a branch holds stores."))
    parent = LocationField(label=_("Part of"), empty_label=_("— top level —"))
    country = forms.CharField(label=_("Country"), max_length=60, required=False,
                              help_text=_("ISO code such as DE or NL. Left empty, the location above decides. "
                                          "Phone numbers and tax IDs typed here without a country are read in it."))
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, required=False,
                                help_text=_("Such as Europe/Berlin. Left empty, the location above decides."))


class LocationGroupForm(_SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    locations = LocationsField(label=_("Locations"), required=False, widget=forms.SelectMultiple(attrs={"size": 8}),
                               help_text=_("A company or branch covers every store beneath it."))
    is_default = forms.BooleanField(required=False, label=_("Given to new customers when none is chosen"))


# The rules of AUTH_PASSWORD_VALIDATORS, read when shown so they follow the settings.
_password_rules = lazy(lambda: " ".join(password_validators_help_texts()), str)


class _PasswordPairForm(_SettingsForm):
    """A password typed twice, so a typo does not lock the user out."""

    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False,
                               help_text=_password_rules())
    password_again = forms.CharField(widget=forms.PasswordInput, strip=False, label=_("Password again"))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


def language_field() -> forms.ChoiceField:
    """The back office's language for a user; blank follows the browser."""
    return forms.ChoiceField(label=_("Language"), required=False,
                             choices=lambda: [("", _("As the browser asks")), *settings.LANGUAGES])


class LanguageForm(_SettingsForm):
    language = language_field()


class UserCreateForm(_PasswordPairForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(required=False, label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CASHIER)
    location = _store_field()
    language = language_field()

    field_order = ["username", "first_name", "last_name", "email", "role", "location", "language", "password",
                   "password_again"]


class UserRoleForm(_SettingsForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    location = _store_field()


class UserPasswordForm(_PasswordPairForm):
    pass


class ApiTokenForm(_SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("The terminal or webshop that uses it, e.g. Till 2."))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CASHIER)
    location = _store_field()


class CreditLoyaltySettingsForm(_SettingsForm):
    credit_enabled = forms.BooleanField(required=False, label=_("Customer credit"),
                                        help_text=_("Let customers with a credit limit buy on account."))
    payment_terms_days = forms.IntegerField(label=_("Payment terms (days)"),
                                            help_text=_("A charge unpaid for longer is overdue."))
    loyalty_enabled = forms.BooleanField(required=False, label=_("Loyalty points"),
                                         help_text=_("Customers earn points on purchases and can pay with them."))
    points_per_unit = LocalNumberField(decimals=4, max_value=Decimal("9999.9999"), label=_("Points per currency unit"),
                                       help_text=_("Points earned per unit spent, rounded down."))
    point_value = LocalNumberField(decimals=4, max_value=Decimal("9999.9999"), label=_("Value of a point"),
                                   help_text=_("What one point pays when redeemed."))
