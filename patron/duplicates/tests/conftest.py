from patron.channels.tests.conftest import shop  # noqa: F401  (a webshop channel for the door tests)
