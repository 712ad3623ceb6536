"""Member profiles beyond the card (seed 000 section 5) and the programme's manual tags.

Every profile attribute is optional (compliance.md C-1: joining needs only a phone and the membership terms);
blank means "not given". Gender and birthday stay on ``Member``, where enrolment asks for them. What each
attribute is for, and which ones are sensitive, is in ``tessera.crm.rules.ATTRIBUTES``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.members.models import Member
from tessera.programs.models import Program


class Profile(models.Model):
    class IncomeBand(models.TextChoices):
        # Relative bands, because programmes run in different currencies and price levels; the member places
        # themselves, the programme never computes a band from spending.
        UNSPECIFIED = "", _("Not given")
        LOW = "low", _("Low")
        LOWER_MIDDLE = "lower_middle", _("Lower middle")
        MIDDLE = "middle", _("Middle")
        UPPER_MIDDLE = "upper_middle", _("Upper middle")
        HIGH = "high", _("High")

    class Education(models.TextChoices):
        UNSPECIFIED = "", _("Not given")
        PRIMARY = "primary", _("Primary school")
        SECONDARY = "secondary", _("Secondary school")
        VOCATIONAL = "vocational", _("Vocational college or associate degree")
        BACHELOR = "bachelor", _("Bachelor's degree")
        POSTGRADUATE = "postgraduate", _("Master's degree or higher")

    # CASCADE: the profile is personal data that has no meaning without its member, so it goes with them.
    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, primary_key=True, related_name="profile", verbose_name=_("member")
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True, default="")
    income_band = models.CharField(
        _("monthly income band"), max_length=16, choices=IncomeBand.choices, blank=True, default=""
    )
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True, default="")
    region = models.CharField(
        _("region"), max_length=100, blank=True, default="", help_text=_("District or city the member lives in.")
    )
    preferences = models.JSONField(
        _("preferences"), default=list, blank=True, help_text=_("Categories or styles the member likes.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["member_id"]
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(income_band__in=["", "low", "lower_middle", "middle", "upper_middle", "high"]),
                name="crm_profile_income_band_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    education__in=["", "primary", "secondary", "vocational", "bachelor", "postgraduate"]
                ),
                name="crm_profile_education_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"profile of member {self.member_id}"


class Tag(models.Model):
    """A label the programme's staff put on members by hand (smart tags, defined by rules, are segments)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="tags", verbose_name=_("programme"))
    name = models.CharField(_("name"), max_length=40)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["program_id", "name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="crm_tag_name_unique_per_program"),
            models.CheckConstraint(condition=~models.Q(name=""), name="crm_tag_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class MemberTag(models.Model):
    """One tag on one member. The tag and the member belong to the same programme (checked by the services)."""

    # No index of its own: the unique (member, tag) constraint leads with the member.
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="tags", verbose_name=_("member"), db_index=False
    )
    # PROTECT: a used tag is deleted only by detaching it on purpose (services.tag_delete), never as a side effect.
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="members", verbose_name=_("tag"))
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
        help_text=_("Empty when a terminal added the tag."),
    )

    class Meta:
        ordering = ["member_id", "tag_id"]
        verbose_name = _("member tag")
        verbose_name_plural = _("member tags")
        constraints = [models.UniqueConstraint(fields=["member", "tag"], name="crm_member_tag_unique")]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.tag_id}"
