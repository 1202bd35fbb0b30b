"""A customer's contacts (people tied to it) and a company's representatives (persons who are
customers of their own)."""

from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router

from patron.api.auth import actor_of, checked_by_action, requires
from patron.api.customers import CUSTOMER, customer_values
from patron.api.errors import fields_renamed
from patron.api.etag import IfMatch, expected_version
from patron.api.idempotency import idempotent
from patron.api.pagination import PageParams, page_of, paginated_response
from patron.api.responses import no_content, respond
from patron.api.schemas.contacts import ContactFields, ContactOut, RepresentativeIn, RepresentativeOut
from patron.core.errors import NotFound, ValidationFailed
from patron.customers import actions, queries
from patron.customers.models import Contact, Customer, Representation

router = Router(tags=["contacts and representatives"])
CONTACT = CUSTOMER + "/contacts/{uuid:contact_id}"


def _contact(customer_id: UUID, contact_id: UUID) -> Contact:
    contact = Contact.objects.filter(customer__uuid=customer_id, uuid=contact_id).first()
    if contact is None:
        raise NotFound("This customer has no such contact.", code="contact-not-found")
    return contact


def _contact_response(contact: Contact, *, status: int = 200):
    location = None
    if status == 201:
        location = reverse("api-v1:get_contact", kwargs={"customer_id": contact.customer.uuid,
                                                         "contact_id": contact.uuid})
    return respond(ContactOut.of(contact), status=status, version=contact.version, location=location)


@router.get(CUSTOMER + "/contacts", response={200: page_of(ContactOut)})
@requires("customers.view")
def list_contacts(request: HttpRequest, customer_id: UUID, page: Query[PageParams]):
    """Active contacts first, then by name."""
    customer = queries.get_customer(customer_id)
    return paginated_response(customer.contacts.all(), page, item=ContactOut,
                              ordering=("-is_active", "last_name", "first_name", "id"))


@router.post(CUSTOMER + "/contacts", response={201: ContactOut})
@checked_by_action("customers.edit")
@idempotent()
def add_contact(request: HttpRequest, customer_id: UUID, payload: ContactFields):
    customer = queries.get_customer(customer_id)
    contact = actions.add_contact(actor=actor_of(request), customer=customer,
                                  values=payload.model_dump(exclude_unset=True))
    return _contact_response(contact, status=201)


@router.get(CONTACT, response={200: ContactOut})
@requires("customers.view")
def get_contact(request: HttpRequest, customer_id: UUID, contact_id: UUID):
    return _contact_response(_contact(customer_id, contact_id))


@router.patch(CONTACT, response={200: ContactOut})
@checked_by_action("customers.edit")
def update_contact(request: HttpRequest, customer_id: UUID, contact_id: UUID, payload: ContactFields,
                   if_match: IfMatch = None):
    contact = actions.update_contact(actor=actor_of(request), contact=_contact(customer_id, contact_id),
                                     values=payload.model_dump(exclude_unset=True),
                                     expected_version=expected_version(if_match))
    return _contact_response(contact)


@router.delete(CONTACT, response={204: None})
@checked_by_action("customers.edit")
def remove_contact(request: HttpRequest, customer_id: UUID, contact_id: UUID, if_match: IfMatch = None):
    """Remove a contact entered by mistake; set is_active false for people who moved on."""
    actions.remove_contact(actor=actor_of(request), contact=_contact(customer_id, contact_id),
                           expected_version=expected_version(if_match))
    return no_content()


@router.get(CUSTOMER + "/representatives", response={200: page_of(RepresentativeOut)})
@requires("customers.view")
def list_representatives(request: HttpRequest, customer_id: UUID, page: Query[PageParams]):
    """The persons who represent this company."""
    company = queries.get_customer(customer_id)
    links = Representation.objects.filter(company=company).select_related("person")
    return paginated_response(links, page, ordering=("created_at", "id"), item=RepresentativeOut)


@router.post(CUSTOMER + "/representatives", response={201: RepresentativeOut})
@checked_by_action("customers.create")
@idempotent()
def add_representative(request: HttpRequest, customer_id: UUID, payload: RepresentativeIn):
    """Link an existing person (``person_id``), or create a new person customer (``person``) and link
    it; linking an existing person needs customers.edit, creating one customers.create."""
    company = queries.get_customer(customer_id)
    if payload.person_id is not None:
        link = _link_existing(request, company, payload)
    else:
        with fields_renamed(lambda field: f"person.{field}"):
            link = actions.add_representative(actor=actor_of(request), company=company, role=payload.role,
                                              person_values=customer_values(payload.person))
    location = reverse("api-v1:get_customer", kwargs={"customer_id": link.person.uuid})
    return respond(RepresentativeOut.of(link), status=201, location=location)


def _link_existing(request: HttpRequest, company: Customer, payload: RepresentativeIn) -> Representation:
    try:
        person = queries.get_customer(payload.person_id)
    except NotFound:
        raise ValidationFailed("No customer has this id.", field="person_id") from None
    with fields_renamed(lambda field: "person_id" if field == "person" else field):
        return actions.link_representative(actor=actor_of(request), company=company, person=person,
                                           role=payload.role)


@router.delete(CUSTOMER + "/representatives/{uuid:person_id}", response={204: None})
@checked_by_action("customers.edit")
def remove_representative(request: HttpRequest, customer_id: UUID, person_id: UUID, if_match: IfMatch = None):
    """End the link (If-Match: the company's ETag); both customers stay."""
    company, person = queries.get_customer(customer_id), queries.get_customer(person_id)
    actions.unlink_representative(actor=actor_of(request), company=company, person=person,
                                  expected_version=expected_version(if_match))
    return no_content()
