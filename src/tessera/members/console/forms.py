"""Member forms of the staff console. They check shapes; the services decide what is valid for the programme."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tessera.kit.console.forms import WriteForm
from tessera.members.models import Member
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
    """Edit a profile. For staff who may not see full personal data, phone and birthday start blank and a blank
    field keeps the current value, so a cashier can correct a name without ever seeing the full number."""

    def __init__(self, *args: Any, member: Member, full_view: bool, **kwargs: Any) -> None:
        initial = {
            "name": member.name,
            "gender": member.gender,
            "locale": member.locale,
            "email": member.email or "",
            "phone": member.phone if full_view else "",
            "birthday": member.birthday if full_view else None,
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.member = member
        self.full_view = full_view
        if not full_view:
            keep = _("Leave blank to keep the current value.")
            self.fields["phone"].required = False
            self.fields["phone"].help_text = keep
            self.fields["birthday"].help_text = keep

    def profile(self) -> Profile:
        typed = super().profile()
        if self.full_view:
            return typed
        return replace(typed, phone=typed.phone or self.member.phone, birthday=typed.birthday or self.member.birthday)


class StatusForm(forms.Form):
    # Freezing and unfreezing only: closing a membership is member.close, in a view of its own.
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in (Member.Status.ACTIVE, Member.Status.FROZEN)])
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
