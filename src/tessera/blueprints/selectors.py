"""Reading the template catalogue, in the active language."""

from __future__ import annotations

from typing import Any

from tessera.blueprints.catalogue import BLUEPRINTS


def blueprint_list() -> list[dict[str, Any]]:
    """Every template with its title and summary in the active language and what applying it sets."""
    out = []
    for blueprint in BLUEPRINTS.values():
        spec = blueprint.build(100)
        out.append({
            "code": blueprint.code, "title": str(blueprint.title), "summary": str(blueprint.summary),
            "source": blueprint.source, "settings": sorted(spec.settings), "tier_ladder": spec.tier_ladder is not None,
            "earning_rules": [r["code"] for r in spec.earning_rules], "gift_ladders": len(spec.gift_ladders),
        })  # fmt: skip
    return out
