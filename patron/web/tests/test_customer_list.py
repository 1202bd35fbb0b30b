"""The customers list: search, filters, sort, paging, card view and the htmx fragment."""

import pytest
from django.urls import reverse

from patron.core.actors import system_actor
from patron.core.permissions import Role
from patron.customers import actions
from patron.customers.models import CustomerKind, CustomerStatus
from patron.customers.tests.factories import customer_factory
from patron.locations.models import Location, LocationKind
from patron.lookup.tests.support import SCHMIDT_RANKING, one_per_tier
from patron.web.tests.customer_support import client_for

pytestmark = pytest.mark.django_db
LIST = reverse("web:customer_list")


def names_in(response) -> list[str]:
    return [customer.name for customer in response.context["page"].object_list]


@pytest.fixture
def cashier():
    return client_for(Role.CASHIER)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_the_list_and_the_home_page_leads_there_or_to_the_dashboard(role):
    client = client_for(role)
    customer_factory(first_name="Anna", last_name="Schmidt")
    response = client.get(LIST)
    assert response.status_code == 200
    assert "Anna Schmidt" in response.content.decode()
    assert client.get(reverse("web:home")).url == (LIST if role == Role.CASHIER else reverse("web:dashboard"))


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


@pytest.mark.parametrize("term", ["schmidt anna", "Anna", "SCHMI", "anna.schmidt@example.com", "Anna.Schmidt@",
                                  "(202) 555-0143", "202-555-0143", "+1 202 555 0143", "2025550143", "555-0143",
                                  "k-77"])
def test_search_by_name_in_any_order_email_phone_in_any_format_or_account_number(cashier, term):
    customer_factory(first_name="Anna", last_name="Schmidt", account_number="K-77",
                     phones=[{"kind": "mobile", "number": "202.555.0143"}],
                     emails=[{"address": "anna.schmidt@example.com"}])
    customer_factory(first_name="Bert", last_name="Jones", phones=[{"kind": "mobile", "number": "(415) 555-0199"}])
    assert names_in(cashier.get(LIST, {"q": term})) == ["Anna Schmidt"]


@pytest.fixture
def schmidts():
    return one_per_tier()


def matches_in(response) -> list[tuple[str, str]]:
    return [(customer.name, customer.matched_on) for customer in response.context["page"].object_list]


def test_search_ranks_whole_names_then_starts_then_parts_then_typos_and_shows_what_matched(cashier, schmidts):
    response = cashier.get(LIST, {"q": "schmidt", "sort": "-created"})  # a search is ranked: sort waits
    assert matches_in(response) == SCHMIDT_RANKING
    html = response.content.decode()
    assert "5 customers, best matches first" in html
    assert html.count('class="muted matched-on"') == 5 and "matched: name (similar spelling)" in html


@pytest.mark.parametrize("term, matched_on", [
    ("(202) 555-0143", "phone"), ("+1 202 555 0143", "phone"), ("202.555.0143", "phone"),
    ("0143", "phone (last digits)"), ("Schmdit", "name (similar spelling)"), ("anna Shmidt", "name (similar spelling)"),
    ("schmidt anna", "name"), ("K-77", "account number"), ("anna.schmidt@example.com", "e-mail"),
])
def test_search_by_typo_or_phone_in_any_format_says_what_matched(cashier, term, matched_on):
    customer_factory(first_name="Anna", last_name="Schmidt", account_number="K-77",
                     phones=[{"kind": "mobile", "number": "202 555 0143"}],
                     emails=[{"address": "anna.schmidt@example.com"}])
    customer_factory(first_name="Bert", last_name="Jones", phones=[{"kind": "mobile", "number": "(415) 555-0199"}])
    response = cashier.get(LIST, {"q": term})
    assert matches_in(response) == [("Anna Schmidt", matched_on)]
    assert f"matched: {matched_on}" in response.content.decode()


def test_search_keeps_the_other_filters_and_the_ranking(cashier, schmidts):
    customer_factory(CustomerKind.COMPANY, name="Schmidt Tools")
    for name in ("Eva Goldschmidt", "Joanna Schmidtke", "Anna Schmidt"):
        actions.update_customer(actor=system_actor(), customer=schmidts[name], values={"tags": ["VIP"]})
    assert [name for name, _ in matches_in(cashier.get(LIST, {"q": "schmidt", "tag": "VIP"}))] == [
        "Anna Schmidt", "Joanna Schmidtke", "Eva Goldschmidt"]
    assert matches_in(cashier.get(LIST, {"q": "schmidt", "kind": "company"})) == [("Schmidt Tools", "name")]


def test_search_finds_inactive_and_deleted_customers_only_when_the_status_filter_asks(cashier):
    customer_factory(first_name="Gone", last_name="Schmidt", status=CustomerStatus.INACTIVE)
    customer_factory(first_name="Oops", last_name="Schmidt", status=CustomerStatus.DELETED)
    customer_factory(first_name="Here", last_name="Schmidt")
    assert names_in(cashier.get(LIST, {"q": "schmidt"})) == ["Here Schmidt"]
    assert names_in(cashier.get(LIST, {"q": "schmidt", "status": "inactive"})) == ["Gone Schmidt"]
    assert names_in(cashier.get(LIST, {"q": "schmidt", "status": "deleted"})) == ["Oops Schmidt"]
    assert names_in(cashier.get(LIST, {"q": "schmidt", "status": "all"})) == [
        "Gone Schmidt", "Here Schmidt", "Oops Schmidt"]


def test_search_results_page_in_ranking_order(cashier):
    customer_factory(first_name="Lea", last_name="Page")  # whole word: first
    for number in range(29):
        customer_factory(first_name="Lea", last_name=f"Pagel{number:02d}")  # starts: after, by name
    first = cashier.get(LIST, {"q": "lea page"})
    second = cashier.get(LIST, {"q": "lea page", "page": "2"})
    assert names_in(first)[:2] == ["Lea Page", "Lea Pagel00"] and len(names_in(first)) == 25
    assert names_in(second) == [f"Lea Pagel{number:02d}" for number in range(24, 29)]
    assert "?q=lea+page&amp;page=2" in first.content.decode()


def test_default_list_hides_inactive_and_deleted_and_status_filters_show_them(cashier):
    customer_factory(first_name="Active", last_name="One")
    customer_factory(first_name="Hold", last_name="Two", status=CustomerStatus.CREDIT_HOLD)
    customer_factory(first_name="Gone", last_name="Three", status=CustomerStatus.INACTIVE)
    customer_factory(first_name="Oops", last_name="Four", status=CustomerStatus.DELETED)
    assert names_in(cashier.get(LIST)) == ["Active One", "Hold Two"]
    assert names_in(cashier.get(LIST, {"status": "inactive"})) == ["Gone Three"]
    assert names_in(cashier.get(LIST, {"status": "deleted"})) == ["Oops Four"]
    assert len(names_in(cashier.get(LIST, {"status": "all"}))) == 4


def test_filters_by_kind_home_location_and_tag(cashier):
    other_store = Location.objects.create(code="S02", name="Harbour store", kind=LocationKind.STORE,
                                          parent=Location.objects.get(code="HQ"))
    customer_factory(first_name="Pat", last_name="Person", tags=["VIP"])
    customer_factory(CustomerKind.COMPANY, name="Mug Shop", home_location=other_store)
    customer_factory(CustomerKind.PLACEHOLDER, name="Walk-in")
    assert names_in(cashier.get(LIST, {"kind": "company"})) == ["Mug Shop"]
    assert names_in(cashier.get(LIST, {"location": str(other_store.uuid)})) == ["Mug Shop"]
    assert names_in(cashier.get(LIST, {"tag": "VIP"})) == ["Pat Person"]


def test_invalid_filter_values_are_ignored_not_an_error(cashier):
    customer_factory(first_name="Pat", last_name="Person")
    response = cashier.get(LIST, {"kind": "alien", "sort": "; drop", "location": "not-a-uuid", "page": "x"})
    assert response.status_code == 200
    assert names_in(response) == ["Pat Person"]


def test_search_with_a_nul_byte_or_too_long_is_ignored_not_a_server_error(cashier):
    customer_factory(first_name="Pat", last_name="Person")
    for term in ("Pat\x00", "P" * 5000):
        response = cashier.get(LIST, {"q": term})
        assert response.status_code == 200 and names_in(response) == ["Pat Person"]


def test_sort_by_name_and_date_added_both_ways(cashier):
    for last_name in ("Berg", "Adams", "Clark"):
        customer_factory(first_name="X", last_name=last_name)
    assert names_in(cashier.get(LIST)) == ["X Adams", "X Berg", "X Clark"]
    assert names_in(cashier.get(LIST, {"sort": "-name"})) == ["X Clark", "X Berg", "X Adams"]
    assert names_in(cashier.get(LIST, {"sort": "created"})) == ["X Berg", "X Adams", "X Clark"]
    assert names_in(cashier.get(LIST, {"sort": "-created"})) == ["X Clark", "X Adams", "X Berg"]


def test_paging_keeps_the_filters_in_its_links(cashier):
    for number in range(30):
        customer_factory(first_name="Page", last_name=f"P{number:02d}", tags=["bulk"])
    first = cashier.get(LIST, {"tag": "bulk"})
    second = cashier.get(LIST, {"tag": "bulk", "page": "2"})
    assert len(names_in(first)) == 25
    assert names_in(second) == [f"Page P{number}" for number in range(25, 30)]
    assert "?tag=bulk&amp;page=2" in first.content.decode()


def test_card_view_is_kept_in_the_url(cashier):
    customer_factory(first_name="Carla", last_name="Card")
    response = cashier.get(LIST, {"view": "cards", "q": "carla"})
    html = response.content.decode()
    assert 'class="card customer-card"' in html and "Carla Card" in html
    assert "<table class=\"customers\"" not in html
    assert 'name="view" value="cards"' in html  # the filter form keeps it while searching
    assert "?view=list&amp;q=carla" in html or "?q=carla&amp;view=list" in html
    assert "matched: name" in html


def test_htmx_search_returns_only_the_results_fragment(cashier):
    customer_factory(first_name="Anna", last_name="Schmidt")
    response = cashier.get(LIST, {"q": "anna"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = response.content.decode()
    assert "Anna Schmidt" in html
    assert "<html" not in html and 'role="search"' not in html


def test_names_with_markup_are_shown_as_text(cashier):
    customer_factory(first_name="<script>alert(1)</script>", last_name="<b>Bold</b>")
    html = cashier.get(LIST).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html and "<b>Bold</b>" not in html


def test_cashier_sees_quick_edit_and_new_customer_but_no_settings_link(cashier):
    customer_factory(first_name="Anna", last_name="Schmidt")
    html = cashier.get(LIST).content.decode()
    assert reverse("web:customer_new") in html
    assert "quick-edit" in html
