"""The language of a request: the staff user's choice, else the browser's Accept-Language, else
settings.LANGUAGE_CODE; always the source language for the API."""

from __future__ import annotations

from django.utils import translation
from django.utils.cache import patch_vary_headers

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
