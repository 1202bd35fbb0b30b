"""PostgreSQL: the sort name in byte order too, so a lookup can ask for the names that start with
"smith john " as a range whatever the server's collation (SQLite compares bytes already)."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('CREATE INDEX customers_sort_name_bytes ON customers_customer (sort_name COLLATE "C")')


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customers_sort_name_bytes")


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_covering_term_index")]
    operations = [migrations.RunPython(forward, reverse)]
