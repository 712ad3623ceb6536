"""The cache setting: local memory by default, Redis from a URL, shared between processes."""

from __future__ import annotations

import os
import uuid

import numpy as np
import pytest
from django.core.cache.backends.redis import RedisCache

from tessera.config.caches import cache_settings

REDIS_TEST_URL = os.environ.get("TESSERA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_without_a_url_each_process_keeps_its_own():
    assert cache_settings({})["default"]["BACKEND"].endswith("LocMemCache")


def test_a_redis_url_selects_redis_and_cache_redis_url_wins():
    assert cache_settings({"REDIS_URL": "redis://a:6379/1"})["default"]["LOCATION"] == "redis://a:6379/1"
    both = cache_settings({"REDIS_URL": "redis://a:6379/1", "CACHE_REDIS_URL": "redis://b:6380/2"})["default"]
    assert both["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert both["LOCATION"] == "redis://b:6380/2"


def test_redis_keeps_what_one_process_computed_for_another():
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but Redis does not answer at {REDIS_TEST_URL}: {exc}")
        pytest.skip(f"Redis does not answer at {REDIS_TEST_URL} (set TESSERA_TEST_REDIS_URL): {exc}")
    options = cache_settings({"CACHE_REDIS_URL": REDIS_TEST_URL})["default"]
    writer = RedisCache(options["LOCATION"], {"KEY_PREFIX": options["KEY_PREFIX"]})
    reader = RedisCache(options["LOCATION"], {"KEY_PREFIX": options["KEY_PREFIX"]})
    key = f"test:{uuid.uuid4().hex}"
    value = {"fit": np.arange(5, dtype=np.float64), "reason": ""}
    writer.set(key, value, 30)
    try:
        found = reader.get(key)
        assert found["reason"] == ""
        np.testing.assert_array_equal(found["fit"], value["fit"])
    finally:
        writer.delete(key)
