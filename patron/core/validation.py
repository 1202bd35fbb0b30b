"""Collecting field errors so a form or API body gets every problem at once, not one per try."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from patron.core.errors import ValidationFailed
from patron.core.normalize import InvalidValue


class FieldErrors:
    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def clean(self, field: str, function: Callable[..., Any], *args, **kwargs) -> Any:
        """Run a normaliser; on ``InvalidValue`` note the message under ``field`` and return None."""
        try:
            return function(*args, **kwargs)
        except InvalidValue as error:
            self.add(field, str(error))
            return None

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed.from_errors(self.errors)
