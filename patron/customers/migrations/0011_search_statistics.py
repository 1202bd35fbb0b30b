"""PostgreSQL: finer statistics on the columns the lookup reads by range. With the default (100
values) the planner guessed 1 row for the 1,900 names that start with "emily" among a million
customers, and joined the words of a name in the wrong order (200 ms instead of 3)."""

from django.db import migrations

from patron.core.db import postgresql_only

TARGETS = [("customers_searchterm", "term", 2000), ("customers_customeremail", "address_key", 1000),
           ("customers_customer", "sort_name", 1000)]


class Migration(migrations.Migration):
    dependencies = [("customers", "0010_identifier_starts_c_collation")]
    operations = [postgresql_only(
        [f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {target}" for table, column, target in TARGETS],
        [f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS -1" for table, column, _ in TARGETS])]
