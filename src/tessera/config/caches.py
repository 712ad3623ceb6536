"""The cache: each process's memory by default, Redis when a URL is set, so that what one web or worker process
computed (a programme's lifetime-value fit, affinities) serves the others (docs/scaling.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def cache_settings(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """``CACHES`` for ``environ``: ``CACHE_REDIS_URL`` (or ``REDIS_URL``) selects Redis, else local memory."""
    url = environ.get("CACHE_REDIS_URL") or environ.get("REDIS_URL")
    if url:
        # A short key prefix keeps Tessera's keys apart from huey's when both share one Redis database.
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                            "KEY_PREFIX": "tessera"}}  # fmt: skip
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tessera"}}
