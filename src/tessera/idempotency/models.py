"""What each POS write answered, keyed by (store, idempotency key), so a retry gets the same answer."""

from __future__ import annotations

from django.db import models

from tessera.stores.models import Store


class IdempotencyRecord(models.Model):
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the operation and the canonical body.")
    response = models.JSONField(null=True, help_text="The stored result; NULL only inside the first attempt.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["store", "key"], name="idempotency_key_unique_per_store")]

    def __str__(self) -> str:
        return f"{self.store_id}:{self.key}"
