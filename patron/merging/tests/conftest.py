"""The API tests' clients, for the merge's API tests."""

from patron.api.tests.conftest import anonymous, api, api_as, credit_on  # noqa: F401
