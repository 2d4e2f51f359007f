"""The follow-up or evaluation of a programme, measure by measure (SL 3 kap. 9 §)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elevstod.core.form_fields import date_input, textarea
from elevstod.support import services
from elevstod.support.labels import (
    CARRIED_OUT_LABELS,
    FOLLOW_UP_KIND_LABELS,
    FOLLOW_UP_OUTCOME_LABELS,
    MEASURE_EFFECT_LABELS,
    choices,
)
from elevstod.support.models import FollowUp
from elevstod.support.selectors.programmes import MeasureRow


class FollowUpForm(forms.Form):
    """Follow-up or evaluation, per measure (SL 3 kap. 9 §; process.md §2.6)."""

    kind = forms.ChoiceField(
        label=_("Typ"), choices=choices(FOLLOW_UP_KIND_LABELS), widget=forms.RadioSelect
    )
    participants = forms.CharField(label=_("Deltagare"), widget=textarea(2), required=False)
    pupil_invited = forms.BooleanField(label=_("Eleven har bjudits in"), required=False)
    guardian_invited = forms.BooleanField(label=_("Vårdnadshavarna har bjudits in"), required=False)
    pupil_view = forms.CharField(label=_("Elevens syn"), widget=textarea(3), required=False)
    guardian_view = forms.CharField(
        label=_("Vårdnadshavarnas syn"), widget=textarea(3), required=False
    )
    summary = forms.CharField(label=_("Sammanfattning"), widget=textarea(4), required=False)
    outcome = forms.ChoiceField(
        label=_("Resultat"), choices=choices(FOLLOW_UP_OUTCOME_LABELS), widget=forms.RadioSelect
    )
    next_on = forms.DateField(
        label=_("Nästa tillfälle"),
        widget=date_input(),
        required=False,
        help_text=_("Krävs när programmet fortsätter (3 kap. 9 § skollagen)."),
    )

    def __init__(self, *args: Any, measures: list[MeasureRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measures = measures
        for index, _measure in enumerate(measures):
            self.fields[f"carried_out_{index}"] = forms.ChoiceField(
                label=_("Genomförd som planerat"),
                choices=choices(CARRIED_OUT_LABELS),
                widget=forms.RadioSelect,
                error_messages={"required": gettext("Ange om åtgärden har genomförts.")},
            )
            self.fields[f"effect_{index}"] = forms.ChoiceField(
                label=_("Effekt på behovet"),
                choices=[("", gettext("Välj")), *choices(MEASURE_EFFECT_LABELS)],
                error_messages={"required": gettext("Bedöm åtgärdens effekt på behovet.")},
            )
            self.fields[f"comment_{index}"] = forms.CharField(
                label=_("Kommentar"), widget=textarea(2), required=False
            )

    def measure_fields(self) -> list[tuple[MeasureRow, Any, Any, Any]]:
        """Each measure with its three bound fields, for the template."""
        return [
            (
                measure,
                self[f"carried_out_{index}"],
                self[f"effect_{index}"],
                self[f"comment_{index}"],
            )
            for index, measure in enumerate(self.measures)
        ]

    def reviews(self) -> list[services.ReviewInput]:
        data = self.cleaned_data
        return [
            services.ReviewInput(
                measure_id=measure.id,
                carried_out=data[f"carried_out_{index}"],
                effect=data[f"effect_{index}"],
                comment=data[f"comment_{index}"],
            )
            for index, measure in enumerate(self.measures)
        ]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FollowUp.MEETING_FIELDS}
