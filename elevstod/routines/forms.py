"""Forms of routines and deviation reports. Every message in Swedish; no JavaScript needed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from elevstod.accounts.models import User
from elevstod.core.form_fields import DATE_FORMAT, date_field, text_field
from elevstod.routines import rules
from elevstod.routines.models import Counterpart, DeviationNature, DeviationStatus, RoutineCategory


def _required(message: Any) -> dict[str, Any]:
    return {"required": message}


_DATE_MESSAGES = {
    "required": _("Ange ett datum."),
    "invalid": _("Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-15."),
}


def _date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return date_field(
        label,
        required=required,
        help_text=help_text,
        input_formats=[DATE_FORMAT],
        error_messages=_DATE_MESSAGES,
    )


def _text(
    label: Any, *, rows: int, help_text: Any = "", required_message: Any = None
) -> forms.CharField:
    """A text area; required when it has a message saying what to write."""
    return text_field(
        label,
        rows=rows,
        required=required_message is not None,
        help_text=help_text,
        error_messages=_required(required_message) if required_message is not None else {},
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _owner_field(help_text: Any = "") -> OwnerChoiceField:
    return OwnerChoiceField(
        label=_("Ägare"),
        queryset=User.objects.none(),
        empty_label=_("Välj ägare"),
        help_text=help_text,
        error_messages={
            "required": _("Välj vem som äger rutinen."),
            "invalid_choice": _("Välj en ägare i listan."),
        },
    )


def _next_review_field(label: Any) -> forms.DateField:
    return _date_field(label, help_text=_("Ägaren får en påminnelse 30 dagar före."))


# ----------------------------------------------------------------------------- routines


class _OwnedRoutineForm(forms.Form):
    """What the routine forms share: an owner among `owners`, a day that is not in the future
    (`not_after_today`), and a next review date after it and at most three years ahead."""

    not_after_today: tuple[str, Any] = ("", "")  # (field, message)
    next_review: tuple[str, str, Any] = ("", "", "")  # (from field, next field, too soon)

    def __init__(self, *args: Any, owners: QuerySet[User], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day_name, future_message = self.not_after_today
        if data.get(day_name) and data[day_name] > self.today:
            self.add_error(day_name, future_message)  # also takes the day out of `data`
        start_name, next_name, too_soon = self.next_review
        start, next_review = data.get(start_name), data.get(next_name)
        if start and next_review:
            if next_review <= start:
                self.add_error(next_name, too_soon)
            elif next_review > start + timedelta(days=rules.MAX_REVIEW_INTERVAL_DAYS):
                self.add_error(
                    next_name, _("Nästa granskning får ligga högst tre år fram i tiden.")
                )
        return data


class RoutineForm(_OwnedRoutineForm):
    """A new routine: its area, its text, its owner and when it is reviewed next.

    The field names here and in RevisionForm and ReviewForm are the keyword arguments of the
    services they feed (routine_create, routine_revise, routine_mark_reviewed): the views pass
    `cleaned_data` on as it is.
    """

    not_after_today = (
        "approved_on",
        _("Dagen då rutinen fastställdes kan inte vara framåt i tiden."),
    )
    next_review = (
        "approved_on",
        "review_by",
        _("Nästa granskning måste ligga efter dagen då rutinen fastställdes."),
    )

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
    purpose = _text(
        _("Syfte"),
        rows=3,
        help_text=_("Varför rutinen finns och vad den ska säkra."),
        required_message=_("Beskriv rutinens syfte."),
    )
    content = _text(
        _("Rutinen"),
        rows=14,
        help_text=_(
            "Vem gör vad, när och hur. Skriv inga uppgifter om enskilda elever i en rutin."
        ),
        required_message=_("Skriv rutinens innehåll."),
    )
    owner = _owner_field(
        help_text=_("Den som ansvarar för att rutinen hålls aktuell och får påminnelsen.")
    )
    approved_on = _date_field(_("Fastställd"))
    review_by = _next_review_field(_("Granskas senast"))


class RevisionForm(RoutineForm):
    """The next version. It starts from the text in force; the change note is required."""

    change_note = _text(
        _("Vad har ändrats och varför"),
        rows=3,
        help_text=_("Visas i rutinens historik."),
        required_message=_("Skriv vad som har ändrats i den nya versionen."),
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


class ReviewForm(_OwnedRoutineForm):
    """Reviewed without changes: when, the next review date, the owner from now on."""

    not_after_today = ("reviewed_on", _("Granskningen kan inte vara framåt i tiden."))
    next_review = (
        "reviewed_on",
        "next_review_by",
        _("Nästa granskning måste ligga efter dagens granskning."),
    )

    reviewed_on = _date_field(_("Granskad"))
    next_review_by = _next_review_field(_("Nästa granskning senast"))
    owner = _owner_field()
    note = _text(
        _("Kommentar (frivillig)"),
        rows=3,
        help_text=_("Till exempel vilka som deltog i granskningen."),
    )


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
    description = _text(
        _("Beskrivning av problemet"),
        rows=6,
        help_text=_(
            "Beskriv samverkansproblemet utan elevens namn eller annat som kan peka ut eleven."
        ),
        required_message=_("Beskriv samverkansproblemet."),
    )
    tried_locally = _text(
        _("Vad har prövats lokalt"),
        rows=4,
        required_message=_("Beskriv vad som har prövats för att lösa problemet lokalt."),
    )
    # Set by the "needs a pupil" button: the pupil list is only read when asked for.
    with_pupil = forms.BooleanField(required=False, widget=forms.HiddenInput)
    pupil = forms.ChoiceField(
        label=_("Elev"),
        required=False,
        error_messages={"invalid_choice": _("Välj en elev på den valda skolenheten.")},
    )
    pupil_reason = _text(
        _("Varför behövs uppgifter om eleven"),
        rows=3,
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
    outcome = _text(
        _("Utfall"),
        rows=4,
        help_text=_(
            "Krävs när rapporten avslutas. Skriv utan elevens namn: utfallet följer med i "
            "sammanställningen till BUS-sekretariatet när ingen elev är angiven."
        ),
    )
    note = _text(_("Kommentar (frivillig)"), rows=2)

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
