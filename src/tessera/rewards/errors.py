from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict, Invalid, NotFound


class GiftLadderInvalid(Invalid):
    code = "gift_ladder_invalid"
    message = _("The gift ladder is not valid: %(reason)s")


class RewardNotFound(NotFound):
    # One message whether the gift does not exist or belongs to another merchant's programme.
    code = "reward_not_found"
    message = _("No such gift for this member at this store.")


class RewardAlreadyClaimed(Conflict):
    code = "reward_already_claimed"
    message = _("This gift was already claimed on %(claimed_at)s; it cannot be claimed twice.")


class RewardClaimClosed(Conflict):
    code = "reward_claim_closed"
    message = _("The time to claim this gift ended on %(claim_until)s.")


class RewardRevoked(Conflict):
    code = "reward_revoked"
    message = _("This gift was withdrawn because a return took the month's points below what it needs.")
