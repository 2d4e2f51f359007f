import uuid
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from elevstod.audit.models import ReviewOutcome
from elevstod.front.search import SearchTermField
from elevstod.organisation.models import SchoolUnit


class LogFilterForm(forms.Form):
    school_unit = forms.ModelChoiceField(
        label=_("Skolenhet"),
        queryset=SchoolUnit.objects.none(),
        required=False,
        empty_label=_("Alla mina enheter"),
    )
    user_query = SearchTermField(
        label=_("Användare"),
        help_text=_("Namn eller användarnamn."),
    )
    # Set by the links in the table: one exact pupil or user.
    pupil = forms.UUIDField(required=False, widget=forms.HiddenInput)
    user = forms.UUIDField(required=False, widget=forms.HiddenInput)
    period_start = forms.DateField(
        label=_("Från"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Till"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    denied_only = forms.BooleanField(label=_("Endast nekade försök"), required=False)

    def __init__(self, *args: Any, unit_ids: Iterable[uuid.UUID], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        school_unit = cast(forms.ModelChoiceField, self.fields["school_unit"])
        school_unit.queryset = SchoolUnit.objects.filter(pk__in=unit_ids)

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Slutdatumet kan inte ligga före startdatumet."))
        return cleaned


class PupilLogSearchForm(forms.Form):
    """Finding the pupil whose log to read, by name or personnummer: sent by POST so that the
    term never lands in a URL (decision 0016). The page then filters by the pupil's id."""

    pupil_query = SearchTermField(
        label=_("Elev"),
        required=True,
        help_text=_("Namn eller personnummer."),
    )


class LogReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Resultat av kontrollen"), choices=ReviewOutcome.choices)
    note = forms.CharField(
        label=_("Anteckning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
