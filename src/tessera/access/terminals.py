"""What a POS terminal may do: the till actions of the permission matrix, only as its own store."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tessera.access.rules import TERMINAL_ACTIONS, Action
from tessera.kit.actor import Actor
from tessera.kit.errors import Forbidden
from tessera.stores.api.auth import terminal_of


class ActionForbidden(Forbidden):
    code = "action_forbidden"
    message = _("This account may not do that here.")


def terminal_actor(request: HttpRequest, *, store_code: str | None, action: Action) -> Actor:
    """The actor for an API call by a terminal.

    :raises ActionForbidden: terminals may not do ``action`` (staff-only work such as closing memberships).
    :raises WrongStore: the request names a store other than the key's own.
    """
    if action not in TERMINAL_ACTIONS:
        raise ActionForbidden()
    return terminal_of(request).actor_for(store_code)
