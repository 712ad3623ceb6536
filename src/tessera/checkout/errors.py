from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict, Invalid, NotFound
from tessera.members.errors import MemberNotActive, MemberNotFound

__all__ = ["MemberNotActive", "MemberNotFound"]


class DocumentNumberConflict(Conflict):
    code = "document_number_conflict"
    message = _(
        "POS document %(pos_number)s was already recorded at this store with different contents. "
        "Send a new document number for a new document."
    )


class DocumentNotFound(NotFound):
    code = "document_not_found"
    message = _("No sale %(pos_number)s was recorded at this store.")


class CurrencyMismatch(Invalid):
    code = "currency_mismatch"
    message = _("This store works in %(expected)s, not %(given)s.")


class UnknownCurrency(Invalid):
    code = "unknown_currency"
    message = _("%(given)s is not a known ISO 4217 currency code.")


class TenderMismatch(Invalid):
    code = "tender_mismatch"
    message = _("The payments add up to %(tendered_text)s but the document totals %(total_text)s.")


class LineInvalid(Invalid):
    code = "line_invalid"
    message = _("Line %(line_no)s is not valid: %(reason)s")


class EventTimeInvalid(Invalid):
    code = "event_time_invalid"
    message = _("The till time %(event_at)s is too far in the future or too long ago.")


class ReturnExceedsSale(Conflict):
    code = "return_exceeds_sale"
    message = _("Line %(line_no)s: %(requested)s to return but only %(remaining)s left on the sale.")


class NothingToReturn(Conflict):
    code = "nothing_to_return"
    message = _("Everything on sale %(pos_number)s has already been returned.")


class ReturnLineUnknown(Invalid):
    code = "return_line_unknown"
    message = _("Line %(line_no)s is not on the original sale.")


class StoredValueNotAccepted(Invalid):
    code = "stored_value_not_accepted"
    message = _("Stored value in %(currency)s cannot pay for a document in %(given)s.")


class AmountInvalid(Invalid):
    code = "amount_invalid"
    message = _("The amount must be a whole number of minor units between 1 and %(max)s.")


class PointsPaymentInexact(Invalid):
    code = "points_payment_inexact"
    message = _(
        "Whole points cannot pay exactly that amount: %(points)s points pay %(coverable)s minor units. Send that "
        "amount as the points payment and take the rest another way."
    )


class ImportProgramNotFound(NotFound):
    code = "import_program_not_found"
    message = _("No programme has the id %(program)s.")


class ImportStoreNotFound(NotFound):
    code = "import_store_not_found"
    message = _("No store with the code %(store)s serves this programme.")


class ImportFileUnreadable(Invalid):
    code = "import_file_unreadable"
    message = _("The file cannot be read as a table: %(reason)s")


class ImportCurrencyMismatch(Invalid):
    code = "import_currency_mismatch"
    message = _("Store %(store)s keeps its books in %(store_currency)s, the programme in %(currency)s.")
