"""Stored-value errors."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Invalid


class TopUpAboveBalanceCap(Invalid):
    code = "top_up_above_balance_cap"
    message = _("This top-up would take the card above its stored-value limit of %(cap_text)s.")


class TopUpAboveSingleMaximum(Invalid):
    code = "top_up_above_single_maximum"
    message = _("A single top-up may be at most %(max_text)s.")
