"""The tier designer in the console: the salon's upload flags the six-tier ladder and prefers the redesign, the
active ladder is evaluated on the members' real spend, and bad uploads and ladders are refused row by row."""

from __future__ import annotations

import html
import itertools
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tessera.access.console.acting import SESSION_STORE_KEY
from tessera.access.models import StaffUser
from tessera.audit.models import AuditRecord
from tessera.blueprints.seeds import salon_ladder
from tessera.testing import world_build
from tessera.tiers.console.display import BAR_CENTRE, BAR_WIDTH_MAX, diamond_bars
from tessera.tiers.models import TierLadder
from tessera.tiers.services import tier_ladder_load
from tessera.tiers.tests.factories import at, member_carded, record
from tessera.tiers.tests.test_designer_api import REDESIGN, SIX
from tessera.tiers.tests.test_designer_io import SALON_CSV

pytestmark = pytest.mark.django_db
URL, COMPARE = "/tiers/designer/", "/tiers/designer/compare/"
_serial = itertools.count(1)


@pytest.fixture
def world():
    return world_build()


def console(world, role: str = "hq_admin", language: str | None = None) -> Client:
    user = StaffUser.objects.create_user(
        username=f"{role}.{next(_serial)}", password="x" * 16, role=role, merchant=world.merchant
    )
    user.stores.set([world.a.store])
    client = Client(headers={"accept-language": language} if language else None)
    client.force_login(user)
    session = client.session
    session[SESSION_STORE_KEY] = world.a.store.id
    session.save()
    return client


def rows(prefix: str, ladder: list[tuple[str, int, int]], blank: int = 1) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(ladder) + blank), f"{prefix}-INITIAL_FORMS": "0"}
    for i, (name, yuan, bp) in enumerate(ladder):
        data |= {
            f"{prefix}-{i}-name": name,
            f"{prefix}-{i}-threshold": str(yuan),
            f"{prefix}-{i}-discount": str(bp / 100),
        }
    return data


def upload(content: bytes | None = None, name: str = "salon.csv") -> dict:
    raw = SALON_CSV.read_bytes() if content is None else content
    return {
        "source": "upload",
        "spend_file": SimpleUploadedFile(name, raw, "text/csv"),
        "band": "20",
        "paid_share": "50",
    }


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def test_the_salon_upload_flags_the_six_tier_ladder_and_states_the_reasons(world):
    response = console(world).post(URL, rows("tiers", SIX) | upload())
    assert response.status_code == 200
    page = text(response)
    assert "Spend from the uploaded file: 1,000 members in 1,000 rows (CSV); not kept." in page
    assert "The ladder is flagged" in page
    for reason in (
        "Nobody can reach Card 4: its threshold of 8,000 is 100% above the most any member spent (4,000).",
        "Nobody can reach Card 6: its threshold of 12,000 is 200% above",
        "A member who has just reached Card 1 must spend 100% more to reach Card 2, beyond the acceptance band of 20%",
        "Not a diamond: 3 of the 6 tiers above the base would hold no member.",
    ):
        assert reason in page, reason
    assert page.count("<rect ") == 14  # the diamond of each side: six tiers and the base, beside the suggestion's
    assert "The suggestion" in page
    assert "The thresholds are placed so that 50% of members qualify" in page
    assert AuditRecord.objects.count() == 0
    assert TierLadder.objects.count() == 0


def test_the_compare_page_prefers_the_redesign_on_the_salon_members(world):
    data = rows("first", SIX) | rows("second", REDESIGN) | upload()
    data.pop("paid_share")
    page = text(console(world).post(COMPARE, data))
    assert "Preferred: the second ladder, better on 4 criteria against 1 for the first ladder" in page
    assert "Tiers nobody can reach" in page


def test_the_active_ladder_is_evaluated_on_the_members_real_spend_when_the_page_opens(world):
    tier_ladder_load(program=world.program, spec=salon_ladder())
    for yuan in (500, 2_500, 2_600, 6_000):
        member = member_carded(world, at("Asia/Shanghai", date(2026, 1, 5)))
        record(member, at("Asia/Shanghai", date(2026, 1, 5)), stored_value_minor=yuan * 100)
    response = console(world).get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "Spend of the programme's 4 open members: each one's stored value put in during the window" in page
    assert 'value="2,000 card"' in page
    assert 'value="2000"' in page
    assert "2,000 card · 2 · 50%" in page  # its bar in the diamond


def test_the_page_speaks_the_staff_members_language(world):
    page = text(console(world, language="ko").post(URL, rows("tiers", SIX) | upload()))
    assert "Card 4 등급에는 아무도 도달할 수 없습니다" in page


def test_a_bad_upload_lists_each_row_and_evaluates_nothing(world):
    bad = b"member,spend\nA,100\nB,lots\nC,-3\n"
    response = console(world).post(URL, rows("tiers", REDESIGN) | upload(bad))
    page = text(response)
    assert "The spending file was not accepted and nothing from it was used:" in page
    assert "row 3, column spend: not an amount" in page
    assert "row 4, column spend: the spend is negative; count a net refund as 0" in page
    assert "The ladder is flagged" not in page
    assert "<svg" not in page


def test_an_upload_must_be_chosen_and_a_ladder_must_rise(world):
    data = rows("tiers", [("Gold", 5_000, 2_000), ("Silver", 2_000, 1_000)]) | upload()
    data.pop("spend_file")
    page = text(console(world).post(URL, data))
    assert "Choose the file to upload." in page
    data = rows("tiers", [("Gold", 5_000, 2_000), ("Silver", 2_000, 1_000)]) | upload()
    page = text(console(world).post(URL, data))
    assert "Tier Silver: its threshold must be above Gold's." in page
    assert "<svg" not in page


def test_a_ladder_the_designer_cannot_suggest_for_is_still_evaluated(world):
    page = text(console(world).post(URL, rows("tiers", REDESIGN[:1]) | upload()))
    assert "Not a diamond: a diamond needs at least three tiers above the base, and this ladder has 1." in page
    assert "The designer suggests ladders of 3 to 6 tiers above the base; this one has 1." in page


def test_a_programme_without_members_says_there_is_nothing_to_evaluate(world):
    data = rows("tiers", REDESIGN) | {"source": "programme", "band": "20", "paid_share": "50"}
    page = text(console(world).post(URL, data))
    assert "There is no spend to evaluate: the programme has no open members." in page


def test_only_the_operations_centre_opens_the_designer(world):
    assert console(world, "store_manager").get(URL).status_code == 403
    assert console(world, "hq_admin").get(COMPARE).status_code == 200


def test_the_diamond_is_drawn_top_tier_first_with_every_bar_centred():
    def tier(rank: int, name: str, members: int) -> dict:
        return {"rank": rank, "name": name, "members": members, "share_bp": members}

    drawn = diamond_bars([tier(0, "", 500), tier(1, "A", 1_000), tier(2, "B", 250), tier(3, "C", 1), tier(4, "D", 0)])
    bars = drawn["bars"]
    assert [b["name"] for b in bars] == ["D", "C", "B", "A", ""]
    assert [b["width"] for b in bars] == [0, 2, BAR_WIDTH_MAX // 4, BAR_WIDTH_MAX, BAR_WIDTH_MAX // 2]
    assert {b["x"] + b["width"] // 2 for b in bars} == {BAR_CENTRE}
    assert [b["base"] for b in bars] == [False, False, False, False, True]
    assert [b["y"] for b in bars] == sorted(b["y"] for b in bars)


def test_a_ladder_by_points_is_not_judged_as_money(world):
    spec = {"name": "Points ladder", "measure": "points_in_window", "window": "calendar_year",
            "tiers": [{"code": "base", "threshold": 0}, {"code": "gold", "threshold": 5_000}]}  # fmt: skip
    tier_ladder_load(program=world.program, spec=spec)
    page = text(console(world).get(URL))
    assert "The active ladder Points ladder does not measure money, so the designer cannot judge it" in page
    assert "<svg" not in page
