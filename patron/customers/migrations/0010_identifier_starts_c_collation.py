"""PostgreSQL: the e-mail key and the reversed phone digits compared in code-point order ("C"),
like the search words. The lookup asks for the e-mails that start with what was typed as a range;
in the "C" order that range is exactly those e-mails whatever the server's collation. SQLite
compares bytes already."""

from django.db import migrations

from patron.core.db import postgresql_only

COLUMNS = [("customers_customeremail", "address_key", 254), ("customers_customerphone", "digits_reversed", 20)]


class Migration(migrations.Migration):
    dependencies = [("customers", "0009_sort_name_c_collation_index")]
    operations = [postgresql_only(
        [f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"'
         for table, column, length in COLUMNS],
        [f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "default"'
         for table, column, length in COLUMNS])]
