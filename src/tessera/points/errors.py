from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict
from tessera.kit.money import amount_text
from tessera.ledger.models import POINTS


class PointsNotShared(Conflict):
    code = "points_not_shared"
    message = _(
        "Only %(usable_text)s of this card's points can be redeemed here (%(requested_text)s asked): the alliance's "
        "agreement lets points be redeemed only at the merchant that issued them."
    )


def points_not_shared(*, usable: int, requested: int) -> PointsNotShared:
    return PointsNotShared(
        usable=usable, requested=requested,
        usable_text=amount_text(usable, POINTS), requested_text=amount_text(requested, POINTS),
    )  # fmt: skip
