"""Forms of the customer pages.

They check shape only (type, length); the customers actions check every rule, and their errors
come back onto these forms through ``add_domain_errors``. Each form turns what was typed into
the plain ``values`` an action takes, together with the map from the action's field names
("phones.1.number") back to the form's fields ("home_phone").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.core.permissions import allows
from patron.customers.actions.contacts import CONTACT_TEXT_FIELDS
from patron.customers.actions.messages import BODY_MAX
from patron.customers.cleaning import (
    ADDRESS_TEXT_FIELDS,
    NAME_MAX,
    NAME_PREFIX_MAX,
    NOTES_MAX,
    PERSON_NAME_MAX,
    TAG_MAX,
    TERMS_FIELDS,
)
from patron.customers.custom_fields import TEXT_MAX
from patron.customers.models import (
    AddressKind,
    Customer,
    CustomerKind,
    CustomerSettings,
    CustomerStatus,
    CustomFieldDefinition,
    CustomFieldType,
    EmailKind,
    MessageChannel,
    MessageDirection,
    PhoneKind,
    PriceLevel,
    Tag,
)
from patron.locations.models import Location, LocationGroup
from patron.locations.queries import default_groups, default_location
from patron.lookup.engine import QUERY_MAX
from patron.marketing.models import Segment
from patron.web.forms import FilterForm
from patron.web.forms.numbers import LocalNumberField


def _text(label: str, max_length: int, **attrs) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, widget=forms.TextInput(attrs=attrs))


def _notes(label: str = _("Notes"), max_length: int = NOTES_MAX) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 4}))


def _phone(label: str) -> forms.CharField:
    return _text(label, 40, type="tel", autocomplete="off")


def _email(label: str) -> forms.CharField:
    return _text(label, 254, type="email", autocomplete="off")


def _date(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=10,
                           widget=forms.DateInput(attrs={"type": "date"}))


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, required=False)


def _present(values: dict) -> bool:
    return any(value not in (None, "", False) for value in values.values())


# --- phones and e-mails --------------------------------------------------------------------

def merge_typed(existing: list[dict], typed: list[tuple[str, str, str]], value_key: str
                ) -> tuple[list[dict], dict[int, str]]:
    """Lay what was typed in a form's phone (or e-mail) fields over the customer's list.

    ``typed`` holds (form field, kind, value). A field shows the first item of its kind, so it
    replaces that item in place (or removes it when cleared); items no field shows stay as they
    are, and new values are appended. Returns the list for the action and, for each list index
    that came from a field, the field's name.
    """
    by_kind = {kind: (name, value) for name, kind, value in typed}
    items: list[dict] = []
    origin: dict[int, str] = {}
    shown: set[str] = set()
    for item in existing:
        kind = item["kind"]
        if kind in by_kind and kind not in shown:
            shown.add(kind)
            name, value = by_kind[kind]
            if value:
                origin[len(items)] = name
                items.append({"kind": kind, value_key: value})
        else:
            items.append(dict(item))
    for name, kind, value in typed:
        if kind not in shown and value:
            origin[len(items)] = name
            items.append({"kind": kind, value_key: value})
    return items, origin


def existing_phones(customer) -> list[dict]:
    return [{"kind": phone.kind, "number": phone.number} for phone in customer.phones.all()] if customer else []


def existing_emails(customer) -> list[dict]:
    return [{"kind": email.kind, "address": email.address} for email in customer.emails.all()] if customer else []


def _first_of_kind(items: list[dict], kind: str, value_key: str) -> str:
    return next((item[value_key] for item in items if item["kind"] == kind), "")


# --- addresses ------------------------------------------------------------------------------

ADDRESS_LABELS = {"label": _("Label"), "line1": _("Address line 1"), "line2": _("Address line 2"),
                  "line3": _("Address line 3"), "line4": _("Address line 4"), "city": _("City"),
                  "region": _("State / region"), "postal_code": _("Postal code")}
ADDRESS_PARTS = ("line1", "line2", "line3", "line4", "city", "region", "postal_code", "country")


def address_fields(prefix: str = "", *, with_label: bool = False) -> dict[str, forms.Field]:
    """The fields of one address (four lines, city, region, postal code, country)."""
    names = (("label",) if with_label else ()) + ADDRESS_PARTS
    fields = {}
    for name in names:
        if name == "country":
            fields[f"{prefix}country"] = _text(_("Country"), 60, placeholder=_("e.g. US, DE, UK"))
        else:
            fields[f"{prefix}{name}"] = _text(ADDRESS_LABELS[name], ADDRESS_TEXT_FIELDS[name])
    return fields


# --- representatives ------------------------------------------------------------------------

REPRESENTATIVE_PHONES = (("mobile_phone", PhoneKind.MOBILE), ("home_phone", PhoneKind.HOME))


def representative_fields(prefix: str = "") -> dict[str, forms.Field]:
    return {
        f"{prefix}first_name": _text(_("First name"), PERSON_NAME_MAX),
        f"{prefix}last_name": _text(_("Last name"), PERSON_NAME_MAX),
        f"{prefix}mobile_phone": _phone(_("Mobile phone")),
        f"{prefix}home_phone": _phone(_("Home phone")),
        f"{prefix}email": _email(_("E-mail")),
        f"{prefix}role": _text(_("Role"), 60, placeholder=_("e.g. owner, buyer")),
    }


@dataclass
class RepresentativeInput:
    """A new representative: the person's values, the role, and where errors go."""

    values: dict
    role: str
    field_map: dict[str, str] = field(default_factory=dict)


def representative_input(data: dict, prefix: str = "") -> RepresentativeInput | None:
    """The representative typed into fields named ``prefix``+name; None when all are blank."""
    typed = {name: data.get(f"{prefix}{name}") or "" for name in representative_fields()}
    if not _present(typed):
        return None
    phones, origin = merge_typed([], [(f"{prefix}{name}", kind, typed[name]) for name, kind in REPRESENTATIVE_PHONES],
                                 "number")
    values = {"first_name": typed["first_name"], "last_name": typed["last_name"], "phones": phones,
              "emails": [{"kind": EmailKind.PERSONAL, "address": typed["email"]}] if typed["email"] else []}
    field_map = {"first_name": f"{prefix}first_name", "last_name": f"{prefix}last_name",
                 "emails.0.address": f"{prefix}email", "role": f"{prefix}role"}
    field_map |= {f"phones.{index}.number": name for index, name in origin.items()}
    return RepresentativeInput(values=values, role=typed["role"], field_map=field_map)


class RepresentativeForm(forms.Form):
    """A new person who represents a company (created as a customer of their own)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(representative_fields())

    def representative(self) -> RepresentativeInput:
        return representative_input(self.cleaned_data) or RepresentativeInput(values={}, role="")


class LinkRepresentativeForm(forms.Form):
    person = forms.UUIDField(widget=forms.HiddenInput)
    role = _text(_("Role"), 60, placeholder=_("e.g. owner, buyer"))


# --- custom fields --------------------------------------------------------------------------

CUSTOM_PREFIX = "cf_"


def custom_field(definition: CustomFieldDefinition) -> forms.Field:
    """The form field for an admin-defined field, with the input type of its kind."""
    label = f"{definition.label} *" if definition.is_required else definition.label
    common = {"label": label, "required": False, "help_text": definition.help_text}
    if definition.field_type == CustomFieldType.BOOLEAN:
        return forms.BooleanField(**common)
    if definition.field_type == CustomFieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(choice, choice) for choice in definition.choices], **common)
    if definition.field_type == CustomFieldType.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), max_length=40, **common)
    if definition.field_type == CustomFieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), max_length=10, **common)
    return forms.CharField(max_length=TEXT_MAX, **common)


# --- the customer form of each kind ---------------------------------------------------------

@dataclass
class Fieldset:
    legend: str
    fields: list
    reveal: str = ""  # a collapsed group opened by a "+ …" summary (e.g. "+ Add representative")
    is_open: bool = True


@dataclass
class CustomerInput:
    """What a customer form asks an action to do, and where the action's errors go."""

    values: dict
    field_map: dict[str, str]
    addresses: list[dict] = field(default_factory=list)
    status: str | None = None


CHANNEL_LABELS = {"mobile_phone": _("Mobile phone"), "home_phone": _("Home phone"), "work_phone": _("Work phone"),
                  "phone": _("Phone"), "fax": _("Fax"), "email": _("E-mail"), "work_email": _("Work e-mail"),
                  "billing_email": _("Billing e-mail")}


class CustomerForm(forms.Form):
    """Create or edit a customer of one kind. Fields the user's role may not set are left out,
    so they are neither shown nor sent to the action."""

    kind = ""
    phone_fields: tuple[tuple[str, str], ...] = ()  # (form field, PhoneKind)
    email_fields: tuple[tuple[str, str], ...] = ()  # (form field, EmailKind)
    main_fieldsets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    address_legend = _("Contact address")
    # Values handed to the action as they are (when the form has the field).
    PLAIN = ("first_name", "name_prefix", "last_name", "name", "birth_date", "tax_id", "tax_id_country",
             "account_number", "notes", "track_sales", "always_formal_invoice", "home_location", "location_groups",
             "price_level", "default_discount", "is_tax_exempt", "is_employee")

    account_number = _text(_("Account number"), 30, placeholder=_("Automatic when blank"))
    tax_id = _text(_("Tax or resale ID"), 40)
    tax_id_country = _text(_("Tax ID country"), 60, placeholder=_("Default: the address's or the store's country"))
    notes = _notes()
    tags = _text(_("Tags"), 500, placeholder=_("Comma separated, e.g. VIP, wholesale"), list="tag-names")
    home_location = forms.ModelChoiceField(queryset=Location.objects.filter(is_active=True), empty_label=None,
                                           label=_("Home location"))
    location_groups = forms.ModelMultipleChoiceField(queryset=LocationGroup.objects.all(), required=False,
                                                     widget=forms.CheckboxSelectMultiple, label=_("Location groups"))
    price_level = forms.ChoiceField(label=_("Price level"), required=False)
    default_discount = LocalNumberField(decimals=2, as_text=True, required=False, max_length=10,
                                        label=_("Default discount (%)"))
    is_tax_exempt = forms.BooleanField(label=_("Tax exempt"), required=False)
    is_employee = forms.BooleanField(label=_("Is an employee"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=CustomerStatus.choices, required=False)
    version = _version()

    def __init__(self, data=None, *, role: str, customer=None, **kwargs):
        self.customer = customer
        super().__init__(data, initial=self._initial(), **kwargs)
        self.fields.update({name: _phone(CHANNEL_LABELS[name]) for name, _kind in self.phone_fields})
        self.fields.update({name: _email(CHANNEL_LABELS[name]) for name, _kind in self.email_fields})
        self.fields["price_level"].choices = [(level.code, f"{level.code} — {level.name}")
                                              for level in PriceLevel.objects.all()]
        self.fields["home_location"].label_from_instance = lambda location: f"{location.name} ({location.code})"
        self._drop_what_role_may_not_set(role)
        if self.asks_address:
            self.fields.update(address_fields("address_"))
        if customer is None:
            del self.fields["version"]
        else:
            self.fields.pop("status", None)  # changed on the customer page, with a reason
        self.custom_definitions = list(CustomFieldDefinition.objects.filter(is_active=True))
        for definition in self.custom_definitions:
            self.fields[CUSTOM_PREFIX + definition.key] = custom_field(definition)

    def _drop_what_role_may_not_set(self, role: str) -> None:
        if not allows(role, "customers.edit_terms"):
            for name in TERMS_FIELDS:
                self.fields.pop(name, None)
        if not allows(role, "customers.change_status"):
            self.fields.pop("status", None)

    # --- initial values ---

    def _initial(self) -> dict:
        return self._initial_from_customer() if self.customer is not None else self._initial_for_new()

    def _initial_for_new(self) -> dict:
        level = PriceLevel.objects.filter(is_default=True).first()
        return {"home_location": default_location(), "location_groups": list(default_groups()),
                "price_level": level.code if level else "", "default_discount": "0",
                "status": CustomerSettings.objects.get(pk=1).initial_status, "track_sales": True}

    def _initial_from_customer(self) -> dict:
        customer = self.customer
        initial = {name: getattr(customer, name) for name in self.PLAIN if hasattr(customer, name)}
        initial.update(price_level=customer.price_level.code, version=customer.version,
                       birth_date=customer.birth_date.isoformat() if customer.birth_date else "",
                       location_groups=list(customer.location_groups.all()),
                       tags=", ".join(tag.name for tag in customer.tags.all()))
        phones, emails = existing_phones(customer), existing_emails(customer)
        initial |= {name: _first_of_kind(phones, kind, "number") for name, kind in self.phone_fields}
        initial |= {name: _first_of_kind(emails, kind, "address") for name, kind in self.email_fields}
        initial |= {CUSTOM_PREFIX + key: value for key, value in customer.custom_fields.items()}
        return initial

    # --- what the action gets ---

    def customer_input(self) -> CustomerInput:
        data = self.cleaned_data
        values = {name: data[name] for name in self.PLAIN if name in self.fields}
        values["location_groups"] = list(data.get("location_groups") or [])
        values["tags"] = [tag for tag in (data.get("tags") or "").split(",") if tag.strip()]
        field_map: dict[str, str] = {}  # the action's name -> the form's, where they differ
        channels = (("phones", "number", self.phone_fields, existing_phones(self.customer)),
                    ("emails", "address", self.email_fields, existing_emails(self.customer)))
        for list_name, value_key, fields, existing in channels:
            if fields:
                typed = [(name, kind, data[name]) for name, kind in fields]
                values[list_name], origin = merge_typed(existing, typed, value_key)
                field_map |= {f"{list_name}.{index}.{value_key}": name for index, name in origin.items()}
        if self.custom_definitions:
            values["custom_fields"] = {d.key: data[CUSTOM_PREFIX + d.key] for d in self.custom_definitions}
            field_map |= {f"custom_fields.{d.key}": CUSTOM_PREFIX + d.key for d in self.custom_definitions}
        return CustomerInput(values=values, field_map=field_map | self._address_field_map(),
                             addresses=self._addresses(), status=data.get("status") or None)

    @property
    def asks_address(self) -> bool:
        """A new person or company is given its contact address on the same form."""
        return self.customer is None and bool(self.address_legend)

    def _addresses(self) -> list[dict]:
        if not self.asks_address:
            return []
        address = {part: self.cleaned_data[f"address_{part}"] for part in ADDRESS_PARTS}
        return [{"kind": AddressKind.CONTACT, **address}] if _present(address) else []

    def _address_field_map(self) -> dict[str, str]:
        return {f"addresses.0.{part}": f"address_{part}" for part in ADDRESS_PARTS}

    def representative(self) -> RepresentativeInput | None:
        return None

    # --- layout ---

    def fieldsets(self) -> list[Fieldset]:
        """The form's fields in labelled groups, leaving out those the form does not have."""
        groups = [(legend, names, "") for legend, names in self.main_fieldsets]
        if self.asks_address:
            groups.append((self.address_legend, tuple(f"address_{part}" for part in ADDRESS_PARTS), ""))
        groups += self._extra_fieldsets()
        groups += [
            (_("Notes and tags"), ("notes", "tags"), ""),
            (_("Account and locations"), ("account_number", "home_location", "location_groups"), ""),
            (_("Terms and status"), ("price_level", "default_discount", "is_tax_exempt", "is_employee", "status"), ""),
            (_("Custom fields"), tuple(CUSTOM_PREFIX + d.key for d in self.custom_definitions), ""),
        ]
        placed: set[str] = set()
        fieldsets = []
        for legend, names, reveal in groups:
            names = [name for name in names if name in self.fields and name not in placed]
            placed.update(names)
            if names:
                bound = [self[name] for name in names]
                is_open = not reveal or any(self.is_bound and (b.value() or b.errors) for b in bound)
                fieldsets.append(Fieldset(legend, bound, reveal, is_open))
        return fieldsets

    def _extra_fieldsets(self) -> list[tuple[str, tuple[str, ...], str]]:
        return []


class PersonForm(CustomerForm):
    kind = CustomerKind.PERSON
    phone_fields = (("mobile_phone", PhoneKind.MOBILE), ("home_phone", PhoneKind.HOME),
                    ("work_phone", PhoneKind.WORK))
    email_fields = (("email", EmailKind.PERSONAL), ("work_email", EmailKind.WORK))
    main_fieldsets = (
        (_("Name"), ("first_name", "name_prefix", "last_name")),
        (_("Phones and e-mail"), ("mobile_phone", "home_phone", "work_phone", "email", "work_email")),
        (_("Personal details"), ("birth_date", "tax_id", "tax_id_country")),
    )

    first_name = _text(_("First name"), PERSON_NAME_MAX, autocomplete="off")
    name_prefix = _text(_("Name prefix"), NAME_PREFIX_MAX, autocomplete="off", placeholder=_("e.g. van der, de"))
    last_name = _text(_("Last name"), PERSON_NAME_MAX, autocomplete="off")
    birth_date = _date(_("Birth date"))


class CompanyForm(CustomerForm):
    kind = CustomerKind.COMPANY
    phone_fields = (("phone", PhoneKind.WORK), ("mobile_phone", PhoneKind.MOBILE), ("fax", PhoneKind.FAX))
    email_fields = (("email", EmailKind.WORK), ("billing_email", EmailKind.BILLING))
    main_fieldsets = (
        (_("Company"), ("name", "tax_id", "tax_id_country")),
        (_("Phones and e-mail"), ("phone", "mobile_phone", "fax", "email", "billing_email")),
    )
    address_legend = _("Business address")
    REP = "rep_"

    name = _text(_("Company name"), NAME_MAX, autocomplete="off")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.customer is None:
            self.fields.update(representative_fields(self.REP))

    def representative(self) -> RepresentativeInput | None:
        if self.customer is not None:
            return None
        return representative_input(self.cleaned_data, self.REP)

    def _extra_fieldsets(self):
        names = tuple(self.REP + name for name in representative_fields())
        return [(_("Representative"), names, _("+ Add representative"))]


class PlaceholderForm(CustomerForm):
    kind = CustomerKind.PLACEHOLDER
    main_fieldsets = ((_("Placeholder"), ("name", "account_number", "track_sales", "always_formal_invoice")),)
    address_legend = ""  # a walk-in record has no address

    name = _text(_("Name"), NAME_MAX, placeholder=_("e.g. Walk-in customer"))
    track_sales = forms.BooleanField(label=_("Track sales of this placeholder"), required=False)
    always_formal_invoice = forms.BooleanField(label=_("Always issue a formal invoice"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_number"].label = _("Customer number")



CUSTOMER_FORMS: dict[str, type[CustomerForm]] = {
    CustomerKind.PERSON: PersonForm,
    CustomerKind.COMPANY: CompanyForm,
    CustomerKind.PLACEHOLDER: PlaceholderForm,
}


# --- quick edit in the list -----------------------------------------------------------------

QUICK_FIELDS = ("name", "email", "phone")


class QuickEditForm(forms.Form):
    """One cell of the customer list: the name (first and last for a person), the first
    e-mail or the first phone."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, customer, field_name: str, **kwargs):
        self.customer, self.field_name = customer, field_name
        kwargs.setdefault("auto_id", f"quick-{customer.uuid}-{field_name}-%s")  # several rows may be open
        super().__init__(data, initial=self._initial(), **kwargs)
        if field_name == "name" and customer.is_person:
            self.fields["first_name"] = _text(_("First name"), PERSON_NAME_MAX, placeholder=_("First name"))
            self.fields["last_name"] = _text(_("Last name"), PERSON_NAME_MAX, placeholder=_("Last name"))
        else:
            limit = {"name": NAME_MAX, "email": 254, "phone": 40}[field_name]
            self.fields["value"] = _text(self.label, limit)

    @property
    def label(self) -> str:
        return {"name": _("Name"), "email": _("E-mail"), "phone": _("Phone")}[self.field_name]

    def _initial(self) -> dict:
        customer = self.customer
        first = {"email": existing_emails(customer)[:1], "phone": existing_phones(customer)[:1]}
        initial = {"version": customer.version, "first_name": customer.first_name, "last_name": customer.last_name,
                   "value": customer.name}
        if self.field_name in first:
            items = first[self.field_name]
            initial["value"] = items[0]["address" if self.field_name == "email" else "number"] if items else ""
        return initial

    def customer_input(self) -> CustomerInput:
        data = self.cleaned_data
        if "first_name" in self.fields:
            values = {"first_name": data["first_name"], "last_name": data["last_name"]}
            return CustomerInput(values=values, field_map={"first_name": "first_name", "last_name": "last_name"})
        if self.field_name == "name":
            return CustomerInput(values={"name": data["value"]}, field_map={"name": "value"})
        if self.field_name == "email":
            emails = _replace_first(existing_emails(self.customer), data["value"], "address", EmailKind.PERSONAL)
            return CustomerInput(values={"emails": emails}, field_map={"emails.0.address": "value"})
        default_kind = PhoneKind.WORK if self.customer.is_company else PhoneKind.MOBILE
        phones = _replace_first(existing_phones(self.customer), data["value"], "number", default_kind)
        return CustomerInput(values={"phones": phones}, field_map={"phones.0.number": "value"})


def _replace_first(items: list[dict], value: str, value_key: str, default_kind: str) -> list[dict]:
    """The list with its first item's value replaced (removed when blank, added when missing)."""
    rest = items[1:]
    if not value:
        return rest
    kind = items[0]["kind"] if items else default_kind
    return [{"kind": kind, value_key: value}, *rest]


# --- the customer list ----------------------------------------------------------------------

CURRENT = ""  # the default status filter: every customer the till may show
ALL = "all"
STATUS_FILTERS = [(CURRENT, _("Current (not inactive or deleted)")), *CustomerStatus.choices, (ALL, _("All statuses"))]
SORT_CHOICES = [("name", _("Name A–Z")), ("-name", _("Name Z–A")), ("-created", _("Newest first")),
                ("created", _("Oldest first")), ("-purchases", _("Total purchases, high to low")),
                ("purchases", _("Total purchases, low to high"))]
VIEW_CHOICES = [("list", _("List")), ("cards", _("Cards"))]


class CustomerListForm(FilterForm):
    q = forms.CharField(required=False, max_length=QUERY_MAX, label=_("Search"),
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": _("Name, e-mail, phone or account number")}))
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False, label=_("Status"))
    kind = forms.ChoiceField(choices=[("", _("All kinds")), *CustomerKind.choices], required=False, label=_("Kind"))
    location = forms.ModelChoiceField(queryset=Location.objects.all(), to_field_name="uuid", required=False,
                                      empty_label=_("All locations"), label=_("Home location"))
    tag = forms.ChoiceField(required=False, label=_("Tag"))
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label=_("Sort"))
    view = forms.ChoiceField(choices=VIEW_CHOICES, required=False, widget=forms.HiddenInput)
    segment = forms.ModelChoiceField(queryset=Segment.objects.all(), to_field_name="uuid", required=False,
                                     widget=forms.HiddenInput)  # "open as a list" on the Segments page

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("All tags")), *((tag.name, tag.name) for tag in Tag.objects.all())]


# --- the customer page's sub-forms ----------------------------------------------------------

class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=CustomerStatus.choices, label=_("New status"))
    reason = _text(_("Reason"), 500, placeholder=_("Why? (kept in the status history)"))
    version = _version()


class MessageForm(forms.Form):
    channel = forms.ChoiceField(choices=MessageChannel.choices, label=_("Channel"))
    direction = forms.ChoiceField(choices=MessageDirection.choices, label=_("Direction"))
    subject = _text(_("Subject"), 200)
    body = _notes(_("Text"), BODY_MAX)
    occurred_at = forms.DateTimeField(label=_("When (blank: now)"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (JPEG, PNG or WebP)"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))


class AddressForm(forms.Form):
    kind = forms.ChoiceField(choices=AddressKind.choices, label=_("Type"))
    version = _version()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(address_fields(with_label=True))
        self.fields["label"].widget.attrs["placeholder"] = "e.g. the name of a worksite"

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class ContactForm(forms.Form):
    first_name = _text(_("First name"), CONTACT_TEXT_FIELDS["first_name"])
    last_name = _text(_("Last name"), CONTACT_TEXT_FIELDS["last_name"])
    role = _text(_("Role"), CONTACT_TEXT_FIELDS["role"], placeholder=_("e.g. spouse, accounts payable"))
    mobile_phone = _phone(_("Mobile phone"))
    phone = _phone(_("Other phone"))
    email = _email(_("E-mail"))
    is_authorized_buyer = forms.BooleanField(label=_("Authorized to buy on the account"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    notes = _notes()
    version = _version()

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


# --- bulk actions on the list ---------------------------------------------------------------

# Each bulk action with the permission it needs (the same as changing one customer that way).
BULK_ACTIONS = {
    "tag": (_("Add a tag"), ("customers.edit",)),
    "untag": (_("Remove a tag"), ("customers.edit",)),
    "status": (_("Change status"), ("customers.change_status",)),
    "segment": (_("Add to a segment"), ("segments.manage", "customers.edit")),
    "export": (_("Export"), ("customers.export",)),
}
BULK_NEEDS = {"tag": "tag", "untag": "tag", "status": "status", "segment": "segment", "export": "format"}


def bulk_actions_for(role: str) -> list[tuple[str, str]]:
    """The bulk actions a role may use, as (key, label)."""
    return [(key, label) for key, (label, needs) in BULK_ACTIONS.items()
            if all(allows(role, permission) for permission in needs)]


class BulkForm(forms.Form):
    """The customers ticked on the list and what to do with them; ``confirmed`` once the staff
    user saw what will happen."""

    customers = forms.ModelMultipleChoiceField(queryset=None, to_field_name="uuid", label=_("Customers"),
                                               error_messages={"required": _("Tick the customers first.")})
    action = forms.ChoiceField(label=_("Action"))
    tag = forms.CharField(required=False, max_length=TAG_MAX, label=_("Tag"),
                          widget=forms.TextInput(attrs={"list": "bulk-tags", "autocomplete": "off"}))
    status = forms.ChoiceField(choices=[("", _("Choose a status")), *CustomerStatus.choices], required=False,
                               label=_("Change to"))
    reason = _text(_("Reason"), 500, placeholder=_("Why? (kept in the status history)"))
    segment = forms.ModelChoiceField(queryset=None, to_field_name="uuid", required=False, label=_("Segment"),
                                     empty_label=_("Choose a segment"))
    format = forms.ChoiceField(required=False, label=_("Format"))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    back = forms.CharField(required=False, widget=forms.HiddenInput)  # the list's query string

    def __init__(self, *args, role: str, formats: list[tuple[str, str]], **kwargs):
        kwargs.setdefault("auto_id", "id_bulk_%s")  # apart from the list's filters (status) on the same page
        super().__init__(*args, **kwargs)
        self.fields["customers"].queryset = Customer.objects.all()
        self.fields["action"].choices = bulk_actions_for(role)
        self.fields["segment"].queryset = Segment.objects.order_by("name")
        self.fields["format"].choices = formats

    def clean(self):
        data = super().clean()
        needed = BULK_NEEDS.get(data.get("action"))
        if needed and not data.get(needed) and needed not in self.errors:
            self.add_error(needed, self.fields[needed].error_messages["required"])
        return data

    def chosen(self) -> list[Customer]:
        """The ticked customers in the list's order (as they were posted)."""
        position = {uuid: index for index, uuid in enumerate(self.data.getlist("customers"))}
        return sorted(self.cleaned_data["customers"], key=lambda customer: position.get(str(customer.uuid), 0))


# --- the list's columns -----------------------------------------------------------------------

@dataclass(frozen=True)
class ListColumn:
    key: str
    label: str
    permission: str = ""  # needed to see it
    numeric: bool = False


LIST_COLUMNS = (
    ListColumn("photo", _("Photo")), ListColumn("name", _("Name")), ListColumn("account_number", _("Account no.")),
    ListColumn("kind", _("Kind")), ListColumn("phone", _("Phone")), ListColumn("email", _("E-mail")),
    ListColumn("city", _("City")), ListColumn("status", _("Status")), ListColumn("tags", _("Tags")),
    ListColumn("home_location", _("Home location")),
    ListColumn("balance", _("Balance"), "credit.view", numeric=True),
    ListColumn("last_purchase", _("Last purchase"), "sales.view"),
    ListColumn("total_purchases", _("Total purchases"), "sales.view", numeric=True),
    ListColumn("created", _("Added")),
)
DEFAULT_COLUMNS = ("photo", "name", "account_number", "kind", "phone", "email", "status", "home_location",
                   "total_purchases", "created")
ALWAYS_SHOWN = "name"  # the link to each customer's page


def columns_allowed(role: str) -> list[ListColumn]:
    return [column for column in LIST_COLUMNS if not column.permission or allows(role, column.permission)]


def columns_shown(user) -> list[ListColumn]:
    """The columns ``user`` chose (else the defaults) that their role may see, in the list's order."""
    chosen = set(user.list_columns or DEFAULT_COLUMNS) | {ALWAYS_SHOWN}
    return [column for column in columns_allowed(user.role) if column.key in chosen]


class ColumnsForm(forms.Form):
    columns = forms.MultipleChoiceField(label=_("Columns"), required=False, widget=forms.CheckboxSelectMultiple)
    back = forms.CharField(required=False, widget=forms.HiddenInput)  # the list's query string

    def __init__(self, *args, role: str, **kwargs):
        kwargs.setdefault("auto_id", "id_columns_%s")
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = [(column.key, column.label) for column in columns_allowed(role)
                                          if column.key != ALWAYS_SHOWN]
