"""Keys kept current by the actions, the entry check, the full and incremental scans, and
"not the same" remembered (run on SQLite and PostgreSQL)."""

import pytest

from patron.core.actors import Actor, system_actor
from patron.core.errors import PermissionDenied
from patron.customers import actions
from patron.customers.models import CustomerKind
from patron.customers.tests.factories import customer_factory
from patron.duplicates.actions import close_pairs_for_merge, mark_not_same
from patron.duplicates.keys import keys_of
from patron.duplicates.models import DuplicateKey, DuplicatePair, PairStatus, PendingCheck
from patron.duplicates.profiles import profiles_of
from patron.duplicates.queries import QueueFilter, candidates_for_values, pairs
from patron.duplicates.scan import check_customers, full_scan, incremental_scan

pytestmark = pytest.mark.django_db
CASHIER = Actor(kind="user", label="cashier", role="cashier")


def anna(**values):
    values = {"first_name": "Anna", "last_name": "Meyer", "phones": [{"kind": "mobile", "number": "+49 151 23456789"}],
              "emails": [{"address": "anna.meyer@gmail.com"}], **values}
    return customer_factory(**values)


def test_keys_follow_the_record():
    customer = anna()
    keys = set(DuplicateKey.objects.filter(customer=customer).values_list("key", flat=True))
    assert {"email:annameyer@gmail.com", "phone:+4915123456789"} <= keys
    actions.update_customer(actor=system_actor(), customer=customer, values={"emails": [{"address": "a@example.com"}]})
    keys = set(DuplicateKey.objects.filter(customer=customer).values_list("key", flat=True))
    assert "email:a@example.com" in keys and "email:annameyer@gmail.com" not in keys
    assert PendingCheck.objects.filter(customer_id=customer.pk).exists()


def test_address_changes_make_name_keys():
    customer = anna(birth_date="1980-05-17")
    actions.add_address(actor=system_actor(), customer=customer, values={"kind": "contact", "postal_code": "10115",
                                                                         "line1": "Hauptstr. 5", "country": "DE"})
    stored = set(DuplicateKey.objects.filter(customer=customer, key__startswith="np:").values_list("key", flat=True))
    assert stored == {"np:MYR|10115", "np:AN|10115"}
    assert stored == {k for k in keys_of(profiles_of([customer.pk])[customer.pk]) if k.startswith("np:")}


def test_new_customers_get_the_keys_their_stored_records_give():
    """Keys of customers just created come from the values written, not read back: the same."""
    rows = [{"kind": CustomerKind.PERSON, "values": {
                "first_name": "Jürgen", "last_name": "Groß", "birth_date": "1975-02-01", "tax_id": "DE136695976",
                "phones": [{"kind": "home", "number": "+49 30 1234567"},
                           {"kind": "mobile", "number": "+49 151 23456789"}],
                "emails": [{"address": "Juergen.Gross+x@googlemail.com"}]},
             "addresses": [{"kind": "contact", "postal_code": "10 115", "line1": "Hauptstraße 5", "country": "DE"}]},
            {"kind": CustomerKind.COMPANY, "values": {"name": "Meyer Bau GmbH",
                                                      "phones": [{"kind": "work", "number": "+49 30 7654321"}]}},
            {"kind": CustomerKind.PLACEHOLDER, "values": {"name": "Walk-in"}}]
    result = actions.create_customers_in_bulk(actor=system_actor(), rows=rows)
    assert result.rejected == {}
    created = result.created
    ids = [customer.pk for customer in created]
    stored = {pk: set(DuplicateKey.objects.filter(customer_id=pk).values_list("key", flat=True)) for pk in ids}
    read_back = profiles_of(ids)
    assert stored == {pk: keys_of(read_back[pk]) if pk in read_back else set() for pk in ids}
    assert {"tax:136695976", "np:JRJN|10115", "nb:KRS|1975-02-01", "email:juergengross@gmail.com"} <= stored[ids[0]]
    assert stored[ids[1]] == {"co:meyer bau", "phone:+49307654321"}
    assert stored[ids[2]] == set()


@pytest.mark.parametrize("values", [
    {"first_name": "ANNA", "last_name": "meyer", "emails": [{"address": "Anna.Meyer+shop@googlemail.com"}]},
    {"first_name": "Ana", "last_name": "Meyer", "phones": [{"number": "+49-151-2345-6789"}]},
    {"first_name": "Meyer", "last_name": "Anna", "phones": [{"number": "0151 23456789"}]},
])
def test_entry_check_finds_the_customer_typed_again(values, settings):
    settings.PATRON_PHONE_REGION = "DE"
    existing = anna()
    candidates = candidates_for_values(kind=CustomerKind.PERSON, values=values)
    assert [c.customer.pk for c in candidates] == [existing.pk]
    assert candidates[0].match.is_strong


def test_entry_check_with_nickname_and_birth_date():
    existing = customer_factory(first_name="Robert", last_name="Smith", birth_date="1970-03-02")
    candidates = candidates_for_values(kind=CustomerKind.PERSON, values={
        "first_name": "Bob", "last_name": "Smith", "birth_date": "1970-03-02"})
    assert [c.customer.pk for c in candidates] == [existing.pk]
    assert candidates[0].match.reasons == "name similar, same birth date"


def test_entry_check_leaves_a_household_out():
    address = [{"kind": "contact", "postal_code": "10115", "line1": "Hauptstr. 5", "country": "DE"}]
    customer_factory(first_name="Hans", last_name="Meyer", addresses=address,
                     phones=[{"kind": "home", "number": "+49 30 1234567"}])
    assert candidates_for_values(kind=CustomerKind.PERSON, addresses=address, values={
        "first_name": "Anna", "last_name": "Meyer", "phones": [{"kind": "home", "number": "+49 30 1234567"}]}) == []


def test_full_scan_proposes_pairs_and_forgets_those_that_no_longer_score():
    first, second = anna(), anna(first_name="Ana", emails=[])
    customer_factory(first_name="Otto", last_name="Krause")
    result = full_scan()
    pair = DuplicatePair.objects.get()
    assert (pair.first_id, pair.second_id) == (first.pk, second.pk)
    assert pair.codes == ["same_phone", "similar_name"] and result.proposed == 1
    assert not PendingCheck.objects.exists()
    actions.update_customer(actor=system_actor(), customer=second, values={"phones": []})
    incremental_scan()
    assert not DuplicatePair.objects.exists()


def test_incremental_scan_checks_only_what_changed():
    first = anna()
    full_scan()
    second = anna(first_name="Ana")
    result = incremental_scan()
    assert result.customers == 1
    assert DuplicatePair.objects.filter(first=first, second=second, status=PairStatus.OPEN).exists()
    assert incremental_scan().customers == 0


def test_not_the_same_is_remembered():
    first, second = anna(), anna(first_name="Ana")
    full_scan()
    pair = DuplicatePair.objects.get()
    with pytest.raises(PermissionDenied):
        mark_not_same(actor=CASHIER, pair_id=pair.pk)
    mark_not_same(actor=system_actor(), pair_id=pair.pk)
    full_scan(rebuild=True)
    check_customers([first.pk, second.pk])
    pair.refresh_from_db()
    assert pair.status == PairStatus.NOT_SAME and DuplicatePair.objects.count() == 1
    assert list(pairs()) == []
    again = candidates_for_values(kind=CustomerKind.PERSON, customer=second, values={
        "first_name": "Ana", "last_name": "Meyer", "emails": [{"address": "anna.meyer@gmail.com"}]})
    assert again == []


def test_close_pairs_for_merge():
    first, second, third = anna(), anna(first_name="Ana"), anna(first_name="Anna")
    full_scan()
    assert DuplicatePair.objects.count() == 3
    assert close_pairs_for_merge(first.pk, [second.pk]) == 1
    assert DuplicatePair.objects.get(first=first, second=second).status == PairStatus.MERGED
    assert DuplicatePair.objects.filter(first=first, second=third, status=PairStatus.OPEN).exists()
    assert not DuplicatePair.objects.filter(second=third, first=second).exists()


def test_queue_filters_by_reason_and_location():
    from patron.locations.models import Location

    home = Location.objects.get(code="S01")
    elsewhere = Location.objects.exclude(pk=home.pk).first() or Location.objects.create(code="S99", name="Far away")
    anna(home_location=home), anna(first_name="Ana", home_location=home)
    full_scan()
    assert pairs(QueueFilter(reason="same_phone")).count() == 1
    assert pairs(QueueFilter(reason="same_tax_id")).count() == 0
    assert pairs(QueueFilter(location=home)).count() == 1
    assert pairs(QueueFilter(location=elsewhere)).count() == 0


def test_placeholders_and_companies_against_persons_are_left_out():
    customer_factory(CustomerKind.PLACEHOLDER, name="Walk-in", phones=[{"number": "+49 151 23456789"}])
    customer_factory(CustomerKind.COMPANY, name="Meyer GmbH", emails=[{"address": "anna.meyer@gmail.com"}],
                     phones=[{"number": "+49 151 23456789"}])
    anna()
    full_scan()
    assert not DuplicatePair.objects.exists()
