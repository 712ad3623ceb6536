"""Saved segments, their member snapshots and the history of their refreshes.

A saved segment's members are the snapshot its last refresh wrote (``SegmentMember``), so the list a campaign or
an export uses stays the same between refreshes, however members change meanwhile; the live count of the
builder is the only place a definition is counted afresh. A smart tag is a saved segment whose snapshot shows on
the member as a tag.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from ulid import ULID

from tessera.members.models import Member
from tessera.programs.models import Program


def segment_public_id() -> str:
    return f"seg_{str(ULID()).lower()}"


class TagColour(models.TextChoices):
    GREY = "grey", _("Grey")
    BLUE = "blue", _("Blue")
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")
    PURPLE = "purple", _("Purple")


class Segment(models.Model):
    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=segment_public_id, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True, default="")
    definition = models.JSONField(_("definition"), help_text=_("Groups and conditions (docs/segments.md)."))
    is_smart_tag = models.BooleanField(_("show as a tag on members"), default=False)
    tag_label = models.CharField(_("tag label"), max_length=40, blank=True, default="")
    tag_colour = models.CharField(_("tag colour"), max_length=8, choices=TagColour.choices, default=TagColour.GREY)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("updated by"),
    )  # fmt: skip
    # The last refresh's figures, kept here so the list of segments reads one row per segment.
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    member_count = models.PositiveIntegerField(_("members at the last refresh"), null=True, blank=True)

    class Meta:
        ordering = ["program_id", "name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="segment_name_unique_per_program"),
            models.CheckConstraint(condition=~models.Q(name=""), name="segment_name_not_empty"),
            models.CheckConstraint(
                condition=models.Q(is_smart_tag=False) | ~models.Q(tag_label=""), name="segment_smart_tag_labelled"
            ),
            models.CheckConstraint(
                condition=models.Q(tag_colour__in=TagColour.values), name="segment_tag_colour_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(refreshed_at__isnull=True, member_count__isnull=True)
                | models.Q(refreshed_at__isnull=False, member_count__isnull=False),
                name="segment_refresh_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SegmentRefresh(models.Model):
    """One refresh of a saved segment: when, by whom, and how many members it held (the count's history)."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="refreshes", verbose_name=_("segment"))
    refreshed_at = models.DateTimeField(_("refreshed at"))
    member_count = models.PositiveIntegerField(_("members"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("refreshed by"), help_text=_("Empty for the nightly refresh."),
    )  # fmt: skip

    class Meta:
        ordering = ["segment_id", "-refreshed_at", "-id"]
        verbose_name = _("segment refresh")
        verbose_name_plural = _("segment refreshes")
        indexes = [models.Index(fields=["segment", "-refreshed_at"], name="segment_refresh_latest_idx")]

    def __str__(self) -> str:
        return f"{self.segment_id} @ {self.refreshed_at:%Y-%m-%d %H:%M}"


class SegmentMember(models.Model):
    """A member in the segment's latest snapshot; a refresh replaces all of a segment's rows at once."""

    # No index of its own: the unique (segment, member) constraint leads with the segment.
    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="members", verbose_name=_("segment"), db_index=False
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="segment_rows", verbose_name=_("member"), db_index=False
    )

    class Meta:
        ordering = ["segment_id", "member_id"]
        verbose_name = _("segment member")
        verbose_name_plural = _("segment members")
        constraints = [models.UniqueConstraint(fields=["segment", "member"], name="segment_member_unique")]
        # A member's smart tags are found from the member's side (the member page).
        indexes = [models.Index(fields=["member", "segment"], name="segment_member_by_member_idx")]

    def __str__(self) -> str:
        return f"{self.segment_id}:{self.member_id}"
