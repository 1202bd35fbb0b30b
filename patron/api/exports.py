"""Exports of the customer list, in the formats of patron.transfer.exports, with the list's filters."""

from django.http import HttpRequest
from ninja import Field, Query, Router

from patron.api.auth import actor_of, requires
from patron.api.customers import customer_filter
from patron.api.schemas.customers import CustomerQuery
from patron.core.replicas import reads_from_replica
from patron.transfer.exports import FORMATS, customers_matching, download, export_customers

router = Router(tags=["exports"])


class ExportQuery(CustomerQuery):
    format: str = Field("csv", pattern="^(" + "|".join(FORMATS) + ")$",
                        description="csv, xlsx, vcf (vCard 4.0) or json")


def _file_schema(media_type: str) -> dict:
    # The JSON export is a document like any other answer (an array of customers); the rest are files.
    if media_type == "application/json":
        return {"type": "array", "items": {"type": "object"}}
    return {"type": "string", "format": "binary"}


@router.get("/exports/customers", openapi_extra={"responses": {200: {
    "description": "The customers, streamed; text cells that a spreadsheet would run as a formula begin "
                   "with an apostrophe (CSV) or are typed as text (XLSX).",
    "content": {media_type: {"schema": _file_schema(media_type)}
                for media_type in (export.media_type.split(";")[0] for export in FORMATS.values())}}}})
@requires("customers.export")
@reads_from_replica
def export_customer_list(request: HttpRequest, filters: Query[ExportQuery]):
    """Every customer of the list with these filters (the same as GET /customers), in order of
    creation, as a file download."""
    return download(export_customers(actor=actor_of(request), customers=customers_matching(
        customer_filter(filters)), format_key=filters.format), filters.format)
