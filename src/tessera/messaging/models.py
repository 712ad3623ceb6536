"""The transactional outbox: side effects recorded in the business transaction, delivered after it commits.

A row is written in the same transaction as the change that causes it, so a rolled-back sale never sends a
message and a committed one never loses it. Workers claim rows with a conditional UPDATE and handlers are
idempotent: delivery may happen twice, the effect must not.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    kind = models.CharField(_("kind"), max_length=64, help_text=_("What happened, e.g. points.expiring."))
    payload = models.JSONField(_("payload"), default=dict)
    locale = models.CharField(_("language"), max_length=8, default="en", help_text=_("Frozen when enqueued."))
    dedupe_key = models.CharField(
        _("deduplication key"), max_length=200, null=True, blank=True,
        help_text=_("Enqueueing the same key twice keeps the first message only."),
    )  # fmt: skip
    available_at = models.DateTimeField(_("available at"), db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=models.Q(dedupe_key__isnull=False), name="outbox_dedupe_key_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["available_at"], condition=models.Q(processed_at__isnull=True), name="outbox_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.id}"
