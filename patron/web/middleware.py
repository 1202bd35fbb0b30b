"""The language of a request: the staff user's choice, else the browser's (Django's
LocaleMiddleware, which runs first), and always the source language for the API."""

from __future__ import annotations

from django.utils import translation

API_PREFIX = "/api/"
SOURCE_LANGUAGE = "en"  # the language the strings are written in (msgids)


class UserLanguageMiddleware:
    """Runs after authentication. The API is locale-free: its messages, like its decimal strings
    and RFC 3339 dates, do not change with Accept-Language, so clients can rely on them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            language = SOURCE_LANGUAGE
        else:
            language = getattr(getattr(request, "user", None), "language", "") or ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
