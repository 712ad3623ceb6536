"""Audit records: who changed money or member data, where, when, and with which request. Append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.kit import ids
from tessera.stores.models import Store, Terminal


class AuditRecord(models.Model):
    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=ids.audit_id, editable=False)
    created_at = models.DateTimeField(_("time"), db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("staff member")
    )
    terminal = models.ForeignKey(
        Terminal, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("terminal")
    )
    system = models.CharField(_("system"), max_length=64, blank=True)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("store"))
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=32)
    object_id = models.CharField(_("object ID"), max_length=64)
    request_key = models.CharField(_("request key"), max_length=255, blank=True)
    details = models.JSONField(_("details"), default=dict)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
