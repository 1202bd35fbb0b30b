"""PostgreSQL: the e-mail key and the reversed phone digits compared in code-point order ("C"),
like the search words. The lookup asks for the e-mails that start with what was typed as a range;
in the "C" order that range is exactly those e-mails whatever the server's collation, and the
planner can estimate how many there are (under other collations it guessed 25 rows for 4,500 and
sorted them all instead of reading the first few from the index). SQLite compares bytes already."""

from django.db import migrations

COLUMNS = [("customers_customeremail", "address_key", 254), ("customers_customerphone", "digits_reversed", 20)]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, column, length in COLUMNS:
            schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"')


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, column, length in COLUMNS:
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) "
                                  'COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("customers", "0009_sort_name_c_collation_index")]
    operations = [migrations.RunPython(forward, reverse)]
