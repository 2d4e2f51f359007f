from django import forms
from django.utils.translation import gettext_lazy as _

from elevstod.audit.models import ReviewOutcome
from elevstod.organisation.models import SchoolUnit


class LogFilterForm(forms.Form):
    school_unit = forms.ModelChoiceField(
        label=_("Skolenhet"),
        queryset=SchoolUnit.objects.none(),
        required=False,
        empty_label=_("Alla mina enheter"),
    )
    pupil = forms.UUIDField(label=_("Elev (id)"), required=False)
    user = forms.UUIDField(label=_("Användare (id)"), required=False)
    period_start = forms.DateField(
        label=_("Från"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Till"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    denied_only = forms.BooleanField(label=_("Endast nekade försök"), required=False)

    def __init__(self, *args, unit_ids, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["school_unit"].queryset = SchoolUnit.objects.filter(pk__in=unit_ids)

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Slutdatumet kan inte ligga före startdatumet."))
        return cleaned


class LogReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Resultat av kontrollen"), choices=ReviewOutcome.choices)
    note = forms.CharField(
        label=_("Anteckning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
