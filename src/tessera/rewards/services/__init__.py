"""Gift ladder writes: set-up, the checkout hook, claims at the till and the nightly lapse."""

from tessera.rewards.services.claim import reward_claim
from tessera.rewards.services.lapse import rewards_lapse_run
from tessera.rewards.services.record import gift_ladder_record
from tessera.rewards.services.setup import StepSpec, gift_ladder_create

__all__ = ["StepSpec", "gift_ladder_create", "gift_ladder_record", "reward_claim", "rewards_lapse_run"]
