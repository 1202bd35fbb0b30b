"""The valid values integrators need: price levels, tags and custom field definitions."""

from django.http import HttpRequest
from ninja import Query, Router

from patron.api.auth import requires
from patron.api.pagination import PageParams, page_of, paginated_response
from patron.api.schemas.catalog import CustomFieldOut, PriceLevelOut, TagOut
from patron.customers.models import CustomFieldDefinition, PriceLevel, Tag

router = Router(tags=["settings"])


@router.get("/price-levels", response={200: page_of(PriceLevelOut)})
@requires("customers.view")
def list_price_levels(request: HttpRequest, page: Query[PageParams]):
    levels = PriceLevel.objects.all()
    return paginated_response(levels, page, ordering=("position", "code", "id"), item=PriceLevelOut)


@router.get("/tags", response={200: page_of(TagOut)})
@requires("customers.view")
def list_tags(request: HttpRequest, page: Query[PageParams]):
    return paginated_response(Tag.objects.all(), page, ordering=("name", "id"), item=TagOut)


@router.get("/custom-fields", response={200: page_of(CustomFieldOut)})
@requires("customers.view")
def list_custom_fields(request: HttpRequest, page: Query[PageParams]):
    """The custom fields in use; a customer's ``custom_fields`` takes values by these keys."""
    definitions = CustomFieldDefinition.objects.filter(is_active=True)
    return paginated_response(definitions, page, ordering=("position", "label", "id"), item=CustomFieldOut)
