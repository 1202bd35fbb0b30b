"""Patron's URLs plus ``GET /bench/fixed-page``, the trivial endpoint of ``make bench-lookup``.

It has what ``GET /api/v1/lookup`` has around the search: the same middleware, ninja's dispatch,
the same bearer-token authentication and permission check, and a body of the same schema (a
LookupPage of 20 customers) serialised on every request; but no database query beyond the
authentication. The product code is not touched: the route is added in front of Patron's own.
"""

from datetime import UTC, datetime
from uuid import UUID

from django.urls import include, path
from ninja import NinjaAPI

from patron.api.auth import bearer_token, requires
from patron.api.responses import respond
from patron.api.schemas.customers import EmailOut, PhoneOut
from patron.api.schemas.lookup import LookupPage, LookupResult, TillCustomer

FIXED_PAGE_SIZE = 20


def fixed_customer(number: int) -> TillCustomer:
    """A customer as a lookup returns one, with a phone and an e-mail."""
    return TillCustomer(
        id=UUID(int=number), kind="person", account_number=f"C{number:06d}", name=f"Anna Beispiel{number}",
        first_name="Anna", last_name=f"Beispiel{number}", sort_name=f"beispiel{number} anna", status="active",
        birth_date=None, tax_id="", is_tax_exempt=False, price_level="RETAIL", default_discount="0.00",
        always_formal_invoice=False, photo_url=None, photo_version=0, version=1,
        phones=[PhoneOut(kind="mobile", number="+49 151 23456789", e164="+4915123456789")],
        emails=[EmailOut(kind="personal", address=f"anna.beispiel{number}@example.org")],
        updated_at=datetime(2026, 1, 1, tzinfo=UTC))


FIXED_PAGE = LookupPage(items=[LookupResult(customer=fixed_customer(number), matched_on="name (start)", rank=2)
                               for number in range(1, FIXED_PAGE_SIZE + 1)])

bench_api = NinjaAPI(title="Patron bench", urls_namespace="bench", auth=bearer_token, docs_url=None)


@bench_api.get("/fixed-page")
@requires("customers.view")
def fixed_page(request):
    return respond(FIXED_PAGE)


urlpatterns = [
    path("bench/", bench_api.urls),
    path("", include("patron.urls")),
]
