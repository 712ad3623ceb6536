"""Member forms of the staff console. They check shapes; the services decide what is valid for the programme."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tessera.kit.console.forms import WriteForm
from tessera.members.models import Member
from tessera.members.selectors import member_personal_masked
from tessera.members.services import Profile
from tessera.programs.models import Program


class ProfileFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=32, help_text=_("Local numbers are read in the programme's country.")
    )
    birthday = forms.DateField(
        label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Member.Gender.choices, required=False)
    locale = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES, initial="en")
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)

    def profile(self) -> Profile:
        data = self.cleaned_data
        return Profile(
            phone=data["phone"],
            name=data["name"],
            birthday=data["birthday"],
            gender=data.get("gender") or "",
            locale=data["locale"],
            email=data.get("email") or None,
        )


class EnrolForm(WriteForm, ProfileFields):
    program = forms.ModelChoiceField(label=_("Programme"), queryset=Program.objects.none(), empty_label=None)

    field_order = ["program", "name", "phone", "birthday", "gender", "locale", "email"]

    def __init__(self, *args: Any, programs: list[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program_field = self.fields["program"]
        assert isinstance(program_field, forms.ModelChoiceField)
        program_field.queryset = Program.objects.filter(id__in=[p.id for p in programs]).order_by("id")
        if len(programs) == 1:
            program_field.initial = programs[0].id
            program_field.widget = forms.HiddenInput()


class ProfileForm(ProfileFields):
    """Edit a profile without showing the member's personal data to whoever edits it.

    Phone, e-mail and birthday start blank, with the current value masked beside them, and a blank field keeps
    the current value: staff correct a name without seeing the full number. An audited reveal on the member page
    is the one way to see it. Removing an e-mail address or a birthday takes its own tick box, since blank keeps.
    """

    clear_email = forms.BooleanField(label=_("Remove the e-mail address"), required=False)
    clear_birthday = forms.BooleanField(label=_("Remove the birthday"), required=False)

    field_order = ["name", "phone", "birthday", "clear_birthday", "gender", "locale", "email", "clear_email"]

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        kwargs["initial"] = {"name": member.name, "gender": member.gender, "locale": member.locale}
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["phone"].required = False
        masked = member_personal_masked(member)
        for name in ("phone", "email", "birthday"):
            current = getattr(masked, name)
            keep = gettext("Now %(value)s. Leave blank to keep it.") % {"value": current}
            self.fields[name].help_text = keep if current else ""
        if not member.email:
            del self.fields["clear_email"]
        if not member.birthday:
            del self.fields["clear_birthday"]

    def profile(self) -> Profile:
        typed = super().profile()
        data = self.cleaned_data
        return replace(
            typed,
            phone=typed.phone or self.member.phone,
            email=None if data.get("clear_email") else typed.email or self.member.email,
            birthday=None if data.get("clear_birthday") else typed.birthday or self.member.birthday,
        )


class StatusForm(forms.Form):
    # Freezing and unfreezing only: closing a membership is member.close, in a view of its own.
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in (Member.Status.ACTIVE, Member.Status.FROZEN)])
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
