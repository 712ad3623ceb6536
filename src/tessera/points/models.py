"""Points lots: the sub-ledger that says which of a member's points expire when.

Every credit of points to a member creates a lot; every debit consumes lots, earliest expiry first (points that
never expire last), oldest first among equals. The member's points balance on the ledger always equals the sum
of the remaining points of their lots (``tessera ledger verify`` checks it). ``remaining`` changes only under
the member's account lock, inside the transaction that posts the movement.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.members.models import Member
from tessera.programs.models import Program


class PointsLot(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="points_lots", verbose_name=_("member"), db_index=False
    )
    store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False,
        verbose_name=_("store"),
        help_text=_("The store that issued the points; empty for lots opened before stores were recorded."),
    )  # fmt: skip
    source_type = models.CharField(_("source type"), max_length=32, help_text=_("What credited the points."))
    source_id = models.CharField(_("source"), max_length=64)
    earned_at = models.DateTimeField(_("earned at"), help_text=_("The till time of the sale that earned them."))
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("First instant they can no longer be spent; empty: never.")
    )
    points = models.BigIntegerField(_("points"), help_text=_("Points credited."))
    remaining = models.BigIntegerField(_("remaining"), help_text=_("Points not yet spent, taken back or expired."))
    expired = models.BigIntegerField(_("expired"), default=0, help_text=_("Points that lapsed unspent."))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("points lot")
        verbose_name_plural = _("points lots")
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gt=0), name="lot_points_positive"),
            models.CheckConstraint(
                condition=models.Q(remaining__gte=0) & models.Q(remaining__lte=models.F("points")),
                name="lot_remaining_within_points",
            ),
            models.CheckConstraint(
                condition=models.Q(expired__gte=0) & models.Q(expired__lte=models.F("points") - models.F("remaining")),
                name="lot_expired_within_used",
            ),
        ]
        indexes = [
            # Spending order for one member, over the lots that still hold points.
            models.Index(
                fields=["member", "expires_at", "id"], condition=models.Q(remaining__gt=0), name="lot_open_by_member"
            ),
            # The expiry sweep, per programme, over the lots that still hold points.
            models.Index(
                fields=["program", "expires_at"],
                condition=models.Q(remaining__gt=0, expires_at__isnull=False),
                name="lot_open_by_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"lot {self.id}: {self.remaining}/{self.points}"
