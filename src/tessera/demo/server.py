"""Running Tessera under gunicorn in the foreground, for ``tessera serve`` and ``tessera demo``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import connection, connections

WSGI_APP = "tessera.config.wsgi:application"


def workers_default() -> int:
    """Processes to start: SQLite lets one writer in at a time, so a process per core is plenty; PostgreSQL
    follows gunicorn's (2 x cores) + 1, capped so a laptop is not swamped."""
    cores = os.cpu_count() or 1
    if connection.vendor == "sqlite":
        return max(2, cores)
    return min(2 * cores + 1, 9)


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_argv(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    """The gunicorn command line: gthread workers, so a slow client ties up one thread, not a whole process."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        WSGI_APP,
        f"--bind={bind_address(host, port)}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        "--timeout=60",
        "--graceful-timeout=10",
        "--error-logfile=-",
        "--log-level=warning",
    ]


def urls_text(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104 (we only compare)
    base = f"http://{bind_address(shown, port)}"
    lines = [
        f"Tessera is running at {base}/",
        f"  staff console   {base}/",
        f"  API docs        {base}/api/docs",
        f"  Django admin    {base}/admin/   (create a platform admin with: tessera createadmin)",
        "Press Ctrl+C to stop.",
    ]
    if host not in {"127.0.0.1", "localhost", "::1"}:
        lines.insert(
            1, f"  Listening on {host}: set ALLOWED_HOSTS to the host name clients use (now {settings.ALLOWED_HOSTS})."
        )
    return "\n".join(lines)


def serve_exec(*, host: str, port: int, workers: int, threads: int, flush: Callable[[], None]) -> None:
    """Replace this process with gunicorn, so Ctrl+C and SIGTERM reach the server directly. Does not return."""
    argv = gunicorn_argv(host=host, port=port, workers=workers, threads=threads)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)}
    flush()
    process_replace(argv, env)


def process_replace(argv: list[str], env: dict[str, str]) -> None:
    # Gunicorn forks its workers; no database connection of this process may be inherited by them.
    connections.close_all()
    os.execve(argv[0], argv, env)  # noqa: S606 (our own interpreter, fixed arguments)
