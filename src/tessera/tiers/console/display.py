"""How the designer's figures are drawn on the console page: the diamond's bars and figures shown as text."""

from __future__ import annotations

from typing import Any

from tessera.tiers.designer import money_shown, percent_shown

DIAMOND_WIDTH = 720  # the SVG's width: the labels on the left, then the bars centred in the rest
LABEL_WIDTH = 210
BAR_WIDTH_MAX = DIAMOND_WIDTH - LABEL_WIDTH - 10
BAR_CENTRE = LABEL_WIDTH + BAR_WIDTH_MAX // 2
BAR_HEIGHT, BAR_GAP = 26, 8


def diamond_bars(tiers: list[dict[str, Any]]) -> dict[str, Any]:
    """One centred bar per tier, the top tier first, widths in proportion to members: a diamond shows as one.

    The base tier (rank 0, members who qualify for nothing) is drawn last and apart, since it is no part of the
    shape the owners ask for.
    """
    widest = max((t["members"] for t in tiers), default=0) or 1
    bars = []
    for row, tier in enumerate(reversed(tiers)):
        width = round(tier["members"] * BAR_WIDTH_MAX / widest)
        width = max(width, 2) if tier["members"] else 0
        y = row * (BAR_HEIGHT + BAR_GAP)
        bars.append({
            "x": BAR_CENTRE - width // 2, "y": y, "width": width, "text_y": y + BAR_HEIGHT // 2 + 5,
            "name": tier["name"], "members": tier["members"], "share": percent_shown(tier["share_bp"]),
            "base": tier["rank"] == 0,
        })  # fmt: skip
    height = len(bars) * (BAR_HEIGHT + BAR_GAP)
    return {"bars": bars, "width": DIAMOND_WIDTH, "height": height, "bar_height": BAR_HEIGHT,
            "centre": BAR_CENTRE}  # fmt: skip


def shown(evaluation: dict[str, Any], *, exponent: int) -> dict[str, Any]:
    """``evaluation`` (``designer_report.evaluation_dict``) with the diamond and its figures as text."""
    tiers = [
        t | {
            "threshold_shown": money_shown(t["threshold_minor"], exponent),
            "discount_shown": percent_shown(t["discount_bp"]),
            "share_shown": percent_shown(t["share_bp"]),
            "cost_shown": money_shown(t["discount_cost_minor"], exponent),
            "step_shown": "" if t["step_bp"] is None else percent_shown(t["step_bp"]),
        }
        for t in evaluation["tiers"]
    ]  # fmt: skip
    return evaluation | {
        "tiers": tiers,
        "diamond": diamond_bars(evaluation["tiers"]),
        "band_shown": percent_shown(evaluation["band_bp"]),
        "cost_shown": money_shown(evaluation["discount_cost_minor"], exponent),
        "max_spend_shown": money_shown(evaluation["max_spend_minor"], exponent),
    }


def ladder_initial(rungs: list[dict[str, Any]], *, exponent: int) -> list[dict[str, Any]]:
    """Rows of the ladder form for ``rungs`` (``designer_report.rungs_dicts``): amounts in major units."""
    return [
        {"name": r["name"], "threshold": money_shown(r["threshold_minor"], exponent).replace(",", ""),
         "discount": percent_shown(r["discount_bp"]).removesuffix("%")}
        for r in rungs
    ]  # fmt: skip
