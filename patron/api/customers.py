"""Customers: list, create, read, change, delete, status and audit trail."""

from typing import Annotated, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.errors import ApiProblem
from patron.api.etag import IfMatch, expected_version
from patron.api.idempotency import idempotent
from patron.api.lookups import by_id
from patron.api.pagination import PageParams, page_of, paginate_rows, paginated_response
from patron.api.responses import no_content, respond
from patron.api.schemas.customers import (
    CustomerFields,
    CustomerIn,
    CustomerListItemOut,
    CustomerOut,
    CustomerPatch,
    CustomerQuery,
    StatusChangeIn,
)
from patron.api.schemas.history import AuditEventOut, StatusChangeOut
from patron.core.errors import NotFound
from patron.core.replicas import reads_from_replica
from patron.core.validation import FieldErrors
from patron.customers import actions, queries
from patron.customers.models import Customer
from patron.duplicates.entry import OnDuplicate, create_customer_checked, update_customer_checked
from patron.locations.models import Location, LocationGroup
from patron.locations.queries import get_location
from patron.lookup.queries import annotated, search_customers

router = Router(tags=["customers"])
OnDuplicateParameter = Annotated[Literal[OnDuplicate.CHOICES] | None, Query(
    description="refuse: 409 likely-duplicate when a customer likely the same exists; create: create anyway "
                "(audited). Left out: no check.")]
CUSTOMER = "/customers/{uuid:customer_id}"


def customer_response(uuid, *, status: int = 200, created: bool = False) -> HttpResponse:
    """The customer as its GET shows it, with its ETag (and Location when just created)."""
    customer = queries.customer_detail(uuid, just_created=created)
    location = reverse("api-v1:get_customer", kwargs={"customer_id": customer.uuid}) if created else None
    return respond(CustomerOut.of(customer), status=status, version=customer.version, location=location)


def customer_values(payload: CustomerFields) -> dict:
    """The values an action takes, from the fields the client sent (locations and location groups
    by their ids)."""
    values = payload.model_dump(exclude_unset=True, include=set(CustomerFields.model_fields))
    errors = FieldErrors()
    if "home_location" in values:
        values["home_location"] = by_id(Location, values["home_location"], errors, "home_location")
    if "location_groups" in values:
        values["location_groups"] = [by_id(LocationGroup, uuid, errors, f"location_groups.{index}")
                                     for index, uuid in enumerate(values["location_groups"])]
    errors.raise_if_any()
    return values


def customer_filter(filters: CustomerQuery) -> queries.CustomerFilter:
    """The back office's list filter from a list's query parameters."""
    return queries.CustomerFilter(
        search=filters.q, statuses=tuple(filters.status), kind=filters.kind or "",
        location=_location_parameter(filters.location, "location"),
        available_at=_location_parameter(filters.available_at, "available_at"),
        tag=filters.tag, till_only=filters.till_only, sort=filters.sort,
    )


def _location_parameter(uuid: UUID | None, name: str) -> Location | None:
    if uuid is None:
        return None
    try:
        return get_location(uuid)
    except NotFound:
        raise ApiProblem("validation-failed", "No location has this id.",
                         errors=[{"parameter": name, "detail": "No location has this id."}]) from None


@router.get("/customers", response={200: page_of(CustomerListItemOut)})
@requires("customers.view")
@reads_from_replica
def list_customers(request: HttpRequest, filters: Query[CustomerQuery], page: Query[PageParams]):
    """Find customers; the same filter as the back office's list. With q, the lookup's best matches
    come first (sort is not used), each saying what matched."""
    query = customer_filter(filters)
    if query.search.strip():
        return _search_response(query, page, caller=request.auth.location)
    customers = queries.with_details(queries.filter_customers(query))
    return paginated_response(customers, page, ordering=queries.SORTS[filters.sort], item=CustomerOut)


def _search_response(query: queries.CustomerFilter, params: PageParams, *, caller) -> HttpResponse:
    """A page of the search's matches; the cursor holds the position in the ranking. A national
    phone number is read in the country of the token's store (``caller``)."""
    ranking = list(enumerate(search_customers(query, caller=caller)))
    page = paginate_rows(ranking, params, key=lambda row: (row[0],), name="customers-search")
    customers = annotated([hit for _, hit in page.items], queries.with_details(Customer.objects.all()))
    items = [CustomerListItemOut.of(customer) for customer in customers]
    return respond(page_of(CustomerListItemOut)(items=items, next_cursor=page.next_cursor))


@router.post("/customers", response={201: CustomerOut})
@checked_by_action("customers.create")
@idempotent()
def create_customer(request: HttpRequest, payload: CustomerIn, on_duplicate: OnDuplicateParameter = None):
    """Create a customer. With on_duplicate=refuse, a customer likely the same (strong) refuses the
    creation: 409 likely-duplicate listing the candidates. With on_duplicate=create the customer is
    created anyway and the candidates are kept in the audit trail."""
    arguments = dict(actor=actor_of(request), kind=payload.kind, values=customer_values(payload),
                     status=payload.status,
                     addresses=[address.model_dump(exclude_unset=True) for address in payload.addresses])
    if on_duplicate:
        customer = create_customer_checked(on_duplicate=on_duplicate, **arguments)
    else:
        customer = actions.create_customer(**arguments)
    return customer_response(customer.uuid, status=201, created=True)


@router.get(CUSTOMER, response={200: CustomerOut})
@requires("customers.view")
def get_customer(request: HttpRequest, customer_id: UUID):
    return customer_response(customer_id)


@router.patch(CUSTOMER, response={200: CustomerOut})
@checked_by_action("customers.edit")
def update_customer(request: HttpRequest, customer_id: UUID, payload: CustomerPatch,
                    if_match: IfMatch = None, on_duplicate: OnDuplicateParameter = None):
    """Change the fields sent; lists sent (phones, e-mails, tags, location groups) replace the old ones.
    Price level, discount, tax exemption and the employee flag need customers.edit_terms. With
    on_duplicate=refuse, a change that makes the customer likely the same as another (strong: a
    shared e-mail, mobile, tax ID ...) is refused: 409 likely-duplicate listing the candidates; with
    on_duplicate=create it is saved and the candidates are kept in the audit trail."""
    customer = queries.get_customer(customer_id)
    arguments = dict(actor=actor_of(request), customer=customer, values=customer_values(payload),
                     expected_version=expected_version(if_match))
    if on_duplicate:
        update_customer_checked(on_duplicate=on_duplicate, **arguments)
    else:
        actions.update_customer(**arguments)
    return customer_response(customer_id)


@router.delete(CUSTOMER, response={204: None})
@checked_by_action("customers.delete")
def delete_customer(request: HttpRequest, customer_id: UUID, if_match: IfMatch = None):
    """Delete a customer entered by mistake; one with history must be deactivated instead (409)."""
    customer = queries.get_customer(customer_id)
    actions.delete_customer(actor=actor_of(request), customer=customer,
                            expected_version=expected_version(if_match))
    return no_content()


@router.post(CUSTOMER + "/status", response={200: CustomerOut})
@checked_by_action("customers.change_status")
@idempotent()
def change_customer_status(request: HttpRequest, customer_id: UUID, payload: StatusChangeIn,
                           if_match: IfMatch = None):
    """Move the customer to another status with a reason (If-Match optional here)."""
    customer = queries.get_customer(customer_id)
    actions.change_status(actor=actor_of(request), customer=customer, status=payload.status,
                          reason=payload.reason, expected_version=expected_version(if_match, required=False))
    return customer_response(customer_id)


@router.get(CUSTOMER + "/status-changes", response={200: page_of(StatusChangeOut)})
@requires("customers.view")
def list_status_changes(request: HttpRequest, customer_id: UUID, page: Query[PageParams]):
    customer = queries.get_customer(customer_id)
    return paginated_response(customer.status_changes.all(), page, ordering=("-changed_at", "-id"),
                              item=StatusChangeOut)


@router.get(CUSTOMER + "/audit", response={200: page_of(AuditEventOut)})
@requires("customers.view_audit")
def get_audit_trail(request: HttpRequest, customer_id: UUID, page: Query[PageParams]):
    """Who changed what and when, newest first."""
    customer = queries.get_customer(customer_id)
    return paginated_response(queries.audit_trail(customer), page, ordering=("-occurred_at", "-id"),
                              item=AuditEventOut)
