"""Admin: apply a programme template to the selected programmes, from the programme list's actions menu.

The actions are added to the programme admin from here, so that programmes need not know about templates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.blueprints.catalogue import BLUEPRINTS, Blueprint
from tessera.blueprints.services import blueprint_apply
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.programs.admin import ProgramAdmin
from tessera.programs.models import Program
from tessera.stores.selectors import headquarters_actor


def _action(blueprint: Blueprint) -> Callable[[Any, HttpRequest, QuerySet[Program]], None]:
    def apply(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Program]) -> None:
        for program in queryset:
            actor = headquarters_actor(merchant_id=program.owner_id, staff_id=request.user.pk,
                                       label=request.user.get_username())  # fmt: skip
            try:
                blueprint_apply(program=program, code=blueprint.code, actor=actor, now=now())
            except DomainError as exc:
                # Nothing of the template was saved for this programme; say why, in the staff member's language.
                modeladmin.message_user(request, f"{program.name}: {exc.text()}", messages.ERROR)
                continue
            modeladmin.message_user(request, _("%(program)s: template applied.") % {"program": program.name})

    apply.__name__ = f"apply_{blueprint.code}"
    # Formatted lazily: the menu is shown in each staff member's language, not the one at import time.
    description = format_lazy(gettext_lazy("Apply template: {title}"), title=blueprint.title)
    return admin.action(description=description)(apply)


ProgramAdmin.actions = [*(ProgramAdmin.actions or ()), *(_action(b) for b in BLUEPRINTS.values())]  # type: ignore[misc]
