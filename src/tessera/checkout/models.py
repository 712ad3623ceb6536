"""POS documents as Tessera recorded them: sales, returns, top-ups and points redemptions.

A document is unique per (store, kind, POS document number), and its lines per (document, line number), so a
POS that resends a document with a fresh idempotency key after an offline spell can never count it twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.kit import ids
from tessera.ledger.models import Posting
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.stores.models import Store, Terminal


class Document(models.Model):
    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")
        RETURN = "return", _("Return")
        TOP_UP = "top_up", _("Top-up")
        REDEMPTION = "redemption", _("Points redemption")

    public_id = models.CharField(max_length=40, unique=True, default=ids.document_id, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="documents")
    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, null=True, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="documents")
    pos_number = models.CharField(_("POS document number"), max_length=64)
    original = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="returns")
    currency = models.CharField(max_length=3)
    total_minor = models.BigIntegerField(help_text="Sale total, returned value, top-up or redemption value.")
    points = models.BigIntegerField(default=0, help_text="Earned (sale), taken back (return), spent (redemption).")
    sv_principal_minor = models.BigIntegerField(default=0, help_text="Principal spent, refunded or added.")
    sv_bonus_minor = models.BigIntegerField(default=0, help_text="Bonus spent, refunded or granted.")
    fingerprint = models.CharField(max_length=64)
    posting = models.OneToOneField(Posting, on_delete=models.PROTECT, null=True, related_name="document")
    receipt = models.JSONField(help_text="The answer given to the POS, replayed for duplicates.")
    event_at = models.DateTimeField(_("time at the till"))
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(fields=["store", "kind", "pos_number"], name="document_unique_per_store"),
            models.CheckConstraint(condition=models.Q(total_minor__gte=0), name="document_total_not_negative"),
            models.CheckConstraint(
                condition=models.Q(kind="return") | models.Q(original__isnull=True), name="only_returns_have_original"
            ),
        ]
        indexes = [models.Index(fields=["member", "-event_at"], name="document_member_time_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pos_number}"


class DocumentLine(models.Model):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="lines")
    line_no = models.PositiveIntegerField()
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    brand = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=100, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price_minor = models.BigIntegerField()
    discount_minor = models.BigIntegerField(default=0)
    amount_minor = models.BigIntegerField(help_text="quantity x unit price - discount (sale); value returned.")
    points = models.BigIntegerField(default=0, help_text="Share of the document's points, for explanations.")
    original_line = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="returned_by")

    class Meta:
        ordering = ["document_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["document", "line_no"], name="document_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price_minor__gte=0), name="line_price_not_negative"),
            models.CheckConstraint(condition=models.Q(discount_minor__gte=0), name="line_discount_not_negative"),
            models.CheckConstraint(condition=models.Q(amount_minor__gte=0), name="line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.line_no} {self.sku} x{self.quantity}"


class Tender(models.Model):
    class Kind(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK_CARD = "bank_card", _("Bank card")
        WECHAT_PAY = "wechat_pay", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        STORED_VALUE = "stored_value", _("Stored value")
        OTHER = "other", _("Other")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="tenders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount_minor = models.BigIntegerField()
    reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["document_id", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="tender_amount_positive")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_minor}"
