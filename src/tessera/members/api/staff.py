"""Which programme a headquarters API call is about, for every area's staff-token endpoints.

Here, in the members area, so that the areas above it (tiers, analytics, CRM, segments) and the interface layer
share one answer instead of each keeping a copy: the same 404 for another merchant's programme as for an
unknown one, and 403 where the role lacks the action.
"""

from __future__ import annotations

from django.http import HttpRequest

from tessera.access.api import staff_of
from tessera.access.rules import Action
from tessera.kit.actor import Actor
from tessera.members.errors import ProgramNotServed
from tessera.programs.models import Program
from tessera.stores.selectors import headquarters_get


def program_for_staff(
    request: HttpRequest, program_id: str, action: Action = Action.PROGRAM_CONFIGURE
) -> tuple[Program, Actor]:
    """The programme, if the staff member is headquarters of its owner with ``action``; one 404 for every
    other merchant's or unknown programme, 403 where the role lacks the action."""
    program = Program.objects.filter(public_id=program_id).first()
    if program is None:
        raise ProgramNotServed()
    hq = headquarters_get(merchant_id=program.owner_id)
    auth = staff_of(request)
    if not auth.user.is_superuser and auth.user.merchant_id != program.owner_id:
        raise ProgramNotServed()
    auth.require(action, store_id=hq.id, store_merchant_id=program.owner_id)
    actor = Actor(store_id=hq.id, merchant_id=program.owner_id, currency=hq.currency, staff_id=auth.user.id)
    return program, actor
