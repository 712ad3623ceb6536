"""A programme is the membership scheme: who its members are and how points and stored value behave.

A programme is owned by one merchant; ``ProgramMerchant`` lists every merchant whose stores serve it, so an
alliance of merchants can later share one programme without a schema change.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.kit import ids
from tessera.programs.rules import EarnRate, PointValue
from tessera.stores.models import Alliance, Merchant, validate_currency, validate_timezone


class Program(models.Model):
    class ShortfallPolicy(models.TextChoices):
        DEDUCT_FROM_REFUND = "deduct_from_refund", _("Deduct the value of missing points from the refund")
        DEBT = "debt", _("Record missing points as a debt repaid from the next earnings")

    class SpendOrder(models.TextChoices):
        PROPORTIONAL = "proportional", _("Principal and bonus in proportion to their balances")
        PRINCIPAL_FIRST = "principal_first", _("Principal first, then bonus")
        BONUS_FIRST = "bonus_first", _("Bonus first, then principal")

    class ExpiryPolicy(models.TextChoices):
        NEVER = "never", _("Points never expire")
        DAYS_AFTER_EARNING = "days_after_earning", _("A fixed number of days after they were earned")
        END_OF_MONTH_AFTER = "end_of_month_after", _("At the end of the month, a number of months after earning")
        END_OF_YEAR_AFTER = "end_of_year_after", _("At the end of the year, a number of months after earning")

    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=ids.program_id, editable=False)
    name = models.CharField(_("programme name"), max_length=200)
    owner = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="owned_programs", verbose_name=_("owner")
    )
    currency = models.CharField(_("stored value currency"), max_length=3, validators=[validate_currency])
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_timezone])
    phone_region = models.CharField(
        _("phone region"), max_length=2, help_text=_("Region used to read local phone numbers, e.g. CN or KR.")
    )
    earn_points = models.PositiveIntegerField(_("points earned"), default=1)
    earn_per_minor = models.PositiveIntegerField(
        _("per spend (minor units)"),
        validators=[MinValueValidator(1)],
        default=100,
        help_text=_("Spend in minor units that earns the points above."),
    )
    earn_on_stored_value = models.BooleanField(
        _("earn on stored value"),
        default=False,
        help_text=_("Whether the part of a sale paid from stored value earns points (the top-up already did)."),
    )
    point_value_points = models.PositiveIntegerField(
        _("point value: points"), default=100, validators=[MinValueValidator(1)]
    )
    point_value_minor = models.PositiveIntegerField(
        _("point value: minor units"), default=100, validators=[MinValueValidator(1)]
    )
    return_shortfall_policy = models.CharField(
        _("when returned points were already spent"),
        max_length=32,
        choices=ShortfallPolicy.choices,
        default=ShortfallPolicy.DEDUCT_FROM_REFUND,
    )
    stored_value_spend_order = models.CharField(
        _("stored value spending order"), max_length=32, choices=SpendOrder.choices, default=SpendOrder.PROPORTIONAL
    )
    # Points expiry. Lots expire in the programme's time zone; "end of month after 12" means points earned in
    # March 2026 lapse at the end of March 2027.
    points_expiry_policy = models.CharField(
        _("points expiry"), max_length=32, choices=ExpiryPolicy.choices, default=ExpiryPolicy.NEVER
    )
    points_expiry_days = models.PositiveIntegerField(_("expire after (days)"), null=True, blank=True)
    points_expiry_months = models.PositiveIntegerField(_("expire after (months)"), null=True, blank=True)
    points_expiry_reminder_days = models.PositiveIntegerField(
        _("remind before expiry (days)"), default=30, help_text=_("0 sends no reminder.")
    )
    # Paying with points at the till, valued at point_value_points = point_value_minor.
    burn_enabled = models.BooleanField(_("members may pay with points"), default=False)
    burn_min_points = models.PositiveIntegerField(_("fewest points per payment"), default=0)
    burn_max_share_pct = models.PositiveSmallIntegerField(
        _("largest share of a bill paid with points (%)"), default=100, validators=[MaxValueValidator(100)]
    )
    # Card lifecycle (seed 002): join on one purchase of at least this much, card valid for N months, renewal fee.
    join_min_purchase_minor = models.BigIntegerField(
        _("smallest single purchase to join (minor units)"), null=True, blank=True,
        help_text=_("Empty: anyone may join without buying."),
    )  # fmt: skip
    card_validity_months = models.PositiveIntegerField(
        _("card valid for (months)"), null=True, blank=True, help_text=_("Empty: cards never expire.")
    )
    card_renewal_fee_minor = models.BigIntegerField(_("card renewal fee (minor units)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    alliance = models.OneToOneField(
        Alliance, on_delete=models.PROTECT, null=True, blank=True, related_name="program",
        verbose_name=_("alliance"),
        help_text=_("The alliance whose shared card this programme is; empty for one chain."),
    )  # fmt: skip
    # Raised by database triggers whenever the programme's tiers, earning rules or gift ladders change; checkout
    # caches them per version (tessera.programs.config_cache). Never written by Django, see save().
    config_version = models.PositiveBigIntegerField(_("configuration version"), default=0, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(earn_per_minor__gt=0),
                name="program_earn_per_minor_positive",
                violation_error_message=_("The spend that earns points must be more than zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(point_value_points__gt=0), name="program_point_value_points_positive"
            ),
            # A zero point value would buy back spent points for nothing on a return: a silent write-off.
            models.CheckConstraint(
                condition=models.Q(point_value_minor__gt=0), name="program_point_value_minor_positive"
            ),
            # An expiry policy needs the period it counts: a window without an end is refused.
            models.CheckConstraint(
                condition=models.Q(points_expiry_policy="never")
                | models.Q(
                    points_expiry_policy="days_after_earning",
                    points_expiry_days__isnull=False,
                    points_expiry_days__gt=0,
                )
                | models.Q(
                    points_expiry_policy__in=["end_of_month_after", "end_of_year_after"],
                    points_expiry_months__isnull=False,
                ),
                name="program_expiry_has_period",
                violation_error_message=_(
                    "An expiry policy needs its period: days for 'days after earning', months for the end-of-month "
                    "and end-of-year policies."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(burn_max_share_pct__lte=100),
                name="program_burn_share_pct",
                violation_error_message=_("The largest share of a bill paid with points is a percentage, 0 to 100."),
            ),
            models.CheckConstraint(
                condition=models.Q(join_min_purchase_minor__isnull=True) | models.Q(join_min_purchase_minor__gt=0),
                name="program_join_threshold_positive",
                violation_error_message=_("The purchase needed to join must be more than zero, or empty."),
            ),
            models.CheckConstraint(
                condition=models.Q(card_renewal_fee_minor__gte=0),
                name="program_renewal_fee_not_negative",
                violation_error_message=_("The card renewal fee cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The triggers own config_version: saving a copy read before a change must not put the old number back.
        if not self._state.adding and not kwargs.get("force_insert") and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "config_version"
            ]
        super().save(*args, **kwargs)

    @property
    def earn_rate(self) -> EarnRate:
        return EarnRate(points=self.earn_points, per_minor=self.earn_per_minor)

    @property
    def point_value(self) -> PointValue:
        return PointValue(points=self.point_value_points, minor=self.point_value_minor)


class ProgramMerchant(models.Model):
    """A merchant whose stores serve a programme: its owner, or (later) an alliance partner."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        PARTNER = "partner", _("Partner")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="participants", verbose_name=_("programme")
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="program_participations", verbose_name=_("merchant")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OWNER)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    # What an alliance partner gives the card's members at its own stores, and funds: its points are its own debt
    # to whoever redeems them (docs/settlement.md). Empty: the programme's tier discount and earn rate.
    discount_bp = models.PositiveIntegerField(
        _("member discount here"), null=True, blank=True, validators=[MaxValueValidator(10_000)],
        help_text=_("Basis points off every line at this merchant's stores, instead of the tier's discount."),
    )  # fmt: skip
    earn_points = models.PositiveIntegerField(_("points earned here"), null=True, blank=True)
    earn_per_minor = models.PositiveIntegerField(
        _("per spend here (minor units)"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("With the points above: this merchant's own earn rate instead of the programme's."),
    )  # fmt: skip

    class Meta:
        ordering = ["program_id", "id"]
        verbose_name = _("participating merchant")
        verbose_name_plural = _("participating merchants")
        constraints = [
            models.UniqueConstraint(fields=["program", "merchant"], name="program_merchant_unique"),
            models.CheckConstraint(
                condition=models.Q(discount_bp__isnull=True) | models.Q(discount_bp__lte=10_000),
                name="partner_discount_range",
            ),
            models.CheckConstraint(
                condition=models.Q(earn_points__isnull=True, earn_per_minor__isnull=True)
                | models.Q(earn_points__isnull=False, earn_per_minor__gt=0),
                name="partner_earn_rate_whole",
                violation_error_message=_("Give both the points and the spend that earns them, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} / {self.merchant}"


class TopUpBonusBand(models.Model):
    """Top up at least ``min_amount_minor`` and receive ``bonus_minor`` of bonus stored value (highest band wins).

    The foundation's simple form of the merchant's top-up bonus rules; dates, limits, points and coupons
    arrive with the stored-value capability.
    """

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="top_up_bands", verbose_name=_("programme")
    )
    min_amount_minor = models.BigIntegerField(_("top-up from (minor units)"))
    bonus_minor = models.BigIntegerField(_("bonus (minor units)"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["program_id", "min_amount_minor"]
        verbose_name = _("top-up bonus band")
        verbose_name_plural = _("top-up bonus bands")
        constraints = [
            models.UniqueConstraint(fields=["program", "min_amount_minor"], name="top_up_band_unique_threshold"),
            models.CheckConstraint(condition=models.Q(min_amount_minor__gt=0), name="top_up_band_threshold_positive"),
            models.CheckConstraint(condition=models.Q(bonus_minor__gte=0), name="top_up_band_bonus_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.min_amount_minor} -> +{self.bonus_minor}"
