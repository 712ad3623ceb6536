"""The cache setting: local memory by default, Redis from a URL, shared between processes."""

from __future__ import annotations

import uuid

import numpy as np
from django.core.cache.backends.redis import RedisCache

from tessera.config.caches import cache_settings
from tessera.testing import redis_test_url


def test_without_a_url_each_process_keeps_its_own():
    assert cache_settings({})["default"]["BACKEND"].endswith("LocMemCache")


def test_a_redis_url_selects_redis_and_cache_redis_url_wins():
    assert cache_settings({"REDIS_URL": "redis://a:6379/1"})["default"]["LOCATION"] == "redis://a:6379/1"
    both = cache_settings({"REDIS_URL": "redis://a:6379/1", "CACHE_REDIS_URL": "redis://b:6380/2"})["default"]
    assert both["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert both["LOCATION"] == "redis://b:6380/2"


def test_redis_keeps_what_one_process_computed_for_another():
    options = cache_settings({"CACHE_REDIS_URL": redis_test_url()})["default"]
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
