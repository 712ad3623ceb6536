"""Stored-value limits per programme: the per-card caps and custody ratio a jurisdiction's law asks for."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.programs.models import Program


class StoredValueProfile(models.Model):
    """The limits one programme's wallets obey; a programme without a profile has no cap beyond the maximum amount.

    Amounts are minor units of the programme's currency. The figures are configuration: ``rules.PROFILES`` holds
    the defaults shipped per jurisdiction (compliance.md), which a merchant may change.
    """

    class Jurisdiction(models.TextChoices):
        CN = "cn", _("China")
        KR = "kr", _("Korea")
        CUSTOM = "custom", _("Custom")

    program = models.OneToOneField(
        Program, on_delete=models.PROTECT, related_name="stored_value_profile", verbose_name=_("programme")
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=10, choices=Jurisdiction.choices)
    named_balance_max_minor = models.BigIntegerField(_("maximum balance of a named card"))
    anonymous_balance_max_minor = models.BigIntegerField(_("maximum balance of an anonymous card"))
    top_up_max_minor = models.BigIntegerField(_("maximum single top-up"), null=True, blank=True)
    custody_ratio_bp = models.PositiveIntegerField(
        _("custody deposit ratio"), help_text=_("In basis points of the outstanding balance: 2000 is twenty per cent.")
    )

    class Meta:
        verbose_name = _("stored-value profile")
        verbose_name_plural = _("stored-value profiles")
        ordering = ["program_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(named_balance_max_minor__gt=0, anonymous_balance_max_minor__gt=0),
                name="wallet_profile_caps_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(top_up_max_minor__isnull=True) | models.Q(top_up_max_minor__gt=0),
                name="wallet_profile_top_up_max_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(custody_ratio_bp__lte=10000), name="wallet_profile_custody_ratio"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.jurisdiction}"


class TopUpBonusRule(models.Model):
    """What a top-up of ``min_amount_minor`` (up to ``max_amount_minor``) earns on top: bonus stored value, points,
    coupons, a gift handed over at the till. Among the rules that match, the one with the highest minimum wins.

    A programme with any rule uses its rules; one without keeps the foundation's simple bands
    (``programs.TopUpBonusBand``).
    """

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="top_up_rules", verbose_name=_("programme")
    )
    name = models.CharField(_("rule name"), max_length=200, help_text=_("Shown on the receipt."))
    min_amount_minor = models.BigIntegerField(_("top-up from (minor units)"))
    max_amount_minor = models.BigIntegerField(
        _("top-up up to (minor units)"), null=True, blank=True, help_text=_("Empty: no upper end.")
    )
    bonus_minor = models.BigIntegerField(_("bonus stored value (minor units)"), default=0)
    bonus_points = models.BigIntegerField(_("bonus points"), default=0)
    coupon_template = models.ForeignKey(
        "coupons.CouponTemplate", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("coupon given"),
    )  # fmt: skip
    coupon_count = models.PositiveSmallIntegerField(_("coupons given"), default=1)
    gift = models.CharField(_("gift handed over"), max_length=200, blank=True)
    active_from = models.DateTimeField(_("active from"), null=True, blank=True)
    active_to = models.DateTimeField(_("active until"), null=True, blank=True, help_text=_("Empty: no end."))
    per_member_limit = models.PositiveIntegerField(
        _("times per member"), null=True, blank=True, help_text=_("Empty: every qualifying top-up.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["program_id", "min_amount_minor", "id"]
        verbose_name = _("top-up bonus rule")
        verbose_name_plural = _("top-up bonus rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_amount_minor__gt=0), name="top_up_rule_min_positive",
                violation_error_message=_("The smallest top-up must be more than zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(max_amount_minor__isnull=True)
                | models.Q(max_amount_minor__gte=models.F("min_amount_minor")),
                name="top_up_rule_range_ordered",
                violation_error_message=_("The largest top-up must not be below the smallest."),
            ),
            models.CheckConstraint(
                condition=models.Q(bonus_minor__gte=0, bonus_points__gte=0, coupon_count__gte=1),
                name="top_up_rule_bonus_not_negative",
                violation_error_message=_("Bonuses cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(active_from__isnull=True)
                | models.Q(active_to__isnull=True)
                | models.Q(active_to__gt=models.F("active_from")),
                name="top_up_rule_dates_ordered",
                violation_error_message=_("The end must come after the start."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class TopUpBonusGrant(models.Model):
    """One top-up that received a rule's bonus: what the per-member limit counts."""

    rule = models.ForeignKey(TopUpBonusRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule"))
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member"), db_index=False
    )
    document = models.CharField(_("top-up document"), max_length=40)
    granted_at = models.DateTimeField(_("granted at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("top-up bonus granted")
        verbose_name_plural = _("top-up bonuses granted")
        indexes = [models.Index(fields=["member", "rule"], name="top_up_grant_member_idx")]

    def __str__(self) -> str:
        return f"{self.rule_id} -> {self.member_id}"


class StoredValueLot(models.Model):
    """Stored value a member holds from one store: the sub-ledger that settlement between stores reads.

    A top-up opens a principal lot and, with a bonus, a bonus lot at the store that took the money; spending
    takes lots oldest first within principal or bonus; a return gives value back as new lots of the stores it was
    spent from. Per member, the remaining of each kind's lots equals that account's ledger balance (``tessera
    ledger verify``). ``remaining`` changes only under the member's account lock.
    """

    class Kind(models.TextChoices):
        PRINCIPAL = "principal", _("Principal")
        BONUS = "bonus", _("Bonus")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store"), db_index=False,
        help_text=_("The store that took the money or granted the bonus."),
    )  # fmt: skip
    source_type = models.CharField(_("source type"), max_length=32)
    source_id = models.CharField(_("source"), max_length=64)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    remaining_minor = models.BigIntegerField(_("remaining (minor units)"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("stored-value lot")
        verbose_name_plural = _("stored-value lots")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="sv_lot_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(remaining_minor__gte=0) & models.Q(remaining_minor__lte=models.F("amount_minor")),
                name="sv_lot_remaining_within_amount",
            ),
        ]
        indexes = [
            # Spending order for one member, over the lots that still hold value.
            models.Index(fields=["member", "id"], condition=models.Q(remaining_minor__gt=0), name="sv_lot_open"),
            # A top-up refund finds its own lots.
            models.Index(fields=["source_id"], name="sv_lot_source_idx"),
        ]

    def __str__(self) -> str:
        return f"sv lot {self.id}: {self.remaining_minor}/{self.amount_minor}"
