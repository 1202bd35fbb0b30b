"""Exit 0 when the PostgreSQL server of the given URL accepts connections (used by make test)."""

import sys

import psycopg

url = sys.argv[1].replace("postgres://", "postgresql://", 1)
try:
    with psycopg.connect(url, connect_timeout=3) as connection:
        connection.execute("SELECT 1")
except Exception as error:  # any failure means "not reachable"
    print(f"PostgreSQL: {error}".strip(), file=sys.stderr)
    sys.exit(1)
