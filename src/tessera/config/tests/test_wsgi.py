"""The WSGI entry point sends POS API calls through the short middleware list and the console through all."""

from __future__ import annotations

import io
from wsgiref.util import setup_testing_defaults

import pytest

from tessera.config import wsgi
from tessera.testing import member_new, world_build


def call(path: str, **headers: str) -> tuple[str, dict[str, str], bytes]:
    environ: dict = {"PATH_INFO": path, "wsgi.input": io.BytesIO(b""), "HTTP_HOST": "127.0.0.1"}
    environ.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    setup_testing_defaults(environ)
    seen: dict = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(response_headers)

    body = b"".join(wsgi.application(environ, start_response))
    return seen["status"], seen["headers"], body


@pytest.mark.django_db(transaction=True)
def test_api_and_console_answer_through_their_own_handlers():
    world = world_build()
    member = member_new(world)
    status, headers, body = call(f"/api/v1/members/{member.public_id}", authorization=f"Bearer {world.a.key}")
    assert status.startswith("200")
    assert member.public_id.encode() in body
    # The console's chain would add X-Frame-Options (clickjacking) and Vary: Cookie (sessions); the API's does not.
    assert "X-Frame-Options" not in headers
    assert "Cookie" not in headers.get("Vary", "")
    status, headers, _ = call(
        f"/api/v1/members/{member.public_id}", authorization="Bearer tsk_x_y", accept_language="zh-hans"
    )
    assert status.startswith("401")
    status, headers, _ = call("/members/")
    assert status.startswith("302")
    assert headers["X-Frame-Options"] == "DENY"
