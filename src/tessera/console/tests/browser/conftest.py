"""Browser tests: Playwright for Python driving the Chromium Debian packages (``playwright install`` cannot
download on these machines; ``make install`` and ``make test`` set both up).

Without Chromium or the playwright package the tests are skipped with the reason; with ``CI=true`` they fail
instead, because CI runs where both are installed and a skipped browser test there would hide a broken page.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def _chromium() -> str | None:
    """``TESSERA_CHROMIUM`` if set (a path), else Debian's Chromium; None when the one wanted is not there."""
    wanted = os.environ.get("TESSERA_CHROMIUM")
    if wanted:
        return wanted if os.path.exists(wanted) else None
    return next((p for p in CHROMIUM_CANDIDATES if os.path.exists(p)), None) or shutil.which("chromium")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but the browser test cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser test skipped: {reason} (run `make install` and `make test`, or apt-get install chromium)")


# Module scope, not session: while Playwright runs, this thread has an event loop, and the other tests an xdist
# worker runs after these must not inherit it (nor the DJANGO_ALLOW_ASYNC_UNSAFE that goes with it).
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium browser, shared by one module's browser tests."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (it is in the dev extra)")
    executable = _chromium()
    if executable is None:
        where = os.environ.get("TESSERA_CHROMIUM") or "/usr/bin/chromium"
        _unavailable(f"no Chromium at {where} (apt-get install chromium fonts-noto-cjk)")
    # Playwright's sync API keeps an event loop in this thread; Django then refuses database calls from it unless
    # told that the loop is not serving requests (it is not: Playwright's loop only talks to the browser).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launched(sync_playwright, executable)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launched(sync_playwright: Any, executable: str) -> Iterator[Any]:
    with sync_playwright() as playwright:
        # --no-sandbox: the tests run as root in CI containers, where Chromium's sandbox refuses to start.
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


def _console_error(message: Any, errors: list[str]) -> None:
    # The console has no favicon; the browser asks for one anyway, and its 404 says nothing about the page.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        errors.append(f"{message.text} ({message.location.get('url', '')})")


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh page that records console errors and uncaught exceptions in ``page.tessera_errors``."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: _console_error(message, errors))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.tessera_errors = errors
    yield page
    context.close()
