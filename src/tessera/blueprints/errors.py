"""Coded errors of programme templates."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Invalid, NotFound


class BlueprintUnknown(NotFound):
    code = "blueprint_unknown"
    message = _("There is no programme template called %(code)s.")


class BlueprintInvalid(Invalid):
    code = "blueprint_invalid"
    message = _("The programme template cannot be applied: %(reason)s")
