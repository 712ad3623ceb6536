from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict, Forbidden, Invalid, NotFound


class PhoneInvalid(Invalid):
    code = "phone_invalid"
    message = _("%(phone)s is not a valid phone number.")


class MemberExists(Conflict):
    code = "member_exists"
    message = _("A member with this phone number already belongs to the programme.")


class ProgramNotServed(NotFound):
    code = "program_not_found"
    message = _("This store serves no such programme.")


class ProgramAmbiguous(Invalid):
    code = "program_required"
    message = _("This store serves several programmes; say which one.")


class ProfileInvalid(Invalid):
    code = "profile_invalid"
    message = _("The member details are not valid: %(reason)s")


class StatusChangeInvalid(Conflict):
    code = "status_change_invalid"
    message = _("A %(current)s membership cannot become %(target)s.")


class MemberNotFound(NotFound):
    code = "member_not_found"
    message = _("No member matches this card, code, phone number or id at this store.")


class MemberNotActive(Conflict):
    code = "member_not_active"
    message = _("This membership is %(status)s; it cannot earn, spend or top up.")


class SharingNotApplicable(Invalid):
    code = "history_sharing_not_applicable"
    message = _("Only an alliance card has partners to share purchase history with.")


class SharingNotOwner(Forbidden):
    code = "history_sharing_not_owner"
    message = _("Only the merchant that runs the card records the member's consent to share with partners.")
