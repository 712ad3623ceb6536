"""Find a PostgreSQL server for tests and benchmarks, or start a throwaway cluster.

The server programs (initdb, pg_ctl, pgbench) are not on PATH on Debian: ``pg_config --bindir`` names their
folder. PostgreSQL refuses to run as root, so when this process is root the cluster is created and started as
the ``postgres`` user, in a directory that user owns.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def pg_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
    path = Path(out.stdout.strip())
    return path if out.returncode == 0 and (path / "initdb").exists() else None


def pg_tool(name: str) -> str:
    """Path of a PostgreSQL program such as ``pgbench``; raises if it is nowhere to be found."""
    bindir = pg_bindir()
    if bindir is not None and (bindir / name).exists():
        return str(bindir / name)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found on PATH or in `pg_config --bindir`")
    return found


def server_reachable(url: str, timeout: float = 2.0) -> bool:
    """True when something accepts connections and answers as PostgreSQL with these credentials."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=int(max(timeout, 1))) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def url_with_database(url: str, database: str) -> str:
    parsed = urlparse(url)
    return parsed._replace(path=f"/{database}").geturl()


@dataclass
class Cluster:
    """A throwaway cluster started by this process; ``stop()`` removes it."""

    datadir: Path
    port: int
    socket_dir: Path
    run_as: str | None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        _run([pg_tool("pg_ctl"), "-D", str(self.datadir), "-m", "fast", "stop"], self.run_as, check=False)
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cluster_start(*, port: int | None = None, settings: dict[str, str] | None = None) -> Cluster:
    """initdb and start a fresh cluster on 127.0.0.1 with trust auth for ``postgres``."""
    run_as = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="tessera-pg-"))
    datadir, socket_dir = root / "data", root / "sock"
    socket_dir.mkdir()
    if run_as:
        user = pwd.getpwnam(run_as)
        for path in (root, socket_dir):
            os.chown(path, user.pw_uid, user.pw_gid)
    _run([pg_tool("initdb"), "-D", str(datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], run_as)
    port = port or free_port()
    options = f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1"
    for key, value in (settings or {}).items():
        options += f" -c {key}={value}"
    _run([pg_tool("pg_ctl"), "-D", str(datadir), "-o", options, "-l", str(root / "log"), "-w", "start"], run_as)
    cluster = Cluster(datadir=datadir, port=port, socket_dir=socket_dir, run_as=run_as)
    _wait_until_reachable(cluster.url)
    return cluster


def _wait_until_reachable(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not server_reachable(url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL at {url} did not come up")
        time.sleep(0.2)


def _run(cmd: list[str], run_as: str | None, check: bool = True) -> subprocess.CompletedProcess[str]:
    if run_as:
        cmd = ["runuser", "-u", run_as, "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, check=check, cwd="/")
