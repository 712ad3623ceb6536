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
        TOP_UP_REFUND = "top_up_refund", _("Top-up refund")
        # Purchase history brought from another system (ADR 0019): no posting, no points, no POS number space
        # shared with the till's kinds, so no return, lookup or duplicate check of the till ever finds one.
        IMPORTED_SALE = "imported_sale", _("Imported sale")
        IMPORTED_RETURN = "imported_return", _("Imported return")

    public_id = models.CharField(_("public ID"), max_length=40, default=ids.document_id, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="documents", verbose_name=_("store"), db_index=False
    )
    terminal = models.ForeignKey(
        Terminal, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("terminal")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("staff member"),
        db_index=False,
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="documents", verbose_name=_("member"), db_index=False
    )
    pos_number = models.CharField(_("POS document number"), max_length=64)
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        related_name="returns",
        verbose_name=_("original sale"),
        db_index=False,
    )
    currency = models.CharField(_("currency"), max_length=3)
    total_minor = models.BigIntegerField(
        _("total (minor units)"), help_text=_("Sale total, returned value, top-up or redemption value.")
    )
    points = models.BigIntegerField(
        _("points"), default=0, help_text=_("Earned (sale), taken back (return), spent (redemption).")
    )
    sv_principal_minor = models.BigIntegerField(
        _("stored value principal (minor units)"), default=0, help_text=_("Principal spent, refunded or added.")
    )
    sv_bonus_minor = models.BigIntegerField(
        _("stored value bonus (minor units)"), default=0, help_text=_("Bonus spent, refunded or granted.")
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    posting = models.OneToOneField(
        Posting, on_delete=models.PROTECT, null=True, related_name="document", verbose_name=_("posting")
    )
    receipt = models.JSONField(_("receipt"), help_text="The answer given to the POS, replayed for duplicates.")
    event_at = models.DateTimeField(_("time at the till"))
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(fields=["store", "kind", "pos_number"], name="document_unique_per_store"),
            models.UniqueConstraint(fields=["public_id"], name="document_public_id_unique"),
            models.CheckConstraint(condition=models.Q(total_minor__gte=0), name="document_total_not_negative"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["return", "top_up_refund"]) | models.Q(original__isnull=True),
                name="only_returns_have_original",
            ),
        ]
        # Only indexes that a query or a foreign-key check uses: store and member lead the composite ones, and
        # the mostly-empty original and staff columns are indexed only where set (rows are never deleted).
        indexes = [
            models.Index(fields=["member", "-event_at"], name="document_member_time_idx"),
            models.Index(fields=["original"], condition=models.Q(original__isnull=False), name="document_original_idx"),
            models.Index(fields=["staff"], condition=models.Q(staff__isnull=False), name="document_staff_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pos_number}"


IMPORTED_KINDS = (Document.Kind.IMPORTED_SALE, Document.Kind.IMPORTED_RETURN)


class DocumentLine(models.Model):
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="lines", verbose_name=_("document"), db_index=False
    )
    line_no = models.PositiveIntegerField(_("line number"))
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("item name"), max_length=200)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_minor = models.BigIntegerField(_("unit price (minor units)"))
    discount_minor = models.BigIntegerField(_("discount (minor units)"), default=0)
    amount_minor = models.BigIntegerField(
        _("amount (minor units)"),
        help_text=_(
            "quantity x unit price - discount - member discount - coupon discount (sale); value returned (return)."
        ),
    )
    member_discount_minor = models.BigIntegerField(
        _("member discount (minor units)"), default=0, help_text=_("The tier discount Tessera applied to this line.")
    )
    coupon_discount_minor = models.BigIntegerField(
        _("coupon discount (minor units)"),
        default=0,
        db_default=0,
        help_text=_("The coupons' share of discount on this line."),
    )
    points = models.BigIntegerField(
        _("points"), default=0, help_text="Share of the document's points, for explanations."
    )
    original_line = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        related_name="returned_by",
        verbose_name=_("original line"),
        db_index=False,
    )

    class Meta:
        ordering = ["document_id", "line_no"]
        verbose_name = _("document line")
        verbose_name_plural = _("document lines")
        indexes = [
            models.Index(
                fields=["original_line"], condition=models.Q(original_line__isnull=False), name="line_original_idx"
            )
        ]
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
        POINTS = "points", _("Points")
        OTHER = "other", _("Other")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="tenders", verbose_name=_("document"))
    kind = models.CharField(_("payment method"), max_length=16, choices=Kind.choices)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["document_id", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="tender_amount_positive")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_minor}"
