"""Profile and tag forms of the console. They check shapes; the services decide what is valid."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tessera.crm.models import Profile
from tessera.crm.rules import SENSITIVE_MASK, TAG_NAME_MAX

# Staff type lists the way their keyboard makes it easy: commas of either width, the ideographic comma, lines.
_LIST_SEPARATORS = re.compile(r"[,，、;；\n]")


class ProfileForm(forms.Form):
    """Edit the profile attributes. Sensitive ones are offered only to staff who may reveal them, and even then
    start blank with the value masked, like the member page's personal data: a blank field keeps the current
    value, a tick box removes it, and a new value needs the member's separate consent ticked."""

    education = forms.ChoiceField(label=_("Education"), choices=Profile.Education.choices, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False,
                             help_text=_("District or city the member lives in."))  # fmt: skip
    preferences = forms.CharField(
        label=_("Preferences"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Categories or styles the member likes, separated by commas."),
    )  # fmt: skip
    occupation = forms.CharField(label=_("Occupation"), max_length=100, required=False)
    clear_occupation = forms.BooleanField(label=_("Remove the occupation"), required=False)
    income_band = forms.ChoiceField(label=_("Monthly income band"), required=False)
    clear_income_band = forms.BooleanField(label=_("Remove the income band"), required=False)
    separate_consent = forms.BooleanField(
        label=_("The member agreed separately to give their occupation and income band"), required=False
    )

    def __init__(self, *args: Any, profile: Profile, sensitive: bool, **kwargs: Any) -> None:
        kwargs["initial"] = {"education": profile.education, "region": profile.region,
                             "preferences": ", ".join(profile.preferences or [])}  # fmt: skip
        super().__init__(*args, **kwargs)
        self.sensitive = sensitive
        income = self.fields["income_band"]
        assert isinstance(income, forms.ChoiceField)
        income.choices = [("", _("Keep as it is"))] + [c for c in Profile.IncomeBand.choices if c[0]]
        if not sensitive:
            for name in ("occupation", "clear_occupation", "income_band", "clear_income_band", "separate_consent"):
                del self.fields[name]
            return
        for name in ("occupation", "income_band"):
            if getattr(profile, name):
                self.fields[name].help_text = gettext("Now %(value)s. Leave blank to keep it.") % {
                    "value": SENSITIVE_MASK
                }
            else:
                del self.fields[f"clear_{name}"]

    def changes(self) -> dict[str, object]:
        """The attributes to hand to ``profile_update``: all plain ones, and the sensitive ones typed or removed."""
        data = self.cleaned_data
        fields: dict[str, object] = {
            "education": data["education"],
            "region": data["region"],
            "preferences": [p for p in _LIST_SEPARATORS.split(data["preferences"]) if p.strip()],
        }
        if self.sensitive:
            for name in ("occupation", "income_band"):
                if data.get(f"clear_{name}"):
                    fields[name] = ""
                elif data.get(name):
                    fields[name] = data[name]
        return fields


class TagForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=TAG_NAME_MAX)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class TagPickForm(forms.Form):
    """A tag named by its id in a form value: the view looks it up among the viewer's programmes."""

    tag = forms.IntegerField(min_value=1)
    detach = forms.BooleanField(required=False)
