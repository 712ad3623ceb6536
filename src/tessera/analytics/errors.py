"""Coded errors of the analytics area."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict


class ReferenceDatePassed(Conflict):
    code = "rfm_reference_date_passed"
    message = _(
        "Scores for %(reference_date)s can no longer be computed: members' statistics hold only their latest "
        "purchases, and it is already %(today)s in the programme's time zone."
    )
