"""``tessera serve`` and ``tessera createadmin``."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tessera.access.models import StaffUser
from tessera.demo import server
from tessera.demo.management.commands.createadmin import PASSWORD_ENV

GOOD_PASSWORD = "violet-harbour-lantern-42"


class _Exec:
    """Stands in for the exec into gunicorn, which would replace the test process."""

    def __init__(self) -> None:
        self.argv: list[str] = []
        self.env: dict[str, str] = {}

    def __call__(self, argv: list[str], env: dict[str, str]) -> None:
        self.argv, self.env = argv, env


@pytest.fixture
def fake_exec(monkeypatch: pytest.MonkeyPatch) -> _Exec:
    fake = _Exec()
    monkeypatch.setattr(server, "process_replace", fake)
    return fake


class TestServe:
    def test_runs_gunicorn_in_the_foreground_with_the_wsgi_app(self, db: Any, fake_exec: _Exec) -> None:
        out = StringIO()
        call_command("serve", "--port", "8123", "--workers", "3", stdout=out)
        assert fake_exec.argv[1:4] == ["-m", "gunicorn", "tessera.config.wsgi:application"]
        assert "--bind=127.0.0.1:8123" in fake_exec.argv
        assert "--workers=3" in fake_exec.argv
        assert "--worker-class=gthread" in fake_exec.argv
        assert fake_exec.env["DJANGO_SETTINGS_MODULE"]
        text = out.getvalue()
        assert "http://127.0.0.1:8123/" in text
        assert "http://127.0.0.1:8123/api/docs" in text
        assert "http://127.0.0.1:8123/admin/" in text

    def test_ipv6_hosts_are_bracketed(self) -> None:
        assert server.bind_address("::1", 8000) == "[::1]:8000"

    def test_refuses_a_bad_port(self, db: Any, fake_exec: _Exec) -> None:
        with pytest.raises(CommandError):
            call_command("serve", "--port", "0", stdout=StringIO())
        assert fake_exec.argv == []

    def test_demo_serves_after_loading_unless_told_not_to(self, db: Any, fake_exec: _Exec, tmp_path: Any) -> None:
        keys = str(tmp_path / "keys")
        end = "2025-06-30T12:00:00+00:00"
        call_command("demo", "--members", "4", "--end", end, "--keys-file", keys, stdout=StringIO())
        assert "--bind=127.0.0.1:8000" in fake_exec.argv


class TestCreateAdmin:
    def test_creates_a_platform_superuser_from_the_environment(self, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(PASSWORD_ENV, GOOD_PASSWORD)
        call_command("createadmin", "--username", "root", "--email", "ops@example.com", stdout=StringIO())
        user = StaffUser.objects.get(username="root")
        assert user.is_superuser
        assert user.is_staff
        assert user.merchant_id is None
        assert user.check_password(GOOD_PASSWORD)
        assert user.scope().is_platform_admin

    @pytest.mark.parametrize("weak", ["short-pw", "123456789012345", "password1234", "rootroot-root"])
    def test_refuses_a_password_the_validators_reject(
        self, db: Any, monkeypatch: pytest.MonkeyPatch, weak: str
    ) -> None:
        monkeypatch.setenv(PASSWORD_ENV, weak)
        with pytest.raises(CommandError, match="not accepted"):
            call_command("createadmin", "--username", "rootroot", stdout=StringIO())
        assert not StaffUser.objects.filter(username="rootroot").exists()

    def test_refuses_an_existing_username(self, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(PASSWORD_ENV, GOOD_PASSWORD)
        call_command("createadmin", stdout=StringIO())
        with pytest.raises(CommandError, match="already exists"):
            call_command("createadmin", stdout=StringIO())

    def test_without_a_terminal_or_the_variable_it_says_what_to_set(
        self, db: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv(PASSWORD_ENV, raising=False)
        monkeypatch.setattr("sys.stdin", StringIO())
        with pytest.raises(CommandError, match=PASSWORD_ENV):
            call_command("createadmin", stdout=StringIO())
