"""PostgreSQL: stamp each change-feed line with the transaction that wrote it; start the feed
with the customers already stored."""

from django.db import migrations

FORWARD = [
    """CREATE OR REPLACE FUNCTION customers_customerchange_stamp() RETURNS trigger AS $$
    BEGIN
        NEW.transaction_id := pg_current_xact_id()::text::bigint;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER customers_customerchange_stamp BEFORE INSERT ON customers_customerchange "
    "FOR EACH ROW EXECUTE FUNCTION customers_customerchange_stamp()",
]
REVERSE = ["DROP TRIGGER IF EXISTS customers_customerchange_stamp ON customers_customerchange",
           "DROP FUNCTION IF EXISTS customers_customerchange_stamp()"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE:
            schema_editor.execute(statement)


def feed_existing_customers(apps, schema_editor):
    """Tills following the feed from the start must also receive the customers stored before it."""
    Customer = apps.get_model("customers", "Customer")
    CustomerChange = apps.get_model("customers", "CustomerChange")
    for customer in Customer.objects.order_by("pk").iterator():
        CustomerChange.objects.create(customer_id=customer.pk, customer_uuid=customer.uuid)


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_change_feed")]
    operations = [migrations.RunPython(forward, reverse),
                  migrations.RunPython(feed_existing_customers, migrations.RunPython.noop)]
