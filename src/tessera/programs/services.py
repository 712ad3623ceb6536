"""Creating programmes and the merchants that serve them."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tessera.audit.services import audit_record
from tessera.kit.actor import Actor
from tessera.kit.db import assert_in_transaction, use_case
from tessera.kit.errors import Invalid
from tessera.programs.models import Program, ProgramMerchant, TopUpBonusBand
from tessera.stores.models import Alliance, Merchant


class ProgramSetupInvalid(Invalid):
    code = "program_setup_invalid"
    message = _("The programme settings are not valid: %(reason)s")


def program_create(
    *,
    owner: Merchant,
    name: str,
    currency: str | None = None,
    timezone: str | None = None,
    phone_region: str | None = None,
    **settings: object,
) -> Program:
    """Create a programme owned by ``owner``, whose stores serve it from the start."""
    program = Program(
        owner=owner,
        name=name,
        currency=(currency or owner.currency).upper(),
        timezone=timezone or owner.timezone,
        phone_region=(phone_region or owner.country).upper(),
        **settings,
    )
    try:
        program.full_clean()
    except ValidationError as exc:
        raise ProgramSetupInvalid(reason="; ".join(exc.messages)) from exc
    with use_case():
        program.save()
        ProgramMerchant.objects.create(program=program, merchant=owner, role=ProgramMerchant.Role.OWNER)
    return program


def top_up_band_set(*, program: Program, min_amount_minor: int, bonus_minor: int) -> TopUpBonusBand:
    if min_amount_minor <= 0 or bonus_minor < 0:
        raise ProgramSetupInvalid(reason=_("the threshold must be positive and the bonus not negative"))
    with use_case():
        band, _created = TopUpBonusBand.objects.update_or_create(
            program=program, min_amount_minor=min_amount_minor, defaults={"bonus_minor": bonus_minor}
        )
    return band


# What headquarters may change after a programme exists. Currency and owner anchor accounts and merchants.
SETTINGS_EDITABLE = frozenset(
    {
        "name", "timezone", "phone_region", "earn_points", "earn_per_minor", "earn_on_stored_value",
        "point_value_points", "point_value_minor", "return_shortfall_policy", "stored_value_spend_order",
        "points_expiry_policy", "points_expiry_days", "points_expiry_months", "points_expiry_reminder_days",
        "burn_enabled", "burn_min_points", "burn_max_share_pct", "join_min_purchase_minor", "card_validity_months",
        "card_renewal_fee_minor",
    }
)  # fmt: skip


def program_settings_update(*, program: Program, changes: dict[str, object], actor: Actor, now: datetime) -> Program:
    """Change programme settings; every rule is checked before anything is saved, and the change is audited.

    :raises ProgramSetupInvalid: an unknown or read-only field, or a value or combination the programme refuses.
    """
    unknown = sorted(set(changes) - SETTINGS_EDITABLE)
    if unknown:
        raise ProgramSetupInvalid(
            reason=_("these settings cannot be changed: %(names)s") % {"names": ", ".join(unknown)}
        )
    with use_case():
        return program_settings_write(program=program, changes=changes, actor=actor, now=now)


def program_settings_write(*, program: Program, changes: dict[str, object], actor: Actor, now: datetime) -> Program:
    """program_settings_update inside the caller's transaction (a programme template sets several things at once).

    :raises ProgramSetupInvalid: as program_settings_update.
    """
    assert_in_transaction()
    unknown = sorted(set(changes) - SETTINGS_EDITABLE)
    if unknown:
        raise ProgramSetupInvalid(
            reason=_("these settings cannot be changed: %(names)s") % {"names": ", ".join(unknown)}
        )
    locked = Program.objects.select_for_update().get(id=program.id)
    for name, value in changes.items():
        setattr(locked, name, value)
    try:
        locked.full_clean()
    except ValidationError as exc:
        raise ProgramSetupInvalid(reason="; ".join(exc.messages)) from exc
    locked.save()
    audit_record(actor=actor, action="program.configure", object_type="program", object_id=locked.public_id,
                 now=now, details={"fields": sorted(changes)})  # fmt: skip
    return locked


def alliance_create(
    *,
    program: Program,
    name: str,
    partners: list[Merchant],
    commission_bp: int = 0,
    operator: Merchant | None = None,
    stored_value_shared: bool = False,
    licence_holder: str = "",
    points_shared: bool = True,
) -> Alliance:
    """Make ``program`` the shared card of an alliance of its owner and ``partners``, run by ``operator`` (its owner
    unless named), who keeps ``commission_bp`` of points redeemed across merchants. With ``points_shared`` off the
    agreement keeps points with their issuer: each merchant redeems only the points it issued.

    :raises ProgramSetupInvalid: the programme is an alliance's already, a partner takes part already or keeps
        another currency, the commission is outside 0 to 10000, or stored value is shared without a licence holder.
    """
    with use_case():
        locked = Program.objects.select_for_update().get(id=program.id)
        problem = _alliance_problem(locked, partners, commission_bp, stored_value_shared, licence_holder)
        if problem:
            raise ProgramSetupInvalid(reason=problem)
        alliance = Alliance.objects.create(
            name=name, operator=operator or locked.owner, commission_bp=commission_bp,
            stored_value_shared=stored_value_shared, licence_holder=licence_holder, points_shared=points_shared,
        )  # fmt: skip
        Program.objects.filter(id=locked.id).update(alliance=alliance)
        ProgramMerchant.objects.bulk_create(
            [ProgramMerchant(program=locked, merchant=m, role=ProgramMerchant.Role.PARTNER) for m in partners]
        )
        program.alliance = alliance
        return alliance


def _alliance_problem(
    program: Program, partners: list[Merchant], commission_bp: int, shared: bool, licence_holder: str
) -> str:
    taking_part = set(ProgramMerchant.objects.filter(program=program).values_list("merchant_id", flat=True))
    if program.alliance_id is not None:
        return str(_("the programme is an alliance's card already"))
    if any(m.id in taking_part for m in partners) or len({m.id for m in partners}) != len(partners):
        return str(_("a partner takes part in the programme already"))
    if any(m.currency != program.currency for m in partners):
        return str(_("every partner must keep the programme's currency"))
    if not 0 <= commission_bp <= 10_000:
        return str(_("the commission is in basis points, 0 to 10000"))
    if shared and not licence_holder.strip():
        return str(_("name who holds the payment licence before sharing stored value"))
    return ""
