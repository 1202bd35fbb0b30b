"""Request and response bodies. Request schemas refuse unknown fields and NUL characters, and
give every string a maximum length, so the OpenAPI document states the same rules the API applies."""
