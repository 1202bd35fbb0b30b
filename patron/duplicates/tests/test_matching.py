"""The rules on their own: normalisations, name comparisons, and the hard negatives."""

import datetime

import pytest

from patron.core.normalize import email_match_key
from patron.customers.models import CustomerKind
from patron.duplicates.matching import compare
from patron.duplicates.profiles import Profile, street_key
from patron.duplicates.rules import POSSIBLE, STRONG, reason_words

BIRTH = datetime.date(1980, 5, 17)


def person(first="Anna", last="Meyer", **values):
    return Profile(None, CustomerKind.PERSON, first=first.lower(), last=last.lower(), **values)


@pytest.mark.parametrize(("typed", "key"), [
    ("Anna.Meyer@Example.COM", "anna.meyer@example.com"),
    ("anna+shop@example.com", "anna@example.com"),
    ("a.n.n.a@gmail.com", "anna@gmail.com"),
    ("Anna.Meyer+news@googlemail.com", "annameyer@gmail.com"),
])
def test_email_match_key_reads_the_same_mailbox(typed, key):
    assert email_match_key(typed) == key


def test_dots_count_outside_gmail():
    assert email_match_key("a.nna@example.com") != email_match_key("anna@example.com")


def test_street_key_reads_abbreviations_alike():
    assert street_key("Hauptstraße 5") == street_key("hauptstr. 5")


@pytest.mark.parametrize(("a", "b", "code"), [
    (("Anna", "Meyer"), ("Anna", "Meyer"), "same_name"),
    (("Anna", "Meyer"), ("Meyer", "Anna"), "swapped_name"),
    (("Robert", "Smith"), ("Bob", "Smith"), "similar_name"),
    (("John", "Smith"), ("J", "Smith"), "similar_name"),
    (("Katharina", "Schneider"), ("Katharina", "Schnieder"), "similar_name"),
    (("Jonathan", "Smith"), ("Jonahtan", "Smith"), "similar_name"),
    (("Anna", "Meyer"), ("Hans", "Meyer"), "other_name"),
])
def test_names(a, b, code):
    assert code in compare(person(*a), person(*b)).codes


def test_accents_fold_into_the_same_name():
    from patron.duplicates.profiles import folded_words

    assert folded_words("Müller") == folded_words("muller")


def test_same_email_and_similar_name_is_strong_and_says_why():
    match = compare(person(emails={"anna@x.com"}), person("Ana", emails={"anna@x.com"}))
    assert match.score >= STRONG
    assert match.reasons == "same e-mail, name similar"


def test_nickname_at_the_same_address_is_possible():
    match = compare(person("Robert", "Smith", postcodes={"10115"}, streets={"hauptstr 5"}),
                    person("Bob", "Smith", postcodes={"10115"}, streets={"hauptstr 5"}))
    assert POSSIBLE <= match.score < STRONG
    assert match.reasons == "name similar, same postcode, same street"


def test_a_name_and_a_postcode_alone_are_not_proposed():
    """Namesakes on two streets of one postcode area."""
    assert not compare(person(postcodes={"10115"}, streets={"hauptstr 5"}),
                       person(postcodes={"10115"}, streets={"gartenweg 2"})).is_possible


def test_same_name_alone_is_not_proposed():
    """Namesakes in one town."""
    assert not compare(person(), person()).is_possible


def test_namesakes_on_one_street_with_other_birth_dates_are_not_proposed():
    a = person(postcodes={"10115"}, streets={"hauptstr 5"}, birth_date=BIRTH)
    b = person(postcodes={"10115"}, streets={"hauptstr 7"}, birth_date=datetime.date(1991, 2, 3))
    assert not compare(a, b).is_possible


def test_shared_landline_alone_is_weak():
    assert not compare(person("Anna", landlines={"+4930123"}), person("Hans", landlines={"+4930123"})).is_possible
    assert not compare(Profile(None, "person", landlines={"+4930123"}),
                       Profile(None, "person", landlines={"+4930123"})).is_possible


def test_household_at_one_address_is_not_proposed():
    a = person("Anna", postcodes={"10115"}, streets={"hauptstr 5"}, landlines={"+4930123"})
    b = person("Hans", postcodes={"10115"}, streets={"hauptstr 5"}, landlines={"+4930123"})
    assert not compare(a, b).is_possible


def test_father_and_son_with_the_same_name_are_not_strong():
    a = person("John", "Smith", postcodes={"10115"}, streets={"hauptstr 5"}, landlines={"+4930123"},
               birth_date=datetime.date(1955, 1, 1))
    b = person("John", "Smith", postcodes={"10115"}, streets={"hauptstr 5"}, landlines={"+4930123"},
               birth_date=datetime.date(1985, 1, 1))
    assert not compare(a, b).is_possible


def test_company_and_its_representative_are_never_proposed():
    company = Profile(None, CustomerKind.COMPANY, company="meyer", emails={"info@meyer.de"}, mobiles={"+49301"},
                      postcodes={"10115"})
    person_ = person(emails={"info@meyer.de"}, mobiles={"+49301"}, postcodes={"10115"})
    assert not compare(company, person_).is_possible


def test_reason_words_leave_negative_evidence_out():
    assert reason_words(("same_phone", "other_birth_date")) == "same phone"


def test_a_household_look_alike_is_never_strong_without_an_identifier():
    """Elizabeth and Lisa (a nickname of hers) at one address with one landline: possible, not strong."""
    a = person("Elizabeth", "Hecker", postcodes={"10115"}, streets={"hauptstr 5"}, landlines={"+4930123"})
    b = person("Lisa", "Hecker", postcodes={"10115"}, streets={"hauptstr 5"}, landlines={"+4930123"})
    match = compare(a, b)
    assert match.is_possible and not match.is_strong
    assert compare(person(postcodes={"10115"}, streets={"hauptstr 5"}, birth_date=BIRTH),
                   person(postcodes={"10115"}, streets={"hauptstr 5"}, birth_date=BIRTH)).is_strong
