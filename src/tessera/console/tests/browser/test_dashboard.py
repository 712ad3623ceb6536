"""The member intelligence dashboard in a real browser: its SVG charts are drawn, it speaks Korean, and a
screenshot of it is not blank. The world is ``world.py``'s; the clock stands on its day, ticking."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import pytest
import time_machine

from tessera.console.tests.browser.world import PASSWORD, TODAY, dashboard_world_build

pytestmark = pytest.mark.django_db(transaction=True)  # the live server's thread must see the world's rows


@pytest.fixture
def clock():
    with time_machine.travel(TODAY, tick=True):
        yield


def _sign_in(page, base: str, username: str, store_name: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_role("button", name=store_name).click()
    page.wait_for_load_state()


def _bar_widths(page, chart: str) -> list[float]:
    return page.eval_on_selector_all(f"svg[data-chart={chart}] g.bar rect", "rs => rs.map(r => r.getBBox().width)")


def _not_blank(path: Path, page) -> int:
    """The number of distinct colours the browser sees in the screenshot (a blank page has one or two)."""
    data = path.read_bytes()
    script = """async (b64) => {
        const img = new Image(); img.src = 'data:image/png;base64,' + b64; await img.decode();
        const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
        const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, c.width, c.height).data, seen = new Set();
        for (let i = 0; i < px.length; i += 4 * 97) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
        return seen.size; }"""
    return page.evaluate(script, base64.b64encode(data).decode())


def _inks_on_dark_cells(page) -> set[str]:
    """The colour the browser really paints the numbers of the darkest cells in (CSS could override the ink)."""
    script = """gs => gs.filter(g => g.querySelector('rect').getAttribute('fill') === '#0b3a6b')
        .map(g => getComputedStyle(g.querySelector('text')).fill)"""
    return set(page.eval_on_selector_all("svg[data-chart] g.cell", script))


def test_the_dashboard_draws_its_charts_and_speaks_korean(live_server, page, clock, settings):
    # The clock stands in the world's past: cookies that expire by that clock would be dropped by the browser.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    w = dashboard_world_build()
    _sign_in(page, live_server.url, w.hq.username, w.world.a.store.name)
    page.goto(f"{live_server.url}/analytics/")

    assert page.locator("svg[data-chart=rfm-grid] g.cell rect").count() == 25
    assert page.locator("svg[data-chart=rfm-grid] g.segment").count() == 10
    assert page.locator("svg[data-chart=segments] g.bar").count() == 10
    assert page.locator("svg[data-chart=groups] g.bar").count() == 5
    assert page.locator("svg[data-chart=funnel] g.bar").count() == 5
    assert page.locator("svg[data-chart=tiers] g.bar").count() == 5
    assert all(width > 0 for width in _bar_widths(page, "tiers"))
    assert max(_bar_widths(page, "funnel")) > 0
    assert page.locator("svg[data-chart=cohorts] g.cohort").count() == 6  # January to June
    assert page.locator("[data-diamond=yes]").count() == 1
    assert page.locator("#due-list tbody tr").count() == 6  # three members, each due for shoes and any purchase
    assert _inks_on_dark_cells(page) == {"rgb(255, 255, 255)"}
    assert page.tessera_errors == []

    with page.expect_navigation():
        page.select_option("#language-select", "ko")  # the selector submits itself
    assert page.locator("html").get_attribute("lang") == "ko"
    assert "최우수 고객" in page.locator("svg[data-chart=rfm-grid]").text_content()  # Champions
    assert "신규" in page.locator("svg[data-chart=funnel]").text_content()  # the lifecycle stage New
    assert "레드 다이아몬드" in page.locator("svg[data-chart=tiers]").text_content()  # the red diamond tier

    shot = Path(tempfile.mkdtemp(prefix="tessera-dashboard-")) / "dashboard-ko.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"dashboard screenshot: {shot}")
    assert shot.stat().st_size > 20_000
    assert _not_blank(shot, page) > 20
    assert page.tessera_errors == []
