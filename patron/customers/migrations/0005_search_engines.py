"""Each engine's own substring index, and the lookup index of the customers already stored.

SQLite: an FTS5 table with the trigram tokenizer (customers_name_fts). PostgreSQL: pg_trgm with a
GIN index on customers_customer.sort_name, and the search words in the "C" collation so that
prefix ranges (term >= 'an' AND term < 'ao') walk the b-tree in byte order on any server.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from patron.customers.search_index import variants, words

SQLITE = ["CREATE VIRTUAL TABLE customers_name_fts USING fts5(name, tokenize='trigram')"]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS customers_name_fts"]
POSTGRESQL = [
    "CREATE INDEX customers_sort_name_trgm ON customers_customer USING gin (sort_name gin_trgm_ops)",
    'ALTER TABLE customers_searchterm ALTER COLUMN term TYPE varchar(100) COLLATE "C", '
    'ALTER COLUMN sort_key TYPE varchar(200) COLLATE "C"',
    'ALTER TABLE customers_searchvariant ALTER COLUMN variant TYPE varchar(100) COLLATE "C", '
    'ALTER COLUMN term TYPE varchar(100) COLLATE "C"',
]
POSTGRESQL_REVERSE = ["DROP INDEX IF EXISTS customers_sort_name_trgm"]
VISIBLE_AT_TILL = {"prospect", "active", "credit_hold"}


def create_engine_indexes(apps, schema_editor):
    for statement in SQLITE if schema_editor.connection.vendor == "sqlite" else POSTGRESQL:
        schema_editor.execute(statement)


def drop_engine_indexes(apps, schema_editor):
    for statement in SQLITE_REVERSE if schema_editor.connection.vendor == "sqlite" else POSTGRESQL_REVERSE:
        schema_editor.execute(statement)


def index_existing_customers(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    CustomerPhone = apps.get_model("customers", "CustomerPhone")
    SearchTerm = apps.get_model("customers", "SearchTerm")
    SearchVariant = apps.get_model("customers", "SearchVariant")
    for phone in CustomerPhone.objects.all().iterator():
        phone.digits_reversed = "".join(ch for ch in phone.e164 if ch.isdigit())[::-1]
        phone.save(update_fields=["digits_reversed"])
    known = set()
    for customer in Customer.objects.all().iterator():
        text = f"{customer.first_name} {customer.last_name}" if customer.kind == "person" else customer.name
        terms = words(text)
        SearchTerm.objects.bulk_create(
            SearchTerm(customer_id=customer.pk, term=term[:100], sort_key=customer.sort_name,
                       at_till=customer.status in VISIBLE_AT_TILL) for term in terms)
        new = set(terms) - known
        SearchVariant.objects.bulk_create([SearchVariant(variant=variant, term=term) for term in new
                                           for variant in variants(term)], ignore_conflicts=True)
        known |= new
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute("INSERT INTO customers_name_fts (rowid, name) VALUES (%s, %s)",
                                  [customer.pk, customer.sort_name])


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_search_index")]
    operations = [
        TrigramExtension(),
        migrations.RunPython(create_engine_indexes, drop_engine_indexes),
        migrations.RunPython(index_existing_customers, migrations.RunPython.noop),
    ]
