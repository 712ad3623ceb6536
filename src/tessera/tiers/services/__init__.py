"""Tier writes: loading ladders, counting facts at checkout, and the evaluation job."""

from tessera.tiers.services.evaluation import tier_evaluation_run
from tessera.tiers.services.facts import TierChange, tier_facts_record
from tessera.tiers.services.ladder import tier_ladder_load

__all__ = ["TierChange", "tier_evaluation_run", "tier_facts_record", "tier_ladder_load"]
