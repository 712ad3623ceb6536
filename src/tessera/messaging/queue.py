"""The one huey instance: SQLite storage beside the database by default, Redis when a URL is given.

``HUEY_REDIS_URL`` (or ``REDIS_URL``) selects Redis, for production and for more than one worker host.
Otherwise huey keeps its queue in ``tessera-huey.sqlite3`` under ``TESSERA_HOME`` (the working directory by
default, like the SQLite database), or in ``HUEY_SQLITE_PATH``. ``HUEY_NAME`` separates installations that
share one Redis. Under the test settings huey runs in immediate mode: a task runs at once, in the caller.

The queue holds only tasks, never the source of truth: the outbox rows and job runs live in the database, so
losing the queue loses nothing that the next periodic tick does not pick up again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from huey import Huey, RedisHuey, SqliteHuey

SQLITE_FILE = "tessera-huey.sqlite3"


def redis_url() -> str | None:
    return os.environ.get("HUEY_REDIS_URL") or os.environ.get("REDIS_URL") or None


def immediate_mode() -> bool:
    """Whether tasks run in the caller: ``HUEY_IMMEDIATE`` (setting, then environment); on under test settings."""
    value = getattr(settings, "HUEY_IMMEDIATE", None)
    if value is None and (raw := os.environ.get("HUEY_IMMEDIATE")) is not None:
        value = raw.strip().lower() in {"1", "true", "yes", "on"}
    if value is None:
        # The test settings define TESSERA_TEST_DB; a test must never write to a queue file in the checkout.
        value = hasattr(settings, "TESSERA_TEST_DB")
    return bool(value)


def huey_build(*, immediate: bool | None = None) -> Huey:
    """A huey instance for the current environment (see the module docstring)."""
    name = os.environ.get("HUEY_NAME", "tessera")
    now_immediate = immediate_mode() if immediate is None else immediate
    # utc=True: huey's scheduler compares in UTC; programme-local times are worked out by the jobs themselves.
    options: dict[str, Any] = {"immediate": now_immediate, "utc": True, "results": False}
    if url := redis_url():
        return RedisHuey(name, url=url, **options)
    path = os.environ.get("HUEY_SQLITE_PATH") or str(Path(settings.WORK_DIR) / SQLITE_FILE)
    return SqliteHuey(name, filename=path, **options)


huey = huey_build()


@huey.pre_execute()
def _connections_fresh(task: Any) -> None:
    # A worker thread keeps its database connection between tasks; drop it if it broke or outlived
    # CONN_MAX_AGE, as Django does between requests. In immediate mode the caller owns the connection.
    if not huey.immediate:
        close_old_connections()


@huey.post_execute()
def _connections_tidy(task: Any, task_value: Any, exc: BaseException | None) -> None:
    if not huey.immediate:
        close_old_connections()
