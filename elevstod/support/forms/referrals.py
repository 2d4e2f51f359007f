"""The report to the principal (SL 3 kap. 7 §; process.md §2.2)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from elevstod.support.forms.fields import choice_field, radio_field, text_field
from elevstod.support.labels import REFERRAL_GROUND_LABELS


class ReferralForm(forms.Form):
    """A report to the principal (SL 3 kap. 7 §; process.md §2.2)."""

    ground = radio_field(_("Grund för anmälan"), REFERRAL_GROUND_LABELS)
    description = text_field(_("Beskriv svårigheterna"), rows=5)
    results = text_field(
        _("Relevanta resultat"),
        rows=3,
        required=False,
        help_text=_("Till exempel resultat på nationella prov, bedömningsstöd eller frånvaro."),
    )
    adaptations = forms.MultipleChoiceField(
        label=_("Extra anpassningar som har prövats"),
        required=False,  # may_refer refuses "despite adaptations" without any, with its paragraph
        widget=forms.CheckboxSelectMultiple,
    )
    guardian_informed = forms.BooleanField(
        label=_("Vårdnadshavarna är informerade om anmälan"), required=False
    )
    pupil_informed = forms.BooleanField(label=_("Eleven är informerad om anmälan"), required=False)
    concern = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, adaptation_ids: Iterable[uuid.UUID], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "adaptations").choices = [(str(pk), str(pk)) for pk in adaptation_ids]

    def chosen_adaptations(self) -> set[str]:
        """The adaptations ticked, as typed: a refused or invalid report keeps them ticked."""
        return set(self["adaptations"].value() or [])
