"""PostgreSQL: stamp each change-feed line with the transaction that wrote it."""

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


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_change_feed")]
    operations = [migrations.RunPython(forward, reverse)]
