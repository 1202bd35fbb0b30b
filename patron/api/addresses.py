"""A customer's addresses: one contact, one billing, any number of shipping/worksite addresses."""

from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.customers import CUSTOMER
from patron.api.etag import IfMatch, expected_version
from patron.api.idempotency import idempotent
from patron.api.pagination import PageParams, page_of, paginated_response
from patron.api.responses import no_content, respond
from patron.api.schemas.addresses import AddressIn, AddressOut, AddressPatch
from patron.core.errors import NotFound
from patron.customers import actions, queries
from patron.customers.models import Address

router = Router(tags=["addresses"])
ADDRESS = CUSTOMER + "/addresses/{uuid:address_id}"


def _address(customer_id: UUID, address_id: UUID) -> Address:
    address = Address.objects.filter(customer__uuid=customer_id, uuid=address_id).first()
    if address is None:
        raise NotFound("This customer has no such address.", code="address-not-found")
    return address


def _address_response(address: Address, *, status: int = 200):
    location = None
    if status == 201:
        location = reverse("api-v1:get_address", kwargs={"customer_id": address.customer.uuid,
                                                         "address_id": address.uuid})
    return respond(AddressOut.of(address), status=status, version=address.version, location=location)


@router.get(CUSTOMER + "/addresses", response={200: page_of(AddressOut)})
@requires("customers.view")
def list_addresses(request: HttpRequest, customer_id: UUID, page: Query[PageParams]):
    customer = queries.get_customer(customer_id)
    return paginated_response(customer.addresses.all(), page, ordering=("kind", "id"), item=AddressOut)


@router.post(CUSTOMER + "/addresses", response={201: AddressOut})
@checked_by_action("customers.edit")
@idempotent()
def add_address(request: HttpRequest, customer_id: UUID, payload: AddressIn):
    address = actions.add_address(actor=actor_of(request), customer=queries.get_customer(customer_id),
                                  values=payload.model_dump(exclude_unset=True))
    return _address_response(address, status=201)


@router.post(CUSTOMER + "/addresses/copy-contact-to-billing", response={200: AddressOut})
@checked_by_action("customers.edit")
@idempotent()
def copy_contact_address_to_billing(request: HttpRequest, customer_id: UUID):
    """Make the billing address a copy of the contact address (created when missing)."""
    billing = actions.copy_contact_address_to_billing(actor=actor_of(request),
                                                      customer=queries.get_customer(customer_id))
    return _address_response(billing)


@router.get(ADDRESS, response={200: AddressOut})
@requires("customers.view")
def get_address(request: HttpRequest, customer_id: UUID, address_id: UUID):
    return _address_response(_address(customer_id, address_id))


@router.patch(ADDRESS, response={200: AddressOut})
@checked_by_action("customers.edit")
def update_address(request: HttpRequest, customer_id: UUID, address_id: UUID, payload: AddressPatch,
                   if_match: IfMatch = None):
    address = actions.update_address(actor=actor_of(request), address=_address(customer_id, address_id),
                                     values=payload.model_dump(exclude_unset=True),
                                     expected_version=expected_version(if_match))
    return _address_response(address)


@router.delete(ADDRESS, response={204: None})
@checked_by_action("customers.edit")
def remove_address(request: HttpRequest, customer_id: UUID, address_id: UUID, if_match: IfMatch = None):
    actions.remove_address(actor=actor_of(request), address=_address(customer_id, address_id),
                           expected_version=expected_version(if_match))
    return no_content()
