"""HTTP plumbing shared by every area's API: JSON responses and the error body."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse

from tessera.kit.errors import DomainError
from tessera.kit.outcome import Outcome


def json_response(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    # Sorted keys: a replay read back from a jsonb column (which reorders keys) is byte-identical to the original.
    response = HttpResponse(
        orjson.dumps(body, option=orjson.OPT_SORT_KEYS), status=status, content_type="application/json"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def outcome_response(outcome: Outcome, *, status: int = 201) -> HttpResponse:
    """A write's answer; a replay carries the same status and body, and says it is a replay."""
    return json_response(
        outcome.body, status=status, headers={"Idempotent-Replayed": "true"} if outcome.replayed else None
    )


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def domain_error_response(exc: DomainError) -> HttpResponse:
    return json_response(error_body(exc.code, exc.text(), _plain(exc.details)), status=exc.status)


_SCALARS = (int, str, bool, type(None))


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe details: scalars and lists of scalars as they are (a file's problems, one per row), else text."""
    return {
        k: v if isinstance(v, _SCALARS) or (isinstance(v, list) and all(isinstance(x, _SCALARS) for x in v)) else str(v)
        for k, v in details.items()
    }
