"""Settings for the test suite: the normal settings, pointed at the test database of the current pass.

``make test`` runs the suite twice: on SQLite, then with ``TESSERA_TEST_DB=postgres``. For that pass the
server is ``TESSERA_TEST_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``), or, where
none answers and the PostgreSQL programs are installed, a throwaway cluster this process starts. With
``CI=true`` a missing server is an error (the root conftest fails the run); elsewhere the tests are skipped with
the reason in ``TESSERA_TEST_PG_UNAVAILABLE``.
"""

from __future__ import annotations

import atexit
import os
import tempfile

import dj_database_url

from tessera.config.settings import *  # noqa: F403
from tessera.config.settings import DATABASES
from tessera.devtools import pgcluster

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never used outside tests
# Each test process its own cache, whatever REDIS_URL says: keys name programme ids, which every worker's
# database reuses (config/tests/test_caches.py tries Redis on its own).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tessera-tests"}}
TESSERA_TEST_DB = os.environ.get("TESSERA_TEST_DB", "sqlite")
TESSERA_TEST_PG_UNAVAILABLE = ""


def _postgres_url() -> str:
    global TESSERA_TEST_PG_UNAVAILABLE
    url = os.environ.get("TESSERA_TEST_DATABASE_URL", pgcluster.DEFAULT_URL)
    if pgcluster.server_reachable(url):
        return url
    if os.environ.get("CI", "").lower() != "true" and pgcluster.pg_bindir() is not None:
        try:
            cluster = pgcluster.cluster_start(settings={"fsync": "off", "synchronous_commit": "off"})
        except Exception as exc:
            TESSERA_TEST_PG_UNAVAILABLE = f"no PostgreSQL at {url} and a throwaway cluster failed to start: {exc}"
            return ""
        atexit.register(cluster.stop)
        return cluster.url
    TESSERA_TEST_PG_UNAVAILABLE = f"no PostgreSQL server answers at {url}"
    return ""


if TESSERA_TEST_DB == "postgres" and (_url := _postgres_url()):
    DATABASES = {"default": dj_database_url.parse(_url)}
    DATABASES["default"]["TEST"] = {"NAME": f"test_tessera_{os.getpid()}"}
else:
    # A file, not Django's in-memory default, so that threads in concurrency tests share one database and
    # SQLite's busy timeout applies between their connections.
    _file = os.path.join(tempfile.gettempdir(), f"tessera-test-{os.getpid()}.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": _file}
