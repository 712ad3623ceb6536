"""Creating programmes and the merchants that serve them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tessera.kit.db import use_case
from tessera.kit.errors import Invalid
from tessera.programs.models import Program, ProgramMerchant, TopUpBonusBand
from tessera.stores.models import Merchant


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
