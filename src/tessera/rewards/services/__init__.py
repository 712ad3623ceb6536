"""Gift ladder writes: set-up, the checkout hook, claims at the till and the nightly lapse."""

from tessera.rewards.services.claim import reward_claim
from tessera.rewards.services.lapse import rewards_lapse_run
from tessera.rewards.services.record import GiftMonth, gift_ladder_record, gift_month_read
from tessera.rewards.services.setup import StepSpec, gift_ladder_create

__all__ = [
    "GiftMonth",
    "StepSpec",
    "gift_ladder_create",
    "gift_ladder_record",
    "gift_month_read",
    "reward_claim",
    "rewards_lapse_run",
]
