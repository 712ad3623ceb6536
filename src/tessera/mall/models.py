"""The points mall: items a member buys with points (and perhaps cash), and the orders for them.

Stock is counted in one of two places. An item without store rows keeps one pool for the programme on the item
itself; an item with ``MallStoreStock`` rows is sold only from the ordering store's row, and its pool stays at
zero. In both, ``stock`` is what is left and ``stock_given`` all that was ever put in (less what staff took away),
so open orders plus stock always equal it (verify checks M3 and M4).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tessera.coupons.models import CouponTemplate
from tessera.kit.ids import new_public_id
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.stores.models import Store


def _item_id() -> str:
    return new_public_id("mit")


def _order_id() -> str:
    return new_public_id("mor")


class MallItem(models.Model):
    class Kind(models.TextChoices):
        COUPON = "coupon", _("Coupon")
        GIFT = "gift", _("Physical gift")
        EVENT = "event", _("Event place")

    public_id = models.CharField(_("public id"), max_length=40, unique=True, default=_item_id, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="mall_items",
                                verbose_name=_("programme"))  # fmt: skip
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, help_text=_("Shown when no translation exists."))
    description = models.TextField(_("description"), blank=True)
    image_url = models.URLField(_("picture"), blank=True)
    points_price = models.PositiveIntegerField(_("price in points"), help_text=_("Points per unit, above zero."))
    cash_minor = models.PositiveIntegerField(
        _("cash part"), default=0, help_text=_("Cash per unit in minor units of the programme's currency.")
    )
    coupon_template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("coupon template"))  # fmt: skip
    stock = models.IntegerField(_("stock"), default=0, help_text=_("Units left to order; never below zero."))
    stock_given = models.IntegerField(_("stock given"), default=0, help_text=_("All units ever put in stock."))
    tier_codes = models.JSONField(_("tiers that may order"), default=list, blank=True,
                                  help_text=_("Tier codes; empty means every member may order."))  # fmt: skip
    active_from = models.DateTimeField(_("active from"), null=True, blank=True)
    active_until = models.DateTimeField(_("active until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mall item")
        verbose_name_plural = _("mall items")
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__gte=0),
                name="mall_item_stock_not_negative",
                violation_error_message=_("Stock cannot be negative."),
            ),
            models.CheckConstraint(condition=Q(stock__lte=F("stock_given")), name="mall_item_stock_within_given"),
            models.CheckConstraint(condition=Q(points_price__gt=0), name="mall_item_price_positive"),
            models.CheckConstraint(
                condition=~Q(kind="coupon") | Q(coupon_template__isnull=False), name="mall_item_coupon_has_template"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.name}"


class MallItemTranslation(models.Model):
    item = models.ForeignKey(MallItem, on_delete=models.CASCADE, related_name="translations",
                             verbose_name=_("item"))  # fmt: skip
    language_code = models.CharField(_("language"), max_length=10, choices=[
        ("en", "English"), ("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("ko", "한국어")])  # fmt: skip
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("mall item translation")
        verbose_name_plural = _("mall item translations")
        constraints = [
            models.UniqueConstraint(fields=["item", "language_code"], name="mall_item_translation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.language_code}"


class MallStoreStock(models.Model):
    """One store's stock of an item. Rows are never deleted: open orders point at the row they took units from."""

    item = models.ForeignKey(MallItem, on_delete=models.CASCADE, related_name="store_stocks", verbose_name=_("item"))
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("store"))
    stock = models.IntegerField(_("stock"), default=0, help_text=_("Units left at this store; never below zero."))
    stock_given = models.IntegerField(_("stock given"), default=0,
                                      help_text=_("All units ever put in stock at this store."))  # fmt: skip

    class Meta:
        verbose_name = _("store stock")
        verbose_name_plural = _("store stock")
        constraints = [
            models.UniqueConstraint(fields=["item", "store"], name="mall_store_stock_unique"),
            models.CheckConstraint(
                condition=Q(stock__gte=0),
                name="mall_store_stock_not_negative",
                violation_error_message=_("Stock cannot be negative."),
            ),
            models.CheckConstraint(condition=Q(stock__lte=F("stock_given")), name="mall_store_stock_within_given"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.store_id}"


class MallOrder(models.Model):
    class State(models.TextChoices):
        ORDERED = "ordered", _("Ordered")
        READY = "ready", _("Ready for pickup")
        PICKED_UP = "picked_up", _("Picked up")
        SHIPPED = "shipped", _("Shipped")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.CharField(_("public id"), max_length=40, unique=True, default=_order_id, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    item = models.ForeignKey(MallItem, on_delete=models.PROTECT, related_name="orders", verbose_name=_("item"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="mall_orders",
                               verbose_name=_("member"))  # fmt: skip
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("store"))
    store_stock = models.ForeignKey(
        MallStoreStock, on_delete=models.PROTECT, null=True, blank=True, related_name="orders",
        verbose_name=_("store stock"), help_text=_("Where the units came from; empty: the item's programme pool."),
    )  # fmt: skip
    quantity = models.PositiveIntegerField(_("quantity"))
    points = models.PositiveIntegerField(_("points"), help_text=_("Points debited for the whole order."))
    cash_minor = models.PositiveIntegerField(_("cash"), help_text=_("Cash taken at the till, in minor units."))
    currency = models.CharField(_("currency"), max_length=3)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ORDERED)
    posting = models.ForeignKey("ledger.Posting", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("debit posting"))  # fmt: skip
    reversal = models.ForeignKey("ledger.Posting", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("reversing posting"))  # fmt: skip
    coupon_ids = models.JSONField(_("coupons issued"), default=list, blank=True)
    ordered_at = models.DateTimeField(_("ordered at"))

    class Meta:
        verbose_name = _("mall order")
        verbose_name_plural = _("mall orders")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="mall_order_quantity_positive"),
            models.CheckConstraint(
                condition=Q(state="cancelled", reversal__isnull=False) | (~Q(state="cancelled") & Q(reversal=None)),
                name="mall_order_cancelled_iff_reversed",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id


class MallOrderEvent(models.Model):
    """One state an order entered: who moved it, where and when."""

    order = models.ForeignKey(MallOrder, on_delete=models.PROTECT, related_name="events", verbose_name=_("order"))
    state = models.CharField(_("state"), max_length=16, choices=MallOrder.State.choices)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("store"))
    staff_id = models.BigIntegerField(_("staff"), null=True, blank=True)
    terminal_id = models.BigIntegerField(_("terminal"), null=True, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("mall order event")
        verbose_name_plural = _("mall order events")

    def __str__(self) -> str:
        return f"{self.order_id} {self.state}"
