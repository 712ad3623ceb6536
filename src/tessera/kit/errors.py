"""Coded domain errors.

Every anticipated failure is a ``DomainError`` with a stable ``code`` (for POS integrators and tests), an HTTP
status for the API mapper, and a message translated at the moment it is shown. Details are plain values that the
message may interpolate and the API returns as-is.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    message: ClassVar[str | Promise] = _("Request refused.")

    def __init__(self, **details: Any) -> None:
        super().__init__(self.code)
        self.details = details

    def text(self) -> str:
        """The message in the active language, with details filled in."""
        template = str(self.message)
        try:
            return template % self.details if self.details else template
        except (KeyError, ValueError, TypeError):
            return template

    def __str__(self) -> str:
        return f"{self.code}: {self.text()}"


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422


class Forbidden(DomainError):
    status = 403
