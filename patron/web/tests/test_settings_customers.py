"""Settings pages for customers: account numbers, price levels, tags and custom fields."""

import pytest
from django.urls import reverse

from patron.customers.models import CustomerSettings, CustomerStatus, CustomFieldDefinition, PriceLevel, Tag
from patron.customers.tests.factories import customer_factory
from patron.web.tests.settings_support import assert_form_rejected, audit_actions, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    log_in(client)
    return client


def _levels() -> list[tuple]:
    return list(PriceLevel.objects.values_list("code", "name", "position", "is_default"))


# --- account numbers and initial status -------------------------------------------------------

def test_customer_settings_show_the_current_values(admin_client):
    response = admin_client.get(reverse("web:settings_customers"))
    assert response.status_code == 200
    assert b'value="C######"' in response.content


def test_customer_settings_change_the_pattern_next_number_and_initial_status(admin_client):
    response = admin_client.post(reverse("web:settings_customers"), {
        "account_number_pattern": "K-####", "next_account_number": "500", "initial_status": "prospect"})
    assert response.status_code == 302
    shop = CustomerSettings.objects.get(pk=1)
    assert (shop.account_number_pattern, shop.next_account_number, shop.initial_status) == (
        "K-####", 500, CustomerStatus.PROSPECT)
    assert audit_actions()[-1] == "settings.customers_updated"
    assert customer_factory().account_number == "K-0500"


def test_an_invalid_account_number_pattern_is_shown_on_its_field_and_nothing_changes(admin_client):
    before = audit_actions()
    response = admin_client.post(reverse("web:settings_customers"), {
        "account_number_pattern": "C##-##", "next_account_number": "77", "initial_status": "prospect"})
    assert_form_rejected(response, "account_number_pattern", "exactly one run of #",
                         kept={"account_number_pattern": "C##-##", "next_account_number": "77"})
    shop = CustomerSettings.objects.get(pk=1)
    assert (shop.account_number_pattern, shop.next_account_number, shop.initial_status) == (
        "C######", 1, "active")
    assert audit_actions() == before


# --- price levels ------------------------------------------------------------------------------

def test_price_levels_are_listed_with_how_many_customers_use_them(admin_client):
    customer_factory(price_level="B")
    response = admin_client.get(reverse("web:settings_price_levels"))
    counts = {level.code: level.customer_count for level in response.context["price_levels"]}
    assert counts == {"A": 0, "B": 1, "C": 0}


def test_adding_a_price_level_saves_it_and_audits(admin_client):
    response = admin_client.post(reverse("web:settings_price_level_add"),
                                 {"code": "D", "name": "Dealers", "position": "4", "is_default": "on"})
    assert response.status_code == 302
    assert PriceLevel.objects.get(code="D").is_default
    assert not PriceLevel.objects.get(code="A").is_default
    assert audit_actions()[-1] == "settings.price_level_saved"


def test_editing_a_price_level_changes_it(admin_client):
    response = admin_client.post(reverse("web:settings_price_level_edit", args=["B"]),
                                 {"code": "B", "name": "Trade", "position": "9"})
    assert response.status_code == 302
    assert PriceLevel.objects.get(code="B").name == "Trade"
    assert audit_actions()[-1] == "settings.price_level_saved"


def test_a_duplicate_price_level_code_is_refused_on_the_code_field(admin_client):
    before = (_levels(), audit_actions())
    response = admin_client.post(reverse("web:settings_price_level_add"),
                                 {"code": "b", "name": "Bulk buyers", "position": "5"})
    assert_form_rejected(response, "code", "Another price level has this code",
                         kept={"code": "b", "name": "Bulk buyers"})
    assert (_levels(), audit_actions()) == before


def test_deleting_an_unused_price_level_removes_it(admin_client):
    response = admin_client.post(reverse("web:settings_price_level_delete", args=["C"]), follow=True)
    assert not PriceLevel.objects.filter(code="C").exists()
    assert audit_actions()[-1] == "settings.price_level_deleted"
    assert b"Price level C deleted." in response.content


def test_deleting_a_price_level_in_use_is_refused_with_a_clear_message(admin_client):
    customer_factory(price_level="B")
    before = (_levels(), audit_actions())
    response = admin_client.post(reverse("web:settings_price_level_delete", args=["B"]), follow=True)
    assert b"1 customers use price level B; move them first." in response.content
    assert (_levels(), audit_actions()) == before


# --- tags --------------------------------------------------------------------------------------

def test_tags_are_listed_with_their_customer_counts(admin_client):
    customer_factory(tags=["VIP", "Wholesale"])
    customer_factory(tags=["VIP"])
    response = admin_client.get(reverse("web:settings_tags"))
    assert {tag.name: tag.customer_count for tag in response.context["tags"]} == {"VIP": 2, "Wholesale": 1}


def test_renaming_a_tag_keeps_it_on_its_customers(admin_client):
    customer = customer_factory(tags=["50% off / staff"])
    url = reverse("web:settings_tag_rename", args=["50% off / staff"])
    response = admin_client.post(url, {"name": "Staff"})
    assert response.status_code == 302
    assert [tag.name for tag in customer.tags.all()] == ["Staff"]
    assert audit_actions()[-1] == "settings.tag_renamed"


def test_renaming_a_tag_to_another_tags_name_is_refused(admin_client):
    customer_factory(tags=["VIP", "Gold"])
    before = (sorted(Tag.objects.values_list("name", flat=True)), audit_actions())
    response = admin_client.post(reverse("web:settings_tag_rename", args=["Gold"]), {"name": "vip"})
    assert_form_rejected(response, "name", "Another tag has this name", kept={"name": "vip"})
    assert (sorted(Tag.objects.values_list("name", flat=True)), audit_actions()) == before


def test_deleting_a_tag_removes_it_from_its_customers(admin_client):
    customer = customer_factory(tags=["VIP", "Gold"])
    admin_client.post(reverse("web:settings_tag_delete", args=["Gold"]))
    assert [tag.name for tag in customer.tags.all()] == ["VIP"]
    assert audit_actions()[-1] == "settings.tag_deleted"


def test_tag_names_are_shown_as_text(admin_client):
    customer_factory(tags=["<script>alert(1)</script>"])
    response = admin_client.get(reverse("web:settings_tags"))
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


# --- custom fields -----------------------------------------------------------------------------

def test_adding_a_choice_custom_field_takes_one_choice_per_line(admin_client):
    response = admin_client.post(reverse("web:settings_custom_field_add"), {
        "key": "shoe_size", "label": "Shoe size", "field_type": "choice", "choices": "S\r\nM\r\n\r\nL",
        "is_required": "on", "is_active": "on", "position": "2", "help_text": "EU sizes"})
    assert response.status_code == 302
    definition = CustomFieldDefinition.objects.get(key="shoe_size")
    assert (definition.choices, definition.is_required, definition.is_active, definition.help_text) == (
        ["S", "M", "L"], True, True, "EU sizes")
    assert audit_actions()[-1] == "settings.custom_field_saved"


def test_a_choice_custom_field_without_choices_is_refused(admin_client):
    before = audit_actions()
    response = admin_client.post(reverse("web:settings_custom_field_add"), {
        "key": "shoe_size", "label": "Shoe size", "field_type": "choice", "choices": "\r\n", "position": "0"})
    assert_form_rejected(response, "choices", "Give the values to choose from",
                         kept={"key": "shoe_size", "label": "Shoe size"})
    assert not CustomFieldDefinition.objects.exists()
    assert audit_actions() == before


def test_editing_a_custom_field_keeps_its_key_and_type(admin_client, system):
    from patron.customers import actions

    actions.save_custom_field(actor=system, key="member_since", label="Member since", field_type="date")
    response = admin_client.get(reverse("web:settings_custom_field_edit", args=["member_since"]))
    assert response.context["form"].fields["key"].disabled
    response = admin_client.post(reverse("web:settings_custom_field_edit", args=["member_since"]), {
        "key": "hacked", "field_type": "text", "label": "Customer since", "position": "1"})
    assert response.status_code == 302
    definition = CustomFieldDefinition.objects.get()
    assert (definition.key, definition.field_type, definition.label, definition.is_active) == (
        "member_since", "date", "Customer since", False)
