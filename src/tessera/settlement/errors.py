"""Settlement errors: each a stable code, an HTTP status and a translated message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict, Invalid, NotFound


class PeriodNotOver(Conflict):
    code = "settlement_period_not_over"
    message = _("%(period)s can be closed from %(from)s, once the month is over and late postings are in.")


class PeriodAlreadyClosed(Conflict):
    code = "settlement_period_closed"
    message = _("%(period)s is closed already; correct it with an adjustment in an open month.")


class PreviousPeriodOpen(Conflict):
    code = "settlement_previous_period_open"
    message = _("Close %(previous)s first: each month opens with the previous month's closing figures.")


class PeriodInvalid(Invalid):
    code = "settlement_period_invalid"
    message = _("The period must be a month written as YYYY-MM.")


class PeriodNotFound(NotFound):
    code = "settlement_period_not_found"
    message = _("No settlement has been closed for %(period)s.")


class AdjustmentInvalid(Invalid):
    code = "settlement_adjustment_invalid"
    message = _("The adjustment is not valid: %(reason)s.")
