from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Conflict, Forbidden, Invalid, NotFound


class ProfileAttributeInvalid(Invalid):
    code = "profile_attribute_invalid"
    message = _("The profile is not valid: %(reason)s")


class SensitiveConsentRequired(Forbidden):
    code = "sensitive_consent_required"
    message = _(
        "Occupation and income band are sensitive: save them only after the member has agreed to give them, "
        "separately from the membership terms."
    )


class SensitiveNotAllowed(Forbidden):
    code = "profile_sensitive_forbidden"
    message = _("Only the staff of the merchant that runs the card may set or see occupation and income band.")


class TagNameInvalid(Invalid):
    code = "tag_name_invalid"
    message = _("A tag name is 1 to 40 characters, and a description at most 200.")


class TagExists(Conflict):
    code = "tag_exists"
    message = _("The programme already has a tag named “%(name)s”.")


class TagNotFound(NotFound):
    code = "tag_not_found"
    message = _("The programme has no such tag.")


class TagOtherProgram(Forbidden):
    code = "tag_other_program"
    message = _("This tag belongs to another programme; only the member's own programme's tags can be used.")


class TagNotOwner(Forbidden):
    code = "tag_not_owner"
    message = _("Only the merchant that runs the programme manages its tags.")


class TagInUse(Conflict):
    code = "tag_in_use"
    message = _("%(count)s members carry this tag. Confirm that it should be taken off them and deleted.")
