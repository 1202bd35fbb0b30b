"""The lookup's matching rules, on both engines (each with its own substring index)."""

import pytest

from patron.core.actors import system_actor
from patron.core.errors import ValidationFailed
from patron.core.jsonable import jsonable
from patron.customers import actions
from patron.customers.models import Customer, CustomerKind, CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.locations.actions import create_location, save_location_group
from patron.locations.models import Location
from patron.lookup.queries import lookup_customers, till_records
from patron.lookup.till_cache import TillCache

pytestmark = pytest.mark.django_db


def names(query, **options):
    return [found.customer.name for found in lookup_customers(query, **options)]


def matched(query, **options):
    return [(found.customer.name, found.matched_on) for found in lookup_customers(query, **options)]


@pytest.fixture
def people(system):
    return {
        "anna": customer_factory(first_name="Anna", last_name="Schmidt", account_number="C-1001",
                                 phones=[{"kind": "mobile", "number": "(202) 555-0143"}],
                                 emails=[{"address": "anna.schmidt@example.com"}], tax_id="DE136695976"),
        "hans": customer_factory(first_name="Hans", last_name="Müller", phones=[{"number": "+49 171 1234567"}]),
        "jo": customer_factory(first_name="Jo", last_name="Smith", emails=[{"address": "jo@smith.example"}]),
        "joanna": customer_factory(first_name="Joanna", last_name="Schmidtke"),
        "mug": customer_factory(CustomerKind.COMPANY, name="Mug Shop Ltd", account_number="ZX-7"),
        "annie": customer_factory(first_name="Annie", last_name="Hall", account_number="AN-1"),
    }


@pytest.mark.parametrize("query", ["anna schmidt", "Schmidt Anna", "SCHMIDT, anna", "schmidt"])
def test_whole_words_in_any_order_and_case(people, query):
    assert names(query)[0] == "Anna Schmidt"


@pytest.mark.parametrize("query", ["muller", "Müller", "MULLER hans", "hans müller"])
def test_accents_are_ignored(people, query):
    assert "Hans Müller" in names(query)


@pytest.mark.parametrize("query", ["(202) 555-0143", "202-555-0143", "202.555.0143", "+1 202 555 0143",
                                   "12025550143", "2025550143", "1-202-555-0143"])
def test_phone_in_any_format_is_an_exact_match(people, query):
    assert matched(query)[0] == ("Anna Schmidt", "phone")


@pytest.mark.parametrize("query", ["0143", "555-0143", "5550143"])
def test_phone_by_its_last_digits(people, query):
    assert ("Anna Schmidt", "phone (last digits)") in matched(query)


def test_international_phone_in_national_and_spaced_forms(people, settings):
    assert matched("+49 (0)171 1234567")[0] == ("Hans Müller", "phone")
    settings.PATRON_PHONE_REGION = "DE"
    assert matched("0171 1234567")[0] == ("Hans Müller", "phone")


@pytest.mark.parametrize("query, expected", [
    ("anna.schmidt@example.com", ("Anna Schmidt", "e-mail")),
    ("ANNA.SCHMIDT@EXAMPLE.COM", ("Anna Schmidt", "e-mail")),
    ("anna.schmidt@ex", ("Anna Schmidt", "e-mail (start)")),
    ("c-1001", ("Anna Schmidt", "account number")),
    ("zx-7", ("Mug Shop Ltd", "account number")),
    ("DE136695976", ("Anna Schmidt", "tax ID")),
    ("136 695 976", ("Anna Schmidt", "tax ID")),
])
def test_exact_identifiers(people, query, expected):
    assert matched(query)[0] == expected


@pytest.mark.parametrize("query, expected", [
    ("Smtih", "Jo Smith"),        # two letters swapped
    ("Schmidtt", "Anna Schmidt"),  # one letter too many
    ("Schmit", "Anna Schmidt"),   # one missing (a whole-word "part" match would need "schmit" inside)
    ("Annie Hull", None),         # "Hall" has four letters: no typo forgiven
    ("Anie Hall", "Annie Hall"),  # a five-letter word typed with a letter missing is four letters long
    ("Joan Schmidtkee", "Joanna Schmidtke"),  # a short word still starts a name word beside a typo
    ("Shop Mgu", None),           # short words are not forgiven a typo
    ("Joanne Schmidtke", "Joanna Schmidtke"),  # one letter wrong
])
def test_one_typo_in_words_of_five_letters_or_more(people, query, expected):
    found = names(query)
    if expected is None:
        assert not {"Mug Shop Ltd", "Annie Hall"} & set(found)
    else:
        assert expected in found


def test_prefix_and_inside_a_word(people):
    assert {name for name, how in matched("schm") if how == "name (start)"} == {"Anna Schmidt", "Joanna Schmidtke"}
    assert ("Mug Shop Ltd", "name (part)") in matched("hop")
    assert ("Joanna Schmidtke", "name (part)") in matched("midtk")


def test_one_or_two_characters_find_prefixes_of_names_and_account_numbers(people):
    found = matched("an")
    assert ("Anna Schmidt", "name (start)") in found
    assert ("Annie Hall", "name (start)") in found
    assert "Hans Müller" not in names("an")  # "an" only inside a word: not for such short queries
    assert matched("zx") == [("Mug Shop Ltd", "account number (start)")]


def test_ranking_exact_then_whole_word_then_start_then_part_then_similar(people, system):
    customer_factory(first_name="Schmidt", last_name="Oak", account_number="schmidt")  # account = the query
    ranked = matched("schmidt")
    assert ranked[0] == ("Schmidt Oak", "account number")
    assert ranked[1] == ("Anna Schmidt", "name")
    assert ("Joanna Schmidtke", "name (start)") in ranked
    kinds = [how for _, how in ranked]
    assert kinds == sorted(kinds, key=["account number", "name", "name (start)", "name (part)",
                                       "name (similar spelling)"].index)


@pytest.mark.parametrize("query, same_as", [
    ("%", ""), ("_", ""), ("%%%", ""), ("\\", ""), ("'", ""), ('"', ""), ("*", ""), ("%_\\'\"" * 40, ""),
    ("a%", "a"), ("sch_idt", "sch idt"), ("' OR 1=1 --", "or 1 1"), ('"schmidt"', "schmidt"), ("schm*", "schm"),
    ("NEAR(schmidt anna)", "near schmidt anna"), ("anna AND schmidt", "anna and schmidt"),
])
def test_wildcards_quotes_and_operators_are_taken_literally(people, query, same_as):
    """They match nothing by themselves: the query means what its words mean."""
    assert names(query) == names(same_as)
    assert names("%") == []


def test_query_longer_than_200_characters_is_a_clear_error(people):
    assert names("a" * 200) == []
    with pytest.raises(ValidationFailed) as raised:
        names("a" * 201)
    assert raised.value.code == "query-too-long"


def test_till_leaves_out_inactive_and_deleted_unless_asked(people, system):
    actions.deactivate_customer(actor=system, customer=people["anna"])
    actions.change_status(actor=system, customer=people["joanna"], status=CustomerStatus.DELETED)
    actions.change_status(actor=system, customer=people["jo"], status=CustomerStatus.CREDIT_HOLD)
    assert "Anna Schmidt" not in names("schmidt")
    assert "Anna Schmidt" not in names("+1 202 555 0143")
    assert "Joanna Schmidtke" not in names("schmidtke")
    assert "Jo Smith" in names("smith")  # on credit hold: still found at the till
    assert {"Anna Schmidt", "Joanna Schmidtke"} <= set(names("schmidt", include_inactive=True))


def test_till_leaves_out_customers_not_available_at_its_store(people, system):
    hq = Location.objects.get(code="HQ")
    harbour = create_location(actor=system, code="S02", name="Harbour", kind="store", parent=hq)
    main = Location.objects.get(code="S01")
    harbour_only = save_location_group(actor=system, name="Harbour only", locations=[harbour])
    customer_factory(first_name="Ada", last_name="Lovelace", location_groups=[harbour_only])
    assert names("lovelace", store=harbour) == ["Ada Lovelace"]
    assert names("lovelace", store=main) == []
    assert names("lovelace") == ["Ada Lovelace"]  # the back office sees every store
    # several words (the store's check is made on the last word joined), their starts, a typo
    for query in ("ada lovelace", "lovelace ada", "ad lovel", "ada lovelaec"):
        assert names(query, store=harbour)[:1] == ["Ada Lovelace"], query
        assert "Ada Lovelace" not in names(query, store=main), query


def test_changes_are_found_in_the_next_request_and_old_data_is_not(people, system):
    anna = people["anna"]
    actions.update_customer(actor=system, customer=anna, values={
        "last_name": "Berg", "phones": [{"kind": "mobile", "number": "202 555 0199"}],
        "emails": [{"address": "anna@berg.example"}], "account_number": "C-2002"})
    assert "Anna Berg" not in names("schmidt anna")
    assert names("202 555 0143") == []
    assert names("anna.schmidt@example.com") == []
    assert names("C-1001") == []
    for query in ("berg anna", "202 555 0199", "anna@berg.example", "C-2002"):
        assert names(query)[0] == "Anna Berg", query
    created = customer_factory(first_name="Zelda", last_name="Quixote")
    assert names("quixote") == ["Zelda Quixote"]
    actions.delete_customer(actor=system, customer=created)
    assert names("quixote") == []
    assert names("quix") == []


def test_hyphenated_names_are_found_joined_or_apart(system):
    customer_factory(first_name="Marie", last_name="Schmidt-Berg")
    customer_factory(first_name="Liam", last_name="O'Hara")
    assert names("schmidt-berg") == ["Marie Schmidt-Berg"]
    assert names("schmidtberg") == ["Marie Schmidt-Berg"]
    assert names("berg marie") == ["Marie Schmidt-Berg"]
    assert names("ohara") == ["Liam O'Hara"]
    assert names("o'hara") == ["Liam O'Hara"]


def test_limit_and_order_within_a_tier(system):
    for last in ("Zimmer", "Adams", "Meyer"):
        customer_factory(first_name="Eva", last_name=last)
    assert names("eva") == ["Eva Adams", "Eva Meyer", "Eva Zimmer"]
    assert names("eva", limit=2) == ["Eva Adams", "Eva Meyer"]


def test_a_typo_keeps_the_other_words_as_typed_first(system):
    """"andrew" is a name word: the names with it (and "walton" for the misspelt word) come before
    those where "andrew" too is read as a typo (Andre, Andrea)."""
    for first_name in ("Andre", "Andrea", "Andrew"):
        customer_factory(first_name=first_name, last_name="Walton")
    assert names("Andrew Waljton")[0] == "Andrew Walton"
    assert set(names("Andrew Waljton")) == {"Andre Walton", "Andrea Walton", "Andrew Walton"}


def test_once_a_full_name_is_found_long_walks_for_more_are_skipped(system, monkeypatch):
    """Words elsewhere in a name (Maria Anna Schmidt) and longer words (Schmidtke) are found after
    the full name while the walk through the rarer word's entries is short; when that word is common,
    the full name typed is what the cashier meant and the walk is left out."""
    from patron.lookup import engine, queries

    monkeypatch.setattr(queries, "WORD_COUNTS", engine.WordCounts())  # not counts of other tests' data
    customer_factory(first_name="Anna", last_name="Schmidt")
    customer_factory(first_name="Maria Anna", last_name="Schmidt")
    customer_factory(first_name="Anna", last_name="Schmidtke")
    customer_factory(first_name="Anna", last_name="Berg")
    assert names("anna schmidt") == ["Anna Schmidt", "Maria Anna Schmidt", "Anna Schmidtke"]
    monkeypatch.setattr(engine, "WALK_BUDGET", 1)  # "schmidt" has 2 entries, "schmidt..." 3
    assert names("anna schmidt") == ["Anna Schmidt"]
    assert set(names("anna schmid")) == {"Anna Schmidt", "Maria Anna Schmidt", "Anna Schmidtke"}  # no full name


def test_till_records_hold_what_the_orm_would_read(system):
    """till_records reads with SQL written once; every column comes back as the ORM's values()
    gives it (dates, decimals, booleans, UUIDs, times), on both engines."""
    from datetime import date

    from patron.customers.models import Customer
    from patron.customers.queries import add_contact_points
    from patron.lookup.queries import TILL_COLUMNS, till_records

    ids = [customer_factory(first_name="Ida", last_name="Ring", birth_date="1984-02-29", default_discount="7.5",
                            is_tax_exempt=True, phones=[{"number": "+49 171 1234567"}]).pk,
           customer_factory(CustomerKind.COMPANY, name="Ring AG", emails=[{"address": "a@ring.example"}]).pk]
    expected = {row["id"]: {**row, "phones": [], "emails": []}
                for row in Customer.objects.filter(pk__in=ids).values(*TILL_COLUMNS)}
    add_contact_points(expected)
    records = till_records(ids)
    assert records == expected
    for customer_id in ids:  # the same Python types too (PostgreSQL sends these rows in binary)
        assert {key: type(value) for key, value in records[customer_id].items()} == {
            key: type(value) for key, value in expected[customer_id].items()}
        assert records[customer_id]["updated_at"].tzinfo == expected[customer_id]["updated_at"].tzinfo
    assert records[ids[0]]["birth_date"] == date(1984, 2, 29) and records[ids[0]]["is_tax_exempt"] is True
    assert str(records[ids[0]]["default_discount"]) == "7.50" and records[ids[0]]["phones"]
    assert till_records([]) == {}


def test_several_whole_words_of_one_name_are_not_looked_for_inside_other_words(system):
    """A company's name or a name typed without its accents is found by its whole words; looking
    for those words inside other names then would only add noise (and is the costly tier)."""
    customer_factory(first_name="Maria Anna", last_name="Berg")  # not "berg anna ...": no full-name range
    customer_factory(first_name="Joanna", last_name="Bergström")
    assert names("anna berg") == ["Maria Anna Berg"]
    assert set(names("nna berg")) == {"Maria Anna Berg", "Joanna Bergström"}  # parts, when no whole word matched


def test_the_cheap_tiers_run_together_as_one_statement(people):
    """Exact identifiers, whole words and starts go to the database as one statement (a round trip
    each cost more than most of them); only the costly fallbacks follow on their own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from patron.lookup.queries import find_hits, scope_for

    scope = scope_for(store=None, include_inactive=False)
    for query, expected, statements in (("(202) 555-0143", "phone", 1), ("anna.schmidt@example.com", "e-mail", 1),
                                        ("C-1001", "account number", 1), ("ann", "name (start)", 2)):
        with CaptureQueriesContext(connection) as run:
            hits = find_hits(query, scope)
        assert hits[0].customer_id == people["anna"].pk and hits[0].matched_on == expected
        assert len(run.captured_queries) == statements, [item["sql"] for item in run.captured_queries]


def test_a_full_name_found_takes_three_statements(system, monkeypatch):
    """Two words typed: the full name (with the identifiers), the words' counts (as whole words and
    as starts, one statement), then the whole words elsewhere in names together with the starts;
    the results come in the order they would if each had run alone. Counted once, the words take
    two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from patron.lookup import engine, queries

    monkeypatch.setattr(queries, "WORD_COUNTS", engine.WordCounts())  # not counts of other tests' data
    people = {customer_factory(first_name=first_name, last_name=last_name).pk: f"{first_name} {last_name}"
              for first_name, last_name in (("Anna", "Schmidt"), ("Maria Anna", "Schmidt"), ("Anna", "Schmidtke"))}
    for statements in (3, 2):
        with CaptureQueriesContext(connection) as run:
            hits = queries.find_hits("anna schmidt", queries.scope_for(store=None, include_inactive=False))
        assert [(people[hit.customer_id], hit.matched_on) for hit in hits] == [
            ("Anna Schmidt", "name"), ("Maria Anna Schmidt", "name"), ("Anna Schmidtke", "name (start)")]
        lookups = [item["sql"] for item in run.captured_queries if not (item["sql"] or "").startswith(("SET", "RESET"))]
        assert len(lookups) == statements, lookups


def test_a_page_reads_phones_and_emails_in_their_order(system):

    first = customer_factory(first_name="Ida", last_name="Ring",
                             phones=[{"kind": "work", "number": "+49 171 1234567"},
                                     {"kind": "mobile", "number": "+49 171 7654321"}],
                             emails=[{"address": "b@ring.example"}, {"address": "a@ring.example"}])
    second = customer_factory(first_name="Udo", last_name="Ring", emails=[{"address": "udo@ring.example"}])
    records = till_records([second.pk, first.pk])
    assert [phone["e164"] for phone in records[first.pk]["phones"]] == ["+491711234567", "+491717654321"]
    assert [phone["kind"] for phone in records[first.pk]["phones"]] == ["work", "mobile"]
    assert [email["address"] for email in records[first.pk]["emails"]] == ["b@ring.example", "a@ring.example"]
    assert records[second.pk]["phones"] == [] and records[second.pk]["emails"] == [
        {"kind": records[second.pk]["emails"][0]["kind"], "address": "udo@ring.example"}]


@pytest.mark.parametrize("limit", [1, 2, 3, 20])
def test_a_till_page_is_the_hits_and_their_records_whatever_the_statements_returned(system, limit):
    """find_till_page's records are till_records' of exactly its hits, in one statement on
    PostgreSQL when the lookup's rows gave them all, and read after for those they did not give:
    here Ida is found twice (two phones ending in 4321) before Udo, so a page of two rows holds
    only Ida's record and Udo's is read after."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from patron.lookup.queries import find_hits, find_till_page, scope_for, till_records

    customer_factory(first_name="Ida", last_name="Ring", phones=[{"number": "+49 171 1114321"},
                                                                  {"number": "+49 171 2224321"}],
                     emails=[{"address": "ida@ring.example"}])
    customer_factory(first_name="Udo", last_name="Ring", phones=[{"number": "+49 171 3334321"}])
    customer_factory(first_name="Eva", last_name="Ring")
    scope = scope_for(store=None, include_inactive=False)
    for query in ("4321", "ring", "+49 171 1114321", "ida@ring.example"):
        find_hits(query, scope, limit)  # words counted (and remembered) once
        with CaptureQueriesContext(connection) as lookup_alone:
            expected = find_hits(query, scope, limit)
        with CaptureQueriesContext(connection) as with_page:
            hits, records = find_till_page(query, scope, limit)
        assert hits == expected
        assert hits and records == till_records([hit.customer_id for hit in hits])
        read_after = connection.vendor != "postgresql" or (query == "4321" and limit == 2)
        assert len(with_page.captured_queries) == len(lookup_alone.captured_queries) + read_after, query


def test_a_short_words_spellings_are_counted_apart_from_its_start(system):
    """A four-letter word typed is the start of a name word or a five-letter word with a letter
    missing; the two are counted apart (counting them as one OR read the table's rows on
    PostgreSQL), and a name matching either is found."""
    from django.db import connection

    customer_factory(first_name="Jimmy", last_name="Barr")
    customer_factory(first_name="Jimmy", last_name="Barer")
    customer_factory(first_name="Joan", last_name="Barrett")
    statements = []

    def note(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        found = names("jmmy barr")
    assert set(found) == {"Jimmy Barr", "Jimmy Barer"}
    counts = [sql for sql in statements if "count(*)" in sql]
    assert counts and not any(" OR " in sql for sql in counts), counts


def test_one_word_typed_twice_is_a_full_name_or_that_word(people, system):
    """"Lee Lee" is the full name of someone; "anna anna" finds what "anna" finds."""
    customer_factory(first_name="Lee", last_name="Lee")
    customer_factory(first_name="Bruce", last_name="Lee")
    assert matched("Lee Lee")[0] == ("Lee Lee", "name")
    assert matched("anna anna") == matched("anna") == [("Anna Schmidt", "name"), ("Joanna Schmidtke", "name (part)")]
    assert matched("ANNA anna Anna") == matched("anna")


def test_a_name_prefix_is_written_in_the_name_left_out_of_the_sort_key_and_found_with_or_without(system, tmp_path):
    sanne = customer_factory(first_name="Sanne", name_prefix="van der", last_name="Berg")
    customer_factory(first_name="Bram", last_name="Bakker")
    customer_factory(first_name="Vera", last_name="Visser")
    assert (sanne.name, sanne.sort_name) == ("Sanne van der Berg", "berg sanne van der")
    assert list(Customer.objects.order_by("sort_name").values_list("last_name", flat=True)) == [
        "Bakker", "Berg", "Visser"]  # under B, not under V
    for query in ("berg", "sanne berg", "van der berg", "Sanne van der Berg", "der berg"):
        assert names(query)[:1] == ["Sanne van der Berg"], query

    cache = TillCache(tmp_path / "till.sqlite3")  # the till's offline copy, fed by the change feed's records
    record = jsonable(till_records([sanne.pk])[sanne.pk])
    cache.apply_upsert({**record, "id": str(sanne.uuid), "phones": [], "emails": []})
    assert [found["name"] for found in cache.lookup("van der berg")] == ["Sanne van der Berg"]
    assert [found["name"] for found in cache.lookup("berg")] == ["Sanne van der Berg"]


def test_a_name_prefix_is_only_for_persons_and_changes_the_name(system):
    with pytest.raises(ValidationFailed) as refused:
        customer_factory(CustomerKind.COMPANY, name="Berg BV", name_prefix="van der")
    assert "name_prefix" in refused.value.errors
    jan = customer_factory(first_name="Jan", last_name="Berg")
    jan = actions.update_customer(actor=system_actor(), customer=jan, values={"name_prefix": "van den"})
    assert (jan.name, jan.sort_name) == ("Jan van den Berg", "berg jan van den")
    assert names("van den berg")[:1] == ["Jan van den Berg"]
