"""The API object: routers, authentication, body parsing, error handling and documentation."""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from patron.api import (
    addresses,
    catalog,
    channels,
    consent,
    contacts,
    credit,
    customers,
    duplicates,
    exports,
    locations,
    lookup,
    loyalty,
    merges,
    messages,
    orders,
    photos,
    privacy,
    purchases,
    sales,
    segments,
    terms,
    webhooks,
)
from patron.api.auth import bearer_token, docs_access
from patron.api.errors import (
    ApiProblem,
    install_error_handlers,
    method_not_allowed,
    not_found,
    render_domain_error,
    render_problem,
)
from patron.api.openapi import add_problem_responses
from patron.api.parser import JsonParser, check_body
from patron.core.errors import DomainError

DESCRIPTION = """Customer records, sales, credit accounts and loyalty points for POS terminals and webshops.

Authenticate with `Authorization: Bearer <token>` (tokens are created by an admin in the back
office). Errors are `application/problem+json`. Lists use cursor pagination. GET returns an
`ETag`; PATCH and DELETE need `If-Match`. POST accepts an `Idempotency-Key`, and requires one
when it moves money (sales, credit entries, points). Money is a decimal string ("12.50"), never a
JSON number. docs/api.md in the source explains each rule."""


class PatronAPI(NinjaAPI):
    @property
    def urls(self):
        """ninja's routes, made to answer unknown methods and addresses with problem documents too,
        and to see a body's size (and a chunked body) before any endpoint reads it."""
        patterns, app_name, namespace = super().urls
        guarded = [URLPattern(route.pattern, _problem_errors(route.callback), route.default_args, route.name)
                   for route in patterns]
        return [*guarded, re_path(r"", unknown_address)], app_name, namespace

    def get_openapi_schema(self, **kwargs):
        return add_problem_responses(super().get_openapi_schema(**kwargs))

    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__


def _problem_errors(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        try:
            check_body(request)
        except ApiProblem as problem:
            return render_problem(problem)
        except DomainError as error:
            return render_domain_error(error)
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found()
        if isinstance(response, HttpResponseNotAllowed):
            return method_not_allowed(response["Allow"])
        return response

    return guarded


@csrf_exempt
def unknown_address(request, *args, **kwargs):
    return not_found()


api = PatronAPI(
    title="Patron API", version="1", description=DESCRIPTION, urls_namespace="api-v1",
    auth=bearer_token, parser=JsonParser(), docs_decorator=docs_access,
)
install_error_handlers(api)
# The lookup first: a till calls it on every keystroke, and addresses are matched in this order
# (merges before customers: POST /customers/merge is not a customer's address).
for module in (lookup, merges, customers, contacts, addresses, messages, photos, locations, catalog, terms, sales,
               purchases, orders, credit, loyalty, exports):
    api.add_router("", module.router)
api.add_router("", consent.router)  # marketing consent per customer
api.add_router("", segments.router)
api.add_router("", channels.router)  # webshop deliveries: signed by the channel, no bearer token
api.add_router("", privacy.router)  # subject-access export and erasure
api.add_router("", duplicates.router)  # the check before creating, and the review queue
api.add_router("", webhooks.router)  # subscriptions to events out, and their delivery log
