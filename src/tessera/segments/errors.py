"""Coded errors of the segments area."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict, Invalid, NotFound


class DefinitionInvalid(Invalid):
    """A segment definition that cannot be counted; ``problems`` lists each bad part as ``where: what``."""

    code = "segment_definition_invalid"
    message = _("The segment's conditions are not valid: %(problems)s")

    def __init__(self, *, problems: list[str]) -> None:
        super().__init__(problems="; ".join(problems))
        self.problems = problems


class SegmentNotFound(NotFound):
    code = "segment_not_found"
    message = _("No such segment in this programme.")


class SegmentNameTaken(Conflict):
    code = "segment_name_taken"
    message = _("The programme already has a segment called %(name)s.")


class SegmentInvalid(Invalid):
    code = "segment_invalid"
    message = _("The segment is not valid: %(reason)s")
