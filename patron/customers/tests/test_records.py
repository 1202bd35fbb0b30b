"""Creating, changing and deleting customer records (patron.customers.actions.records)."""

from decimal import Decimal

import pytest

from patron.core.errors import Conflict, PermissionDenied, RuleViolation, StaleVersion, TooLarge, ValidationFailed
from patron.core.models import AuditEvent
from patron.core.permissions import Role
from patron.customers import actions
from patron.customers.models import (
    Customer,
    CustomerKind,
    CustomerSettings,
    CustomerStatus,
    CustomFieldDefinition,
    StatusChange,
)
from patron.customers.tests.factories import customer_factory
from patron.locations.models import Location
from patron.staff.tests.factories import actor_for

pytestmark = pytest.mark.django_db


def _nothing_written(count_before: int, events_before: int) -> bool:
    return Customer.objects.count() == count_before and AuditEvent.objects.count() == events_before


# --- the three kinds ------------------------------------------------------------------------

def test_person_gets_display_name_sort_key_sequential_number_and_defaults(system):
    # when
    first = actions.create_customer(actor=system, kind=CustomerKind.PERSON,
                                    values={"first_name": "Hans", "last_name": "Müller"})
    second = actions.create_customer(actor=system, kind=CustomerKind.PERSON, values={"last_name": "Öztürk"})
    # then
    assert first.name == "Hans Müller"
    assert first.sort_name == "muller hans"
    assert (first.account_number, second.account_number) == ("C000001", "C000002")
    assert first.status == CustomerStatus.ACTIVE
    assert first.price_level.code == "A"
    assert first.home_location.code == "S01"
    assert [group.name for group in first.location_groups.all()] == ["All stores"]
    assert first.status_changes.get().to_status == CustomerStatus.ACTIVE


def test_company_and_placeholder_are_named_by_name(system):
    company = actions.create_customer(actor=system, kind=CustomerKind.COMPANY, values={"name": "Mug Shop Ltd"})
    walk_in = actions.create_customer(actor=system, kind=CustomerKind.PLACEHOLDER,
                                      values={"name": "Walk-in", "account_number": "WALKIN", "track_sales": False,
                                              "always_formal_invoice": True})
    assert company.name == "Mug Shop Ltd"
    assert (walk_in.account_number, walk_in.track_sales, walk_in.always_formal_invoice) == ("WALKIN", False, True)


@pytest.mark.parametrize("kind, values, field", [
    (CustomerKind.PERSON, {}, "last_name"),
    (CustomerKind.PERSON, {"first_name": "  "}, "last_name"),
    (CustomerKind.COMPANY, {}, "name"),
    (CustomerKind.PLACEHOLDER, {"name": ""}, "name"),
    (CustomerKind.COMPANY, {"name": "Acme", "birth_date": "1990-01-01"}, "birth_date"),
    (CustomerKind.PERSON, {"last_name": "Lee", "track_sales": False}, "track_sales"),
    (CustomerKind.PERSON, {"last_name": "Lee", "name": "Someone"}, "name"),
])
def test_each_kind_requires_its_name_and_refuses_fields_of_other_kinds(system, kind, values, field):
    before = (Customer.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as raised:
        actions.create_customer(actor=system, kind=kind, values=values)
    assert field in raised.value.errors
    assert _nothing_written(*before)


def test_unknown_kind_is_refused(system):
    with pytest.raises(ValidationFailed) as raised:
        actions.create_customer(actor=system, kind="alien", values={"name": "X"})
    assert raised.value.field == "kind"


# --- account numbers -----------------------------------------------------------------------

def test_account_number_is_unique_ignoring_case_and_surrounding_space(system):
    customer_factory(account_number="ab-100")
    before = (Customer.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Conflict) as raised:
        customer_factory(account_number="  AB-100 ")
    assert raised.value.field == "account_number"
    assert raised.value.code == "account-number-taken"
    assert _nothing_written(*before)


def test_sequence_skips_numbers_typed_by_hand_and_follows_the_pattern(system):
    customer_factory(account_number="c000001")
    actions.update_customer_settings(actor=system, account_number_pattern="K-####")
    CustomerSettings.objects.update(next_account_number=1)
    customer_factory(account_number="K-0001")
    assert customer_factory().account_number == "K-0002"
    assert customer_factory().account_number == "K-0003"


def test_changing_account_number_to_one_in_use_is_a_field_error(system):
    taken = customer_factory(account_number="A1")
    customer = customer_factory()
    with pytest.raises(Conflict) as raised:
        actions.update_customer(actor=system, customer=customer, values={"account_number": "a1"})
    assert raised.value.field == "account_number"
    customer.refresh_from_db()
    assert customer.account_number != taken.account_number


def test_pattern_needs_exactly_one_run_of_digits(system):
    with pytest.raises(ValidationFailed):
        actions.update_customer_settings(actor=system, account_number_pattern="C##-##")
    with pytest.raises(ValidationFailed):
        actions.update_customer_settings(actor=system, account_number_pattern="CUST")


# --- phones, e-mails, tax IDs, text --------------------------------------------------------

@pytest.mark.parametrize("typed", ["(202) 555-0143", "202-555-0143", "+1 202 555 0143", "1-202-555-0143",
                                   "202.555.0143"])
def test_phones_are_kept_as_typed_and_normalised_to_e164(system, typed):
    customer = customer_factory(phones=[{"kind": "home", "number": typed}])
    phone = customer.phones.get()
    assert (phone.kind, phone.number, phone.e164) == ("home", typed, "+12025550143")


def test_phone_of_another_country_needs_its_prefix_and_default_region_is_configurable(system, settings):
    settings.PATRON_PHONE_REGION = "DE"
    customer = customer_factory(phones=[{"kind": "mobile", "number": "0171 1234567"},
                                        {"kind": "work", "number": "+44 7911 123456"}])
    assert [phone.e164 for phone in customer.phones.all()] == ["+491711234567", "+447911123456"]


@pytest.mark.parametrize("number", ["12", "abc", "555-CALL-NOW-PLEASE", "+1 000 000 0000"])
def test_invalid_phone_is_a_field_error_and_nothing_is_saved(system, number):
    before = (Customer.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as raised:
        customer_factory(phones=[{"kind": "mobile", "number": "202 555 0143"}, {"kind": "home", "number": number}])
    assert "phones.1.number" in raised.value.errors
    assert _nothing_written(*before)


def test_emails_are_validated_and_normalised(system):
    customer = customer_factory(emails=[{"kind": "work", "address": "  Anna.Schmidt@EXAMPLE.com "}])
    email = customer.emails.get()
    assert email.address == "Anna.Schmidt@example.com"
    assert email.address_key == "anna.schmidt@example.com"
    with pytest.raises(ValidationFailed) as raised:
        customer_factory(emails=[{"address": "anna@"}])
    assert "emails.0.address" in raised.value.errors


@pytest.mark.parametrize("tax_id, country, stored, stored_country", [
    ("DE 136 695 976", "", "136695976", "DE"),
    ("136695976", "Germany", "136695976", "DE"),
    ("GB 980 7806 84", "UK", "980780684", "GB"),
    ("12-3456789", "US", "123456789", "US"),
    ("ABC 123", "BR-unknown-format", None, None),
])
def test_tax_id_is_validated_for_its_country_and_stored_compact(system, tax_id, country, stored, stored_country):
    values = {"tax_id": tax_id, "tax_id_country": country}
    if stored is None:
        with pytest.raises(ValidationFailed):
            customer_factory(**values)
        return
    customer = customer_factory(**values)
    assert (customer.tax_id, customer.tax_id_country) == (stored, stored_country)


def test_invalid_tax_id_names_the_country(system):
    with pytest.raises(ValidationFailed) as raised:
        customer_factory(tax_id="DE136695977")
    assert "Germany" in raised.value.errors["tax_id"][0]


def test_country_without_known_format_keeps_compact_id(system):
    customer = customer_factory(tax_id="ab 12-34", tax_id_country="Jamaica")
    assert (customer.tax_id, customer.tax_id_country) == ("AB1234", "JM")


@pytest.mark.parametrize("field, value", [
    ("last_name", "x" * 10_000),
    ("last_name", "Null\x00Byte"),
    ("notes", "n" * 10_001),
    ("default_discount", "101"),
    ("default_discount", "-1"),
    ("default_discount", "5.555"),
    ("default_discount", "NaN"),
    ("birth_date", "2999-01-01"),
    ("birth_date", "31/12/1990"),
    ("price_level", "Z"),
])
def test_bad_values_are_refused_with_a_field_error(system, field, value):
    before = (Customer.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as raised:
        customer_factory(**{field: value})
    assert field in raised.value.errors
    assert _nothing_written(*before)


def test_scripts_in_names_are_stored_as_plain_text(system):
    customer = customer_factory(last_name="<script>alert(1)</script>", notes="<img src=x onerror=alert(1)>")
    assert customer.last_name == "<script>alert(1)</script>"


def test_tags_are_created_once_and_matched_ignoring_case(system):
    first = customer_factory(tags=["VIP", "vip", "Newsletter"])
    second = customer_factory(tags=["Vip"])
    assert sorted(tag.name for tag in first.tags.all()) == ["Newsletter", "VIP"]
    assert list(second.tags.all()) == [first.tags.get(name="VIP")]


# --- custom fields --------------------------------------------------------------------------

@pytest.fixture
def custom_fields(system):
    for key, kind, extra in [("shoe_size", "number", {}), ("member_since", "date", {}), ("vip", "boolean", {}),
                             ("referral", "choice", {"choices": ["Friend", "Web"]}),
                             ("nickname", "text", {"is_required": True})]:
        actions.save_custom_field(actor=system, key=key, label=key.replace("_", " ").title(), field_type=kind,
                                  **extra)


def test_custom_field_values_are_validated_by_type(system, custom_fields):
    customer = customer_factory(custom_fields={"shoe_size": "42.5", "member_since": "2020-02-29", "vip": "yes",
                                               "referral": "Web", "nickname": "Ace"})
    assert customer.custom_fields == {"shoe_size": "42.5", "member_since": "2020-02-29", "vip": True,
                                      "referral": "Web", "nickname": "Ace"}
    with pytest.raises(ValidationFailed) as raised:
        customer_factory(custom_fields={"shoe_size": "big", "member_since": "yesterday", "vip": "maybe",
                                        "referral": "TV", "unknown": "x"})
    assert set(raised.value.errors) == {"custom_fields.shoe_size", "custom_fields.member_since",
                                        "custom_fields.vip", "custom_fields.referral", "custom_fields.unknown",
                                        "custom_fields.nickname"}


def test_required_custom_field_cannot_be_cleared(system, custom_fields):
    customer = customer_factory(custom_fields={"nickname": "Ace"})
    customer = actions.update_customer(actor=system, customer=customer, values={"custom_fields": {"vip": True}})
    assert customer.custom_fields == {"nickname": "Ace", "vip": True}
    with pytest.raises(ValidationFailed):
        actions.update_customer(actor=system, customer=customer, values={"custom_fields": {"nickname": ""}})
    assert CustomFieldDefinition.objects.count() == 5


# --- locations ------------------------------------------------------------------------------

def test_home_location_is_where_the_actor_works_unless_chosen(system):
    from patron.locations.actions import create_location

    hq = Location.objects.get(code="HQ")
    second_store = create_location(actor=system, code="S02", name="Harbour store", kind="store", parent=hq)
    from patron.core.actors import user_actor
    from patron.staff.tests.factories import user_factory

    clerk = user_actor(user_factory(Role.CASHIER, location=second_store))
    assert customer_factory(actor=clerk).home_location == second_store
    assert customer_factory(actor=clerk, home_location=hq).home_location == hq


def test_location_groups_cannot_be_emptied(system):
    customer = customer_factory()
    with pytest.raises(ValidationFailed) as raised:
        actions.update_customer(actor=system, customer=customer, values={"location_groups": []})
    assert "location_groups" in raised.value.errors
    assert customer.location_groups.count() == 1


# --- updates, versions and the audit trail ------------------------------------------------------------------

def test_update_records_which_fields_changed_from_what_to_what(system):
    customer = customer_factory(first_name="Anna", last_name="Schmidt")
    customer = actions.update_customer(actor=system, customer=customer,
                                       values={"last_name": "Schmitt", "default_discount": "7.5"},
                                       expected_version=1)
    assert customer.version == 2
    event = AuditEvent.objects.filter(action="customer.updated").get()
    assert event.changes == {"last_name": ["Schmidt", "Schmitt"], "name": ["Anna Schmidt", "Anna Schmitt"],
                             "default_discount": ["0.00", "7.50"]}
    assert (event.actor_label, event.customer_uuid) == ("system", customer.uuid)


def test_update_without_a_real_change_writes_nothing(system):
    customer = customer_factory(first_name="Anna", last_name="Schmidt")
    events = AuditEvent.objects.count()
    customer = actions.update_customer(actor=system, customer=customer, values={"first_name": " Anna "})
    assert customer.version == 1
    assert AuditEvent.objects.count() == events


def test_stale_version_is_refused_and_nothing_changes(system):
    customer = customer_factory(last_name="Old")
    actions.update_customer(actor=system, customer=customer, values={"last_name": "First"}, expected_version=1)
    with pytest.raises(StaleVersion):
        actions.update_customer(actor=system, customer=customer, values={"last_name": "Second"},
                                expected_version=1)
    customer.refresh_from_db()
    assert (customer.last_name, customer.version) == ("First", 2)


def test_phones_given_on_update_replace_the_old_list(system):
    customer = customer_factory(phones=[{"kind": "home", "number": "202 555 0143"}])
    actions.update_customer(actor=system, customer=customer,
                            values={"phones": [{"kind": "work", "number": "202 555 0199"}]})
    assert list(customer.phones.values_list("kind", "e164")) == [("work", "+12025550199")]


# --- status lifecycle -------------------------------------------------------------------------

def test_initial_status_is_a_setting(system):
    actions.update_customer_settings(actor=system, initial_status=CustomerStatus.PROSPECT)
    assert customer_factory().status == CustomerStatus.PROSPECT


def test_status_changes_keep_history_with_reason(system):
    customer = customer_factory()
    actions.change_status(actor=system, customer=customer, status=CustomerStatus.CREDIT_HOLD, reason="Cheque bounced")
    actions.deactivate_customer(actor=system, customer=customer, reason="Moved away")
    history = list(StatusChange.objects.filter(customer=customer).values_list("from_status", "to_status", "reason"))
    assert history == [("credit_hold", "inactive", "Moved away"), ("active", "credit_hold", "Cheque bounced"),
                       ("", "active", "Created")]
    assert AuditEvent.objects.filter(action="customer.status_changed", customer_uuid=customer.uuid).count() == 2


def test_cashier_cannot_change_status_or_terms(system):
    cashier = actor_for(Role.CASHIER)
    customer = customer_factory()
    with pytest.raises(PermissionDenied):
        actions.deactivate_customer(actor=cashier, customer=customer)
    with pytest.raises(PermissionDenied):
        actions.update_customer(actor=cashier, customer=customer, values={"default_discount": "10"})
    with pytest.raises(PermissionDenied):
        customer_factory(actor=cashier, default_discount="10")
    customer.refresh_from_db()
    assert (customer.status, customer.default_discount) == (CustomerStatus.ACTIVE, Decimal("0"))
    # a cashier may still create with the default terms and edit contact details
    created = customer_factory(actor=cashier, default_discount="0", is_employee=False)
    actions.update_customer(actor=cashier, customer=created, values={"notes": "Prefers e-mail"})


# --- delete ---------------------------------------------------------------------------------

def test_customer_without_history_can_be_deleted_and_the_trail_stays(system):
    customer = customer_factory(last_name="Mistake")
    uuid = customer.uuid
    actions.delete_customer(actor=system, customer=customer)
    assert not Customer.objects.filter(uuid=uuid).exists()
    assert AuditEvent.objects.filter(customer_uuid=uuid, action="customer.deleted").exists()


def test_customer_with_history_must_be_deactivated_instead(system):
    customer = customer_factory()
    actions.log_message(actor=system, customer=customer, channel="phone", direction="inbound", body="Called")
    with pytest.raises(RuleViolation) as raised:
        actions.delete_customer(actor=system, customer=customer)
    assert raised.value.code == "customer-has-history"
    assert "Deactivate" in raised.value.message
    assert Customer.objects.filter(pk=customer.pk).exists()


# --- photo ----------------------------------------------------------------------------------

def _image_bytes(fmt="PNG", size=(800, 600), exif=None):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    image.save(buffer, format=fmt, **({"exif": exif} if exif else {}))
    return buffer.getvalue()


def test_photo_is_reencoded_resized_and_stripped_of_metadata(system, settings):
    import io

    from django.core.files.storage import default_storage
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # camera make
    customer = customer_factory()
    customer = actions.set_photo(actor=system, customer=customer, data=_image_bytes("JPEG", (2000, 1000), exif))
    stored = default_storage.open(customer.photo).read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "WEBP"
        assert max(image.size) == settings.PATRON_PHOTO_SIZE
        assert not image.getexif()
    assert b"SpyCam" not in stored
    assert customer.photo_version == 1


def test_replacing_a_photo_removes_the_old_file(system, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    customer = customer_factory()
    with django_capture_on_commit_callbacks(execute=True):
        first = actions.set_photo(actor=system, customer=customer, data=_image_bytes()).photo
        second = actions.set_photo(actor=system, customer=customer, data=_image_bytes("PNG", (10, 10))).photo
    assert not default_storage.exists(first)
    assert default_storage.exists(second)


@pytest.mark.parametrize("data, error", [
    (b"GIF89a" + b"\x00" * 100, ValidationFailed),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", ValidationFailed),
    (b"", ValidationFailed),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, ValidationFailed),
])
def test_fake_images_are_refused(system, data, error):
    customer = customer_factory()
    with pytest.raises(error):
        actions.set_photo(actor=system, customer=customer, data=data)
    customer.refresh_from_db()
    assert (customer.photo, customer.photo_version) == ("", 0)


def test_oversized_and_over_pixel_images_are_refused(system, settings):
    customer = customer_factory()
    settings.PATRON_PHOTO_MAX_BYTES = 1000
    with pytest.raises(TooLarge):
        actions.set_photo(actor=system, customer=customer, data=b"\xff" * 1001)
    settings.PATRON_PHOTO_MAX_BYTES = 5_000_000
    settings.PATRON_PHOTO_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationFailed) as raised:
        actions.set_photo(actor=system, customer=customer, data=_image_bytes("PNG", (101, 100)))
    assert "pixels" in raised.value.message


def test_home_location_cannot_be_cleared(system):
    customer = customer_factory()
    with pytest.raises(ValidationFailed) as raised:
        actions.update_customer(actor=system, customer=customer, values={"home_location": None})
    assert "home_location" in raised.value.errors
    customer.refresh_from_db()
    assert customer.home_location.code == "S01"
