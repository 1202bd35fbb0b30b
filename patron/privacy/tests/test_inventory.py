"""P0: every stored field of every Patron app has a privacy class; no class names a field that is gone."""

from patron.privacy import inventory
from patron.privacy.erasure import NO_BLANK, blank_value, deletes_rows
from patron.privacy.relations import customer_paths


def test_every_stored_field_is_classified():
    missing = inventory.unclassified()
    assert missing == [], (
        "Classify these fields in patron/<app>/inventory.py FIELDS as personal, financial-record or "
        f"operational: {missing}")


def test_no_class_names_a_field_that_does_not_exist():
    assert inventory.stale_entries() == []


def test_the_gate_sees_foreign_keys_many_to_many_and_new_fields(monkeypatch):
    keys = {inventory.key_of(model, field) for model in inventory.stored_models()
            for field in inventory.stored_fields(model)}
    assert {"customers.Customer.tags", "customers.Customer.price_level", "credit.LedgerEntry.note",
            "core.AuditEvent.changes", "customers.Customer.id"} <= keys
    # A field nobody classified is named by the gate.
    without = {key: value for key, value in inventory.classification().items() if key != "customers.Customer.notes"}
    monkeypatch.setattr(inventory, "classification", lambda: without)
    assert inventory.unclassified() == ["customers.Customer.notes"]


def test_every_personal_field_of_a_customer_can_be_erased():
    """Erasure blanks personal fields in place unless it deletes the rows: each must have a blank value."""
    problems = []
    for model in inventory.stored_models():
        if not customer_paths(model) or deletes_rows(model):
            continue
        for field in inventory.fields_of_class(model, inventory.PERSONAL):
            if not field.many_to_many and blank_value(field) is NO_BLANK:
                problems.append(inventory.key_of(model, field))
    assert problems == []


def test_customer_data_is_found_through_foreign_keys():
    from django.apps import apps

    assert customer_paths(apps.get_model("credit", "LedgerEntry")) == ["account__customer"]
    assert set(customer_paths(apps.get_model("customers", "Representation"))) == {"company", "person"}
    assert "customer" in customer_paths(apps.get_model("sales", "Sale"))
    assert customer_paths(apps.get_model("customers", "Tag")) == []



