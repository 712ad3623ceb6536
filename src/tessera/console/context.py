from __future__ import annotations

from django.http import HttpRequest


def console_context(request: HttpRequest) -> dict[str, object]:
    return {}
