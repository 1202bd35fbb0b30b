"""Domain errors: raised by actions, mapped once per interface (API: problem+json; web: form errors).

Each error carries a stable ``code`` (part of the API contract) and, where it concerns one input
field, the field's name so interfaces can show it next to that field.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a business rule raises."""

    status = 400
    code = "domain-error"
    title = "Request could not be processed"
    extra: dict | None = None  # further members of the API's problem document (JSON-safe)

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        # Several field errors at once: {"field": ["message", ...]}; "" is the whole object.
        self.errors = errors if errors is not None else ({field or "": [message]})

    def __reduce__(self):
        """Pickled whole, code and fields too (an import's checking workers send errors back)."""
        return _restored, (type(self), self.__dict__)


def _restored(cls: type[DomainError], state: dict) -> DomainError:
    error = cls.__new__(cls)
    Exception.__init__(error, state["message"])
    error.__dict__.update(state)
    return error


class ValidationFailed(DomainError):
    """Input that breaks a rule of one or more fields."""

    status = 422
    code = "validation-failed"
    title = "Invalid input"

    @classmethod
    def from_errors(cls, errors: dict[str, list[str]]) -> ValidationFailed:
        first_field, messages = next(iter(errors.items()))
        field = first_field or None
        return cls(messages[0], field=field, errors=errors)


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(DomainError):
    """The request clashes with the current state (e.g. a unique value already in use)."""

    status = 409
    code = "conflict"
    title = "Conflict"


class StaleVersion(DomainError):
    """The record changed since the caller read it (optimistic concurrency)."""

    status = 412
    code = "stale-version"
    title = "The record was changed by someone else"


class RuleViolation(DomainError):
    """A business rule forbids this action in the current state (e.g. deleting a customer with history)."""

    status = 409
    code = "rule-violation"
    title = "Not allowed in the current state"


class PermissionDenied(DomainError):
    status = 403
    code = "permission-denied"
    title = "Permission denied"


class TooLarge(DomainError):
    """An upload over its size limit."""

    status = 413
    code = "too-large"
    title = "Upload too large"


class Refused(DomainError):
    """A well-formed request that a business rule refuses, e.g. a charge over the credit limit."""

    status = 422
    code = "refused"
    title = "Refused"
