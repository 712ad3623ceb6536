"""Canonical fingerprints of request bodies, for idempotency and duplicate detection."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson


def fingerprint(*, operation: str, body: Any) -> str:
    """SHA-256 over the operation name and the body with sorted keys, so key order never matters."""
    canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.sha256(operation.encode() + b"\n" + canonical).hexdigest()
