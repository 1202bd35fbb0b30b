"""Finding a customer (the one lookup the till, the API and the back office share) and the change
feed that keeps a till's offline copy current."""

from django.core import signing
from django.http import HttpRequest
from ninja import Query, Router

from patron.api.auth import requires
from patron.api.errors import ApiProblem
from patron.api.responses import respond
from patron.api.schemas.lookup import (
    ChangesPage,
    ChangesQuery,
    LookupPage,
    LookupQuery,
    TillCustomer,
)
from patron.core.replicas import reads_from_replica
from patron.lookup.feed import START, read_changes
from patron.lookup.queries import find_till_page, scope_for, till_records, typed_phone_region

router = Router(tags=["lookup"])
_FEED_SALT = "patron.api.changes"


@router.get("/lookup", response={200: LookupPage})
@requires("customers.view")
@reads_from_replica
def lookup(request: HttpRequest, query: Query[LookupQuery]):
    """Customers matching what was typed, best first, each saying what matched. With scope=till
    (the default) inactive and deleted customers and those not served at the token's store are
    left out."""
    at_till = query.scope == "till"
    hits, records = find_till_page(query.q, scope_for(store=request.auth.location if at_till else None,
                                                      include_inactive=not at_till, caller=request.auth.location),
                                   query.limit)
    return respond(LookupPage.model_validate({"items": [
        {"customer": TillCustomer.values_of(records[hit.customer_id]), "matched_on": hit.matched_on, "rank": hit.rank}
        for hit in hits if hit.customer_id in records]}))


@router.get("/changes", response={200: ChangesPage})
@requires("customers.view")
def changes(request: HttpRequest, query: Query[ChangesQuery]):
    """Customers created, changed, made unavailable or removed since the cursor, in commit order,
    as the token's store sees them. Follow next_cursor until has_more is false; apply "upsert"
    and "remove" in order, and the till holds exactly the customers it may serve."""
    page = read_changes(after=_position(query.after), store=request.auth.location, limit=query.limit)
    records = till_records([item.customer.pk for item in page.items if item.customer])
    items = [{"op": "upsert" if item.customer else "remove", "id": item.customer_uuid,
              "customer": TillCustomer.values_of(records[item.customer.pk]) if item.customer else None,
              "merged_into": item.merged_into}
             for item in page.items]
    cursor = signing.dumps(list(page.position), salt=_FEED_SALT)
    return respond(ChangesPage.model_validate({"items": items, "next_cursor": cursor, "has_more": page.has_more,
                                               "phone_region": typed_phone_region(request.auth.location)}))


def _position(cursor: str | None):
    if not cursor:
        return START
    try:
        transaction_id, line_id = signing.loads(cursor, salt=_FEED_SALT)
        return int(transaction_id), int(line_id)
    except (signing.BadSignature, ValueError, TypeError):
        raise ApiProblem("invalid-cursor", "This cursor is not one the feed gave out; start again without it.") \
            from None
