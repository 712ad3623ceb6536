"""Monthly settlement between the stores of a programme: closed periods, their store statements and transfers.

A period is a calendar month in the programme owner's time zone, over postings by the time the ledger recorded
them (``created_at``), so nothing recorded later can change a month already closed. Rows here are written once,
when the period closes, and the database refuses to change them (append-only guards); a correction is an
adjustment posting in a later month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.kit import ids
from tessera.programs.models import Program
from tessera.stores.models import Merchant, Store


class SettlementTerms(models.Model):
    """How a programme prices value that moves between its stores. A programme without terms uses the defaults."""

    program = models.OneToOneField(
        Program, on_delete=models.PROTECT, related_name="settlement_terms", verbose_name=_("programme")
    )
    bonus_rate_bp = models.PositiveIntegerField(
        _("bonus settled at"), default=0,
        help_text=_("Share of face value, in basis points, at which bonus stored value spent at another store is "
                    "paid for: 0 follows the usual formula (principal only), 10000 pays bonus in full."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("settlement terms")
        verbose_name_plural = _("settlement terms")
        constraints = [models.CheckConstraint(condition=models.Q(bonus_rate_bp__lte=10000), name="terms_bonus_rate")]

    def __str__(self) -> str:
        return f"{self.program_id}"


class SettlementPeriod(models.Model):
    """One closed month of one programme: its bounds, what it covered and who closed it."""

    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=ids.settlement_id, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    timezone = models.CharField(_("time zone"), max_length=64)
    currency = models.CharField(_("currency"), max_length=3)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    bonus_rate_bp = models.PositiveIntegerField(_("bonus settled at"))
    commission_bp = models.PositiveIntegerField(_("operator commission"), default=0)
    # Who kept the commission when the month closed (the card's owner outside an alliance): recomputing the month
    # must not follow a later change of operator.
    operator = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("alliance operator")
    )
    point_value_points = models.PositiveIntegerField(_("point value: points"))
    point_value_minor = models.PositiveIntegerField(_("point value: minor units"))
    postings = models.BigIntegerField(_("postings covered"))
    last_posting_id = models.BigIntegerField(_("last posting covered"), null=True)
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("closed by"),
    )  # fmt: skip
    closed_by_system = models.CharField(_("closed by (system)"), max_length=64, blank=True)
    # The default in the database is for rows written by code that did not know the column (months closed before
    # it, a close by the previous release during a deploy): they did not report breakage. Closes set it.
    reports_points_expired = models.BooleanField(
        _("reports points expired"), default=False, db_default=False,
        help_text=_("Months closed before statements reported points expired show none, whatever lapsed."),
    )  # fmt: skip

    class Meta:
        ordering = ["program_id", "year", "month"]
        verbose_name = _("settlement period")
        verbose_name_plural = _("settlement periods")
        constraints = [
            models.UniqueConstraint(fields=["program", "year", "month"], name="settlement_one_close_per_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="settlement_month_valid"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="settlement_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.year}-{self.month:02d}"


class StoreStatement(models.Model):
    """One store's figures for a closed period (``settlement.rules.StoreFigures``), in the programme's currency."""

    period = models.ForeignKey(
        SettlementPeriod, on_delete=models.PROTECT, related_name="statements", verbose_name=_("period")
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("store"))
    principal_opening_minor = models.BigIntegerField(_("principal held at the start"))
    principal_taken_in_minor = models.BigIntegerField(_("principal taken in"))
    principal_paid_back_minor = models.BigIntegerField(_("principal paid back"))
    principal_spent_here_minor = models.BigIntegerField(_("principal spent here"))
    principal_receivable_minor = models.BigIntegerField(_("other stores' principal spent here"))
    principal_payable_minor = models.BigIntegerField(_("this store's principal spent elsewhere"))
    principal_closing_minor = models.BigIntegerField(_("principal held at the end"))
    bonus_opening_minor = models.BigIntegerField(_("bonus held at the start"))
    bonus_granted_minor = models.BigIntegerField(_("bonus granted"))
    bonus_taken_back_minor = models.BigIntegerField(_("bonus taken back"))
    bonus_spent_here_minor = models.BigIntegerField(_("bonus spent here"))
    bonus_receivable_minor = models.BigIntegerField(_("other stores' bonus spent here"))
    bonus_payable_minor = models.BigIntegerField(_("this store's bonus spent elsewhere"))
    bonus_closing_minor = models.BigIntegerField(_("bonus held at the end"))
    points_issued = models.BigIntegerField(_("points issued"))
    points_redeemed_here = models.BigIntegerField(_("points redeemed here"))
    points_receivable = models.BigIntegerField(_("other stores' points redeemed here"))
    points_payable = models.BigIntegerField(_("this store's points redeemed elsewhere"))
    # Defaults in the database too: a close by the previous release during a deploy writes rows without them.
    points_expired = models.BigIntegerField(_("points expired unspent"), default=0, db_default=0)
    points_expired_minor = models.BigIntegerField(_("value of the points expired"), default=0, db_default=0)
    receivable_minor = models.BigIntegerField(_("owed to this store"))
    payable_minor = models.BigIntegerField(_("owed by this store"))
    adjustments_minor = models.BigIntegerField(_("adjustments"))
    net_minor = models.BigIntegerField(_("net: to receive (+) or pay (-)"))

    class Meta:
        ordering = ["period_id", "store_id"]
        verbose_name = _("store statement")
        verbose_name_plural = _("store statements")
        constraints = [models.UniqueConstraint(fields=["period", "store"], name="statement_one_per_store")]

    def __str__(self) -> str:
        return f"{self.period} {self.store_id}"


class Transfer(models.Model):
    """One line of a closed period's clearing list: ``payer`` pays ``payee``, both directions netted."""

    period = models.ForeignKey(
        SettlementPeriod, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("period")
    )
    payer = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("payer"))
    payee = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("payee"))
    amount_minor = models.BigIntegerField(_("amount (minor units)"))

    class Meta:
        ordering = ["period_id", "id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(condition=~models.Q(payer=models.F("payee")), name="transfer_between_two_stores"),
            models.UniqueConstraint(fields=["period", "payer", "payee"], name="transfer_one_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.payer_id} -> {self.payee_id}: {self.amount_minor}"


class Obligation(models.Model):
    """What ``debtor`` owed ``creditor`` over a closed period, before netting: one cell of the clearing matrix."""

    period = models.ForeignKey(
        SettlementPeriod, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("period")
    )
    debtor = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("owed by"))
    creditor = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("owed to"))
    principal_minor = models.BigIntegerField(_("principal"))
    bonus_face_minor = models.BigIntegerField(_("bonus at face value"))
    bonus_minor = models.BigIntegerField(_("bonus at the settlement rate"))
    points = models.BigIntegerField(_("points"))
    points_minor = models.BigIntegerField(_("points at the point value"))
    adjustments_minor = models.BigIntegerField(_("adjustments"))
    total_minor = models.BigIntegerField(_("total"))

    class Meta:
        ordering = ["period_id", "debtor_id", "creditor_id"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [models.UniqueConstraint(fields=["period", "debtor", "creditor"], name="obligation_one_per_pair")]

    def __str__(self) -> str:
        return f"{self.debtor_id} owes {self.creditor_id}: {self.total_minor}"


class MerchantStatement(models.Model):
    """One merchant's figures for a closed period of an alliance's card (``rules.MerchantFigures``)."""

    period = models.ForeignKey(
        SettlementPeriod, on_delete=models.PROTECT, related_name="merchant_statements", verbose_name=_("period")
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+", verbose_name=_("merchant"))
    owed_to_minor = models.BigIntegerField(_("owed to this merchant"))
    owed_by_minor = models.BigIntegerField(_("owed by this merchant"))
    commission_paid_minor = models.BigIntegerField(_("commission paid"))
    commission_earned_minor = models.BigIntegerField(_("commission earned"))
    net_minor = models.BigIntegerField(_("net: to receive (+) or pay (-)"))
    points_expired = models.BigIntegerField(_("points expired unspent"), default=0, db_default=0)
    points_expired_minor = models.BigIntegerField(_("value of the points expired"), default=0, db_default=0)

    class Meta:
        ordering = ["period_id", "merchant_id"]
        verbose_name = _("merchant statement")
        verbose_name_plural = _("merchant statements")
        constraints = [models.UniqueConstraint(fields=["period", "merchant"], name="merchant_statement_one_each")]

    def __str__(self) -> str:
        return f"{self.period} {self.merchant_id}"


class MerchantTransfer(models.Model):
    """One line of the clearing list between the merchants of an alliance (and its operator), netted."""

    period = models.ForeignKey(
        SettlementPeriod, on_delete=models.PROTECT, related_name="merchant_transfers", verbose_name=_("period")
    )
    payer = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+", verbose_name=_("payer"))
    payee = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+", verbose_name=_("payee"))
    amount_minor = models.BigIntegerField(_("amount (minor units)"))

    class Meta:
        ordering = ["period_id", "id"]
        verbose_name = _("transfer between merchants")
        verbose_name_plural = _("transfers between merchants")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="merchant_transfer_positive"),
            models.CheckConstraint(condition=~models.Q(payer=models.F("payee")), name="merchant_transfer_two_sides"),
            models.UniqueConstraint(fields=["period", "payer", "payee"], name="merchant_transfer_one_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.payer_id} -> {self.payee_id}: {self.amount_minor}"
