"""What each POS write answered, keyed by (store, idempotency key), so a retry gets the same answer."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.stores.models import Store


class IdempotencyRecord(models.Model):
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("store"), db_index=False
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    operation = models.CharField(_("operation"), max_length=64)
    fingerprint = models.CharField(
        _("fingerprint"), max_length=64, help_text="SHA-256 of the operation and the canonical body."
    )
    response = models.JSONField(
        _("response"),
        null=True,
        help_text="The stored result; NULL inside the first attempt, or when answer_document holds it.",
    )
    answer_document = models.CharField(
        _("answer document"),
        max_length=40,
        null=True,
        blank=True,
        help_text="Public id of the POS document whose receipt is the answer, written in the same transaction.",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["store", "key"], name="idempotency_key_unique_per_store")]

    def __str__(self) -> str:
        return f"{self.store_id}:{self.key}"
