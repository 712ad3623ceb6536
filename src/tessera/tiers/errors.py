"""Coded errors of the tiers area."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict, Invalid


class TierLadderInvalid(Invalid):
    code = "tier_ladder_invalid"
    message = _("The tier ladder is not valid: %(reason)s")


class TierLadderActiveExists(Conflict):
    code = "tier_ladder_active_exists"
    message = _("The programme already has an active tier ladder (%(name)s); deactivate it before adding another.")
