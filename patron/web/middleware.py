"""The language of a request: the staff user's choice, else the browser's Accept-Language, else
settings.LANGUAGE_CODE; always the source language for the API. The time zone of a back-office
request: the staff user's store's. And the back office's refusal of request bodies without a length."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

from patron.core.bodies import is_chunked
from patron.locations.models import Location

API_PREFIX = "/api/"
SOURCE_LANGUAGE = "en"  # the language the strings are written in (msgids)


class LanguageMiddleware:
    """Runs after authentication (it reads the user's choice), in place of Django's
    LocaleMiddleware. The API is locale-free: its messages, like its decimal strings and RFC 3339
    times, do not change with Accept-Language, and its requests skip the header's parsing. The
    language is put back after the response, so nothing outside a request inherits it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            with translation.override(SOURCE_LANGUAGE):
                return self.get_response(request)
        user = getattr(request, "user", None)
        chosen = user.language if user is not None and user.is_authenticated else ""
        language = chosen or translation.get_language_from_request(request)
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class StoreTimeZoneMiddleware:
    """Times on back-office pages are shown in the time zone of the store the staff user works at
    (its own, else inherited from the location above it: ``Location.effective_time_zone``), else
    settings.TIME_ZONE. The API stays in UTC (RFC 3339). Runs after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.path.startswith(API_PREFIX) or user is None or not user.is_authenticated or not user.location_id:
            return self.get_response(request)
        zone = Location.objects.filter(pk=user.location_id).values_list("effective_time_zone", flat=True).first()
        if not zone:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)


class RequestBodyMiddleware:
    """Browsers send forms with a length. Django reads a body of CONTENT_LENGTH bytes, so a chunked
    one (no length) would reach a view as an empty form: it is refused with 411 instead. (The API
    reads chunked bodies: ``api.parser.check_body``. A multipart body Django cannot take apart is
    already Django's 400 page.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_chunked(request) and not request.path.startswith(API_PREFIX):
            return HttpResponse(gettext("Send the form again: the request had no length."), status=411,
                                content_type="text/plain; charset=utf-8")
        return self.get_response(request)
