"""The console's authorisation suite, generated from the URLconf and the permission matrix (issue 5; OWASP API1
broken object-level and API5 broken function-level authorisation).

Every URL pattern outside the admin and the API is a console page and must carry the action ``console_view``
declared for it. Each page is asked, with every method it accepts, by every role and a platform admin:

- in their own scope (their store, or for merchant-wide roles also the merchant's second store): exactly the
  pages the matrix allows answer, the others are 403, and one who covers no store is sent to choose one;
- on a page above any store (an alliance's, ``console_view(..., store=False)``), with or without a store: the
  roles that allow its action and reach a merchant or an alliance answer (each side's card is an alliance's
  here, and the alliance administrator is the own one's), other roles allowing it get 404, the rest 403;
- as a store outside their scope (another merchant's, or an unassigned one): 403;
- with ids of another merchant's member, card, documents or alliance, or of the own merchant's other store's
  documents: the very answer a guessed id gets;
- and never with another merchant's member or the own member's full phone, e-mail address or birthday in the
  page, bar an allowed reveal; a refused request writes nothing.

A new page is picked up by this suite without any change here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tessera.access.console.acting import SESSION_STORE_KEY
from tessera.access.models import StaffUser
from tessera.access.rules import PERMISSIONS, REACH, Action, Reach, Role
from tessera.access.tests.authz import (
    PLATFORM,
    PRINCIPALS,
    AuthzWorld,
    allowed,
    authz_world_build,
    covers,
    guess,
    leaked,
)
from tessera.audit.models import AuditRecord
from tessera.checkout.models import Document
from tessera.ledger.models import Posting
from tessera.members.models import Member
from tessera.programs.services import alliance_create
from tessera.stores.models import Store

pytestmark = pytest.mark.django_db

NOT_CONSOLE = ("admin/", "api/")  # the admin and the API have suites of their own
PUBLIC = {"console:login", "console:logout", "console:set-language"}  # open to anyone, by design
PATH_KINDS = {"member_id": "member", "document_id": "document", "alliance_id": "alliance",
              "segment_id": "segment"}  # own, foreign, guessed  # fmt: skip
# Plain values, the same for everyone: the month settlement pages show (closed for both merchants).
PATH_VALUES = {"year": lambda w: w.closed_month[0], "month": lambda w: w.closed_month[1]}
QUERY_KINDS = {"member": "member", "q": "card", "original": "top_up"}  # what pages read from the query or form
REVEAL = "console:members:reveal"
SIGNED_IN = "signed in"


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    callback: object
    params: tuple[str, ...]

    def url(self, refs: dict[str, str], world: AuthzWorld) -> str:
        ids = {p: refs[PATH_KINDS[p]] for p in self.params if p in PATH_KINDS}
        return reverse(self.name, kwargs=ids | {p: PATH_VALUES[p](world) for p in self.params if p in PATH_VALUES})

    @property
    def kinds(self) -> list[str]:
        return sorted({PATH_KINDS[p] for p in self.params if p in PATH_KINDS} | set(QUERY_KINDS.values()))

    @property
    def needs_store(self) -> bool:
        return bool(getattr(self.callback, "console_needs_store", True))


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            yield Route(prefix + str(entry.pattern), name, entry.callback, tuple(entry.pattern.converters))


def console_routes() -> list[Route]:
    return [r for r in _walk(get_resolver().url_patterns) if not r.pattern.startswith(NOT_CONSOLE)]


GUARDED = [r for r in console_routes() if r.name not in PUBLIC]


def test_every_console_page_is_guarded_and_declares_its_action():
    unguarded = [r.pattern for r in GUARDED if not hasattr(r.callback, "console_action")]
    assert unguarded == [], "wrap these views in console_view(Action.…), or add them to PUBLIC with a reason"
    assert all(isinstance(r.callback.console_action, Action | None) for r in GUARDED)


def test_every_path_parameter_has_ids_to_try():
    known = set(PATH_KINDS) | set(PATH_VALUES)
    assert {p for r in GUARDED for p in r.params} <= known, "map the new parameter in PATH_KINDS or PATH_VALUES"


# ---------------------------------------------------------------- asking


class Asker:
    """Signed-in clients per (principal, store), reused across the questions of one test."""

    def __init__(self, world: AuthzWorld) -> None:
        self.world = world
        self.clients: dict[tuple[str, int | None], Client] = {}

    def client(self, principal: str, store: Store | None) -> Client:
        found = self.clients.get((principal, store.id if store else None))
        if found is None:
            found = Client()
            found.force_login(self.world.staff[principal])
            self.clients[principal, store.id if store else None] = found
        # Set again each time: the console forgets a store outside the scope as soon as it refuses it.
        session = found.session
        if store is not None and session.get(SESSION_STORE_KEY) != store.id:
            session[SESSION_STORE_KEY] = store.id
            session.save()
        return found

    def ask(self, client: Client, route: Route, method: str, refs: dict[str, str]):
        data = {name: refs[kind] for name, kind in QUERY_KINDS.items()}
        if method == "GET":
            return client.get(route.url(refs, self.world), data)
        data |= {"field": "phone", "status": "frozen", "reason": "authz", "store": self.world.own.store.public_id}
        return client.post(route.url(refs, self.world), data)

    def refs_at(self, store: Store) -> dict[str, str]:
        """The own ids as seen from ``store``: its own documents; members are the merchant's."""
        refs = dict(self.world.own.refs)
        if store.id != self.world.own.store.id:
            refs |= self.world.other_store_refs
        return refs


def _writes() -> tuple[object, ...]:
    members = tuple(Member.objects.order_by("id").values_list("status", "card_code", "phone", "email"))
    return AuditRecord.objects.count(), Posting.objects.count(), Document.objects.count(), members


def _outcome(response) -> str:
    if response.status_code == 302:
        target = response["Location"]
        if target.startswith(reverse("console:login")):
            return "login"
        if target.startswith(reverse("console:store-select")) and "next=" in target:
            return "choose store"
    # The caller was let in: the page answered, or refused the input (a form's 400, 409 or 422), not the caller.
    if response.status_code in (200, 302, 400, 409, 422):
        return "ok"
    return str(response.status_code)


def _expect(principal: str, route: Route, store: Store | None, world: AuthzWorld) -> str:
    action = route.callback.console_action
    if store is not None and not covers(principal, store, world):
        return "403"  # the middleware refuses a store outside the scope, whatever the page
    if action is None:
        return SIGNED_IN  # a page of no action asks only for a signed-in staff member
    if not route.needs_store:
        return _expect_above_stores(principal, action, route)
    if store is None:
        return "choose store"
    return "ok" if allowed(principal, action, store, world) else "403"


def _expect_above_stores(principal: str, action: Action, route: Route) -> str:
    """A page above any store, whatever store is chosen: the role must allow the action (else 403); one alliance's
    page answers the roles that reach its merchants or the alliance itself, and is a 404 to those reaching stores."""
    if principal == PLATFORM:
        return "ok"
    role = Role(principal)
    if action not in PERMISSIONS[role]:
        return "403"
    if "alliance_id" in route.params and REACH[role] is Reach.STORES:
        return "404"
    return "ok"


def _home_store(principal: str, world: AuthzWorld) -> Store | None:
    """The store a principal acts as in its own scope; None for those whose scope reaches no store."""
    return world.own.store if covers(principal, world.own.store, world) else None


# ---------------------------------------------------------------- the suite


def _accepted_methods(route: Route, asker: Asker) -> list[str]:
    client = asker.client("platform", asker.world.own.store)
    return [m for m in ("GET", "POST") if asker.ask(client, route, m, asker.world.own.refs).status_code != 405]


def _check(asker: Asker, route: Route, method: str, principal: str, store: Store | None) -> list[str]:
    world = asker.world
    refs = asker.refs_at(store) if store else world.own.refs
    expected = _expect(principal, route, store, world)
    before = _writes() if expected not in ("ok", SIGNED_IN) else None
    response = asker.ask(asker.client(principal, store), route, method, refs)
    got = _outcome(response)
    where = f"{method} {route.pattern} as {principal} at {store.code if store else 'no store'}"
    matches = got != "login" if expected == SIGNED_IN else got == expected
    problems = [] if matches else [f"{where}: {got}, the matrix says {expected}"]
    if before is not None and _writes() != before:
        problems.append(f"{where}: refused, yet it wrote")
    if not (route.name == REVEAL and got == "ok"):
        problems += [f"{where}: shows {text!r}" for text in leaked(response.content.decode(errors="replace"), world)]
    return problems


def _check_foreign_ids(asker: Asker, route: Route, method: str, principal: str) -> list[str]:
    """Every foreign id of each kind the page reads gets the answer of a guessed id of that kind."""
    world = asker.world
    client, problems = asker.client(principal, _home_store(principal, world)), []
    for kind in route.kinds:
        unknown = asker.ask(client, route, method, world.own.refs | {kind: guess(kind, world.own.refs[kind])})
        for value in world.foreign_values(kind):
            foreign = asker.ask(client, route, method, world.own.refs | {kind: value})
            where = f"{method} {route.pattern} as {principal} with a foreign {kind}"
            if (foreign.status_code, _outcome(foreign)) != (unknown.status_code, _outcome(unknown)):
                problems.append(f"{where}: {foreign.status_code}, a guessed {kind} {unknown.status_code}")
            shown = leaked(foreign.content.decode(errors="replace"), world, (value,))
            if not (route.name == REVEAL and _outcome(foreign) == "ok"):
                problems += [f"{where}: shows {text!r}" for text in shown]
    return problems


def _id_askers(route: Route, world: AuthzWorld) -> list[str]:
    """One principal of each reach the page lets in, the platform admin, and one it refuses.

    Views find ids through the acting store and, for some pages, the scope; never through the role alone, so
    these stand for every role. The refused one shows that a refusal answers before any id is looked up. A page
    above any store finds ids through the scope alone, which for a platform administrator reaches every merchant.
    """
    action = route.callback.console_action
    picked: dict[object, str] = {}
    for principal in PRINCIPALS:
        if principal != PLATFORM and _home_store(principal, world) is None and route.needs_store:
            continue
        if principal == PLATFORM and not route.needs_store:
            continue
        lets_in = action is None or principal == "platform" or action in PERMISSIONS[Role(principal)]
        reach = "platform" if principal == "platform" else REACH[Role(principal)]
        picked.setdefault((reach,) if lets_in else "refused", principal)
    return list(picked.values())


def _alliances(world: AuthzWorld) -> None:
    """Make each side's card an alliance's, and link the alliance administrator to the own one: the alliance pages
    answer in the own scope, and the foreign alliance must look like a guessed one. No partners: one joining after
    a month was closed would change what that month settles (verify S1); console/tests/test_alliance.py has them."""
    for side in (world.own, world.foreign):
        card = alliance_create(program=side.world.program, name=f"{side.world.merchant.name} card", partners=[],
                               commission_bp=1_000)  # fmt: skip
        side.refs["alliance"] = card.public_id
        if side is world.own:
            StaffUser.objects.filter(id=world.staff[Role.ALLIANCE_ADMIN].id).update(alliance=card)


@pytest.fixture
def world():
    built = authz_world_build()
    _alliances(built)
    return built


@pytest.mark.parametrize("route", GUARDED, ids=[r.pattern or "/" for r in GUARDED])
def test_every_role_gets_what_the_matrix_says_on_every_console_page(world, route):
    asker = Asker(world)
    problems: list[str] = []
    for method in _accepted_methods(route, asker):
        for principal in PRINCIPALS:
            stores = {_home_store(principal, world), world.own.world.b.store}
            if principal != "platform":
                stores.add(world.foreign.store)
            for store in sorted(stores, key=lambda s: s.id if s else 0):
                problems += _check(asker, route, method, principal, store)
        for principal in _id_askers(route, world):
            problems += _check_foreign_ids(asker, route, method, principal)
        anonymous = _outcome(asker.ask(Client(), route, method, world.own.refs))
        if anonymous != "login":
            problems.append(f"{method} {route.pattern} anonymously: {anonymous}, not sent to sign in")
    assert not problems, "\n".join(problems)


def test_alliance_admins_are_offered_no_store_to_act_as(world):
    assert REACH[Role.ALLIANCE_ADMIN] is Reach.ALLIANCE
    client = Asker(world).client(Role.ALLIANCE_ADMIN, None)
    # Their console is their alliance's pages; without an alliance, there is nothing to choose.
    assert client.get(reverse("console:store-select"))["Location"] == reverse("console:settlement:alliances")
    assert client.post(reverse("console:store-select"), {"store": world.own.store.public_id}).status_code == 403
    StaffUser.objects.filter(id=world.staff[Role.ALLIANCE_ADMIN].id).update(alliance=None)
    assert client.get(reverse("console:store-select")).context["stores"] == []
