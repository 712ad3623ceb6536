"""Earning rules configured per programme: day, birthday and product multipliers, exclusions and caps.

One table holds every kind, so the rules active on a date load in one query on every sale; each kind fills only
its own columns, and the constraints below say which. How the kinds combine is documented in ``rules.py``.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_slug
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.earning.errors import EarningRuleInvalid, MultiplierNotPositive
from tessera.earning.rules import BirthdayScope, MatchOn, Rule, RuleKind
from tessera.kit.clock import now
from tessera.programs.models import Program

KIND_CHOICES = [
    (RuleKind.WEEKDAY.value, _("Multiplier on a day of the week")),
    (RuleKind.MEMBER_DAY.value, _("Multiplier on the monthly member day")),
    (RuleKind.BIRTHDAY.value, _("Birthday multiplier")),
    (RuleKind.PRODUCT_MULTIPLIER.value, _("Product multiplier")),
    (RuleKind.PRODUCT_EXCLUSION.value, _("Product excluded from earning")),
    (RuleKind.SALE_CAP.value, _("Most points per sale")),
    (RuleKind.DAY_CAP.value, _("Most points per day")),
]
WEEKDAY_CHOICES = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]
BIRTHDAY_SCOPE_CHOICES = [
    (BirthdayScope.DAY.value, _("On the birthday")),
    (BirthdayScope.WEEK.value, _("In the birthday week (Monday to Sunday)")),
    (BirthdayScope.MONTH.value, _("In the birthday month")),
]
MATCH_CHOICES = [
    (MatchOn.SKU.value, _("SKU")),
    (MatchOn.BRAND.value, _("Brand")),
    (MatchOn.CATEGORY.value, _("Category")),
]

# The columns each kind fills; every other kind-specific column must stay empty.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    RuleKind.WEEKDAY.value: ("factor_permille", "weekday"),
    RuleKind.MEMBER_DAY.value: ("factor_permille", "day_of_month"),
    RuleKind.BIRTHDAY.value: ("factor_permille", "birthday_scope"),
    RuleKind.PRODUCT_MULTIPLIER.value: ("factor_permille", "match_on", "match_value"),
    RuleKind.PRODUCT_EXCLUSION.value: ("match_on", "match_value"),
    RuleKind.SALE_CAP.value: ("cap_points",),
    RuleKind.DAY_CAP.value: ("cap_points",),
}
_OPTIONAL = ("factor_permille", "weekday", "day_of_month", "birthday_scope", "match_on", "match_value", "cap_points")


_TEXT = frozenset({"birthday_scope", "match_on", "match_value"})  # text columns are empty, never NULL


def _shape(kind: str) -> Q:
    condition = Q(kind=kind)
    for name in _OPTIONAL:
        wanted = name in KIND_FIELDS[kind]
        if name in _TEXT:
            condition &= ~Q(**{name: ""}) if wanted else Q(**{name: ""})
        else:
            condition &= Q(**{f"{name}__isnull": not wanted})
    return condition


class EarningRule(models.Model):
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="earning_rules", verbose_name=_("programme")
    )
    code = models.CharField(
        _("code"), max_length=40, validators=[validate_slug],
        help_text=_("Short name shown in a member's points explanation, e.g. double-wednesday."),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=24, choices=KIND_CHOICES)
    factor_permille = models.IntegerField(
        _("multiplier (per mille)"), null=True, blank=True,
        help_text=_("1000 earns the normal points, 2000 double, 1500 one and a half times. Must be above zero."),
    )  # fmt: skip
    weekday = models.PositiveSmallIntegerField(_("day of the week"), null=True, blank=True, choices=WEEKDAY_CHOICES)
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Months without this day (e.g. the 31st in April) have no member day."),
    )  # fmt: skip
    birthday_scope = models.CharField(
        _("birthday period"), max_length=8, blank=True, choices=BIRTHDAY_SCOPE_CHOICES,
        help_text=_("A February 29 birthday falls on February 28 in other years."),
    )  # fmt: skip
    match_on = models.CharField(_("match on"), max_length=8, blank=True, choices=MATCH_CHOICES)
    match_value = models.CharField(
        _("matching value"), max_length=100, blank=True,
        help_text=_("The SKU (exact), brand or category (case ignored) of the sale lines concerned."),
    )  # fmt: skip
    cap_points = models.BigIntegerField(_("most points"), null=True, blank=True, help_text=_("Points; above zero."))
    active_from = models.DateField(
        _("active from"), null=True, blank=True, help_text=_("First day, in the programme's time zone; empty: always.")
    )
    active_to = models.DateField(
        _("active until"), null=True, blank=True,
        help_text=_("First day it no longer applies (exclusive), in the programme's time zone; empty: no end."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=now)

    class Meta:
        ordering = ["program_id", "id"]
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="earning_rule_code_unique"),
            models.CheckConstraint(condition=Q(kind__in=list(KIND_FIELDS)), name="earning_rule_kind_valid"),
            models.CheckConstraint(
                condition=Q(factor_permille__isnull=True) | Q(factor_permille__gt=0),
                name="earning_rule_factor_positive",
            ),
            models.CheckConstraint(
                condition=Q(cap_points__isnull=True) | Q(cap_points__gt=0), name="earning_rule_cap_positive"
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__gte=1, weekday__lte=7), name="earning_rule_weekday_iso"
            ),
            models.CheckConstraint(
                condition=Q(day_of_month__isnull=True) | Q(day_of_month__gte=1, day_of_month__lte=31),
                name="earning_rule_day_of_month_valid",
            ),
            models.CheckConstraint(
                condition=Q(active_from__isnull=True)
                | Q(active_to__isnull=True)
                | Q(active_to__gt=models.F("active_from")),
                name="earning_rule_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=reduce(operator.or_, [_shape(kind) for kind in KIND_FIELDS]), name="earning_rule_shape"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.kind})"

    def problem(self) -> EarningRuleInvalid | MultiplierNotPositive | None:
        """The first thing wrong with this rule's settings, as the coded error a service raises."""
        needed = KIND_FIELDS.get(self.kind)
        if needed is None:
            return EarningRuleInvalid(reason=_("unknown kind of rule"))
        if "factor_permille" in needed and self.factor_permille is not None and self.factor_permille <= 0:
            return MultiplierNotPositive(factor=self.factor_permille)
        missing = [name for name in needed if getattr(self, name) in (None, "")]
        stray = [name for name in _OPTIONAL if name not in needed and getattr(self, name) not in (None, "")]
        if missing or stray:
            return EarningRuleInvalid(reason=_("fill in exactly the fields of this kind of rule"))
        if self.cap_points is not None and self.cap_points <= 0:
            return EarningRuleInvalid(reason=_("a cap must be above zero points"))
        if self.active_from and self.active_to and self.active_to <= self.active_from:
            return EarningRuleInvalid(reason=_("the end date must come after the start date"))
        return None

    def clean(self) -> None:
        problem = self.problem()
        if problem is None:
            return
        error = ValidationError(problem.text(), code=problem.code)
        raise ValidationError({"factor_permille": error}) if isinstance(problem, MultiplierNotPositive) else error

    def as_rule(self) -> Rule:
        return Rule(
            code=self.code,
            kind=RuleKind(self.kind),
            factor_permille=self.factor_permille,
            weekday=self.weekday,
            day_of_month=self.day_of_month,
            birthday_scope=BirthdayScope(self.birthday_scope) if self.birthday_scope else None,
            match_on=MatchOn(self.match_on) if self.match_on else None,
            match_value=self.match_value,
            cap_points=self.cap_points,
            active_from=self.active_from,
            active_to=self.active_to,
        )
