"""WSGI entry point. POS API requests get a handler with a short middleware list; everything else the full one.

A Bearer-key API call uses none of sessions, CSRF, messages, authentication or the console's store and idle
middleware, and on the busiest path those cost more CPU than a database round trip.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.config.settings")

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

django.setup(set_prefix=False)


class ApiWSGIHandler(WSGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


_site = WSGIHandler()
_api = ApiWSGIHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    handler = _api if environ.get("PATH_INFO", "").startswith("/api/") else _site
    return handler(environ, start_response)
