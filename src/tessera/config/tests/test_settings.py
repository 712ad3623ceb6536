from __future__ import annotations

import importlib
import sys


def load_settings(monkeypatch, url: str):
    monkeypatch.setenv("DATABASE_URL", url)
    sys.modules.pop("tessera.config.settings", None)
    try:
        return importlib.import_module("tessera.config.settings")
    finally:
        sys.modules.pop("tessera.config.settings", None)


def test_postgres_connections_are_kept_between_requests(monkeypatch, tmp_path):
    monkeypatch.setenv("TESSERA_HOME", str(tmp_path))
    settings = load_settings(monkeypatch, "postgresql://u@db.example:5432/tessera")
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 600
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    # Hot statements are prepared on the server once a connection has used them five times.
    assert settings.DATABASES["default"]["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}


def test_sqlite_takes_the_write_lock_at_begin(monkeypatch, tmp_path):
    monkeypatch.setenv("TESSERA_HOME", str(tmp_path))
    settings = load_settings(monkeypatch, f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
