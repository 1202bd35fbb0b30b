"""Settings of the server ``make bench-lookup`` starts: Patron's, with the URLs of
``bench.lookup_urls`` (Patron's own plus the trivial endpoint the lookup is measured against).

    DJANGO_SETTINGS_MODULE=bench.lookup_site patron serve ...
"""

from patron.settings import *  # noqa: F403 (Patron's settings, one changed below)

ROOT_URLCONF = "bench.lookup_urls"
