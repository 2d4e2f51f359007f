"""Forms of routines and deviation reports. Every message in Swedish; no JavaScript needed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from elevstod.accounts.models import User
from elevstod.routines import rules
from elevstod.routines.models import Counterpart, DeviationNature, DeviationStatus, RoutineCategory

DATE_FORMAT = "%Y-%m-%d"


def _required(message: Any) -> dict[str, Any]:
    return {"required": message}


def _date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
        error_messages={
            "required": _("Ange ett datum."),
            "invalid": _("Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-15."),
        },
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


# ----------------------------------------------------------------------------- routines


class RoutineForm(forms.Form):
    """A new routine: its area, its text, its owner and when it is reviewed next."""

    category = forms.ChoiceField(
        label=_("Område"),
        choices=[("", _("Välj område")), *RoutineCategory.choices],
        error_messages=_required(_("Välj vilket område rutinen gäller.")),
    )
    title = forms.CharField(
        label=_("Rubrik"),
        max_length=200,
        error_messages={
            "required": _("Skriv en rubrik."),
            "max_length": _("Rubriken får vara högst %(limit_value)d tecken."),
        },
    )
    purpose = forms.CharField(
        label=_("Syfte"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Varför rutinen finns och vad den ska säkra."),
        error_messages=_required(_("Beskriv rutinens syfte.")),
    )
    content = forms.CharField(
        label=_("Rutinen"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Vem gör vad, när och hur. Skriv inga uppgifter om enskilda elever i en rutin."
        ),
        error_messages=_required(_("Skriv rutinens innehåll.")),
    )
    owner = OwnerChoiceField(
        label=_("Ägare"),
        queryset=User.objects.none(),
        empty_label=_("Välj ägare"),
        help_text=_("Den som ansvarar för att rutinen hålls aktuell och får påminnelsen."),
        error_messages={
            "required": _("Välj vem som äger rutinen."),
            "invalid_choice": _("Välj en ägare i listan."),
        },
    )
    approved_on = _date_field(_("Fastställd"))
    review_by = _date_field(
        _("Granskas senast"),
        help_text=_("Ägaren får en påminnelse 30 dagar före."),
    )

    def __init__(self, *args: Any, owners: QuerySet[User], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = owners

    def clean_approved_on(self) -> date:
        approved_on: date = self.cleaned_data["approved_on"]
        if approved_on > self.today:
            raise forms.ValidationError(
                _("Dagen då rutinen fastställdes kan inte vara framåt i tiden.")
            )
        return approved_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        approved_on, review_by = data.get("approved_on"), data.get("review_by")
        if approved_on and review_by:
            if review_by <= approved_on:
                self.add_error(
                    "review_by",
                    _("Nästa granskning måste ligga efter dagen då rutinen fastställdes."),
                )
            elif review_by > approved_on + timedelta(days=rules.MAX_REVIEW_INTERVAL_DAYS):
                self.add_error(
                    "review_by", _("Nästa granskning får ligga högst tre år fram i tiden.")
                )
        return data


class RevisionForm(RoutineForm):
    """The next version. It starts from the text in force; the change note is required."""

    change_note = forms.CharField(
        label=_("Vad har ändrats och varför"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visas i rutinens historik."),
        error_messages=_required(_("Skriv vad som har ändrats i den nya versionen.")),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    field_order = [
        "category",
        "title",
        "purpose",
        "content",
        "change_note",
        "owner",
        "approved_on",
        "review_by",
        "base_version",
    ]


class ReviewForm(forms.Form):
    """Reviewed without changes: when, the next review date, the owner from now on."""

    reviewed_on = _date_field(_("Granskad"))
    next_review_by = _date_field(
        _("Nästa granskning senast"), help_text=_("Ägaren får en påminnelse 30 dagar före.")
    )
    owner = OwnerChoiceField(
        label=_("Ägare"),
        queryset=User.objects.none(),
        empty_label=_("Välj ägare"),
        error_messages={
            "required": _("Välj vem som äger rutinen."),
            "invalid_choice": _("Välj en ägare i listan."),
        },
    )
    note = forms.CharField(
        label=_("Kommentar (frivillig)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Till exempel vilka som deltog i granskningen."),
    )

    def __init__(self, *args: Any, owners: QuerySet[User], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = owners

    def clean_reviewed_on(self) -> date:
        reviewed_on: date = self.cleaned_data["reviewed_on"]
        if reviewed_on > self.today:
            raise forms.ValidationError(_("Granskningen kan inte vara framåt i tiden."))
        return reviewed_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reviewed_on, next_review = data.get("reviewed_on"), data.get("next_review_by")
        if reviewed_on and next_review:
            if next_review <= reviewed_on:
                self.add_error(
                    "next_review_by", _("Nästa granskning måste ligga efter dagens granskning.")
                )
            elif next_review > reviewed_on + timedelta(days=rules.MAX_REVIEW_INTERVAL_DAYS):
                self.add_error(
                    "next_review_by", _("Nästa granskning får ligga högst tre år fram i tiden.")
                )
        return data


# ----------------------------------------------------------------------------- deviations


class DeviationForm(forms.Form):
    """A deviation report (seed 001, last page). A pupil only when needed, with the reason."""

    school_unit = forms.ChoiceField(
        label=_("Skolenhet"),
        error_messages={
            "required": _("Välj skolenhet."),
            "invalid_choice": _("Välj en skolenhet i listan."),
        },
    )
    occurred_on = _date_field(_("Inträffade"))
    counterparts = forms.MultipleChoiceField(
        label=_("Samverkan med"),
        choices=Counterpart.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("En eller flera verksamheter."),
        error_messages=_required(
            _("Ange vilken eller vilka verksamheter samverkansproblemet gäller.")
        ),
    )
    natures = forms.MultipleChoiceField(
        label=_("Avvikelsens karaktär"),
        choices=DeviationNature.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Rapportera samverkansproblem som inte går att lösa på lokal nivå och sådana som "
            "är av principiell natur."
        ),
        error_messages=_required(_("Ange vilken sorts avvikelse det är.")),
    )
    description = forms.CharField(
        label=_("Beskrivning av problemet"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Beskriv samverkansproblemet utan elevens namn eller annat som kan peka ut eleven."
        ),
        error_messages=_required(_("Beskriv samverkansproblemet.")),
    )
    tried_locally = forms.CharField(
        label=_("Vad har prövats lokalt"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=_required(_("Beskriv vad som har prövats för att lösa problemet lokalt.")),
    )
    # Set by the "needs a pupil" button: the pupil list is only read when asked for.
    with_pupil = forms.BooleanField(required=False, widget=forms.HiddenInput)
    pupil = forms.ChoiceField(
        label=_("Elev"),
        required=False,
        error_messages={"invalid_choice": _("Välj en elev på den valda skolenheten.")},
    )
    pupil_reason = forms.CharField(
        label=_("Varför behövs uppgifter om eleven"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Skälet sparas med rapporten och visas för skolenhetens ledning."),
    )

    def __init__(
        self,
        *args: Any,
        units: list[tuple[str, str]],
        pupils: list[tuple[str, str]] | None,
        today: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.pupils_shown = pupils is not None
        unit_field = self.fields["school_unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = units
        pupil_field = self.fields["pupil"]
        assert isinstance(pupil_field, forms.ChoiceField)
        pupil_field.choices = [("", _("Välj elev")), *(pupils or [])]

    def clean_occurred_on(self) -> date:
        occurred_on: date = self.cleaned_data["occurred_on"]
        if occurred_on > self.today:
            raise forms.ValidationError(_("Dagen då det inträffade kan inte ligga i framtiden."))
        return occurred_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("with_pupil"):
            # By default no pupil data at all: whatever else was sent is dropped.
            data["pupil"] = ""
            data["pupil_reason"] = ""
            return data
        if not data.get("pupil") and "pupil" not in self.errors:
            self.add_error("pupil", _("Välj eleven som rapporten gäller."))
        if not (data.get("pupil_reason") or "").strip():
            self.add_error("pupil_reason", _("Ange varför rapporten behöver uppgifter om eleven."))
        return data


class StatusForm(forms.Form):
    """The responsible manager's next step in the handling (rules.TRANSITIONS)."""

    status = forms.ChoiceField(
        label=_("Ny status"),
        error_messages={
            "required": _("Välj ny status."),
            "invalid_choice": _("Välj en av statusarna i listan."),
        },
    )
    ksl_reported_on = _date_field(
        _("Rapporterad till BUS-sekretariatet (KSL)"),
        required=False,
        help_text=_("Krävs när statusen blir ”Rapporterad till BUS-sekretariatet (KSL)”."),
    )
    outcome = forms.CharField(
        label=_("Utfall"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Krävs när rapporten avslutas. Skriv utan elevens namn: utfallet följer med i "
            "sammanställningen till BUS-sekretariatet när ingen elev är angiven."
        ),
    )
    note = forms.CharField(
        label=_("Kommentar (frivillig)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, current: str, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        labels = dict(DeviationStatus.choices)
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = [
            ("", _("Välj ny status")),
            *((value, labels[value]) for value in rules.next_statuses(current)),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = data.get("status")
        reported_on = data.get("ksl_reported_on")
        if reported_on and reported_on > self.today:
            self.add_error(
                "ksl_reported_on", _("Dagen för rapporten till KSL kan inte ligga i framtiden.")
            )
        elif (
            status in rules.REQUIRES_KSL_DATE
            and not reported_on
            and "ksl_reported_on" not in self.errors
        ):
            self.add_error("ksl_reported_on", _("Ange dagen då avvikelsen rapporterades till KSL."))
        if status in rules.REQUIRES_OUTCOME and not (data.get("outcome") or "").strip():
            self.add_error("outcome", _("Beskriv utfallet innan rapporten avslutas."))
        return data


class PeriodForm(forms.Form):
    """The period of the overview and of the exports: by the day each deviation occurred."""

    fran = _date_field(_("Från och med"), required=False)
    till = _date_field(_("Till och med"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("fran"), data.get("till")
        if start and end and end < start:
            self.add_error("till", _("Slutdagen kan inte ligga före startdagen."))
        return data
