"""Forms of the special-education area. Every message is Swedish and says what to do."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from elevstod.accounts.models import User
from elevstod.core.form_fields import date_field, text_field
from elevstod.organisation.models import AcademicYear, Group
from elevstod.people.models import Pupil
from elevstod.specialed import rules
from elevstod.specialed.models import (
    ActivityKind,
    Goal,
    GoalAttainment,
    InterventionKind,
    Level,
    Period,
    PeriodKind,
    ReportGoal,
)

TEXT_MAX = 8000
MAX_MINUTES = 600  # one working day; a longer piece of work is recorded per day


_DATE_MESSAGES = {
    "required": _("Ange ett datum."),
    "invalid": _("Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-09-14."),
}


def _date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return date_field(label, required=required, help_text=help_text, error_messages=_DATE_MESSAGES)


def _text_field(
    label: Any, *, rows: int = 4, help_text: Any = "", required_message: Any = None
) -> forms.CharField:
    """A text area of at most TEXT_MAX characters; required when it has a message saying what
    to write."""
    messages: dict[str, Any] = {"max_length": _("Texten får vara högst %(limit_value)d tecken.")}
    if required_message is not None:
        messages["required"] = required_message
    return text_field(
        label,
        rows=rows,
        required=required_message is not None,
        max_length=TEXT_MAX,
        help_text=help_text,
        error_messages=messages,
    )


def _user_label(user: User) -> str:
    return user.display_name


class PupilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Model) -> str:
        pupil = cast(Pupil, obj)
        return f"{pupil.last_name}, {pupil.first_name} ({pupil.birth_date:%Y})"


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Model) -> str:
        goal = cast(Goal, obj)
        text = goal.text if len(goal.text) <= 90 else goal.text[:87] + "…"
        return f"{goal.period.name}: {text}"


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    """The choices of a model choice field, known only when the form is made."""
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


# ----------------------------------------------------------------------------- interventions


class InterventionForm(forms.Form):
    """One piece of work. No diagnosis field, by design: the work is described on the learning
    environment — what hinders and what supports (seed 001 §§ 6, 8)."""

    performed_on = _date_field(_("Datum"))
    level = forms.ChoiceField(
        label=_("Nivå"),
        choices=Level.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Organisationsnivå: hela skolan eller arbetslag. Gruppnivå: en klass eller "
            "undervisningsgrupp. Individnivå: en elev."
        ),
        error_messages={"required": _("Välj nivå."), "invalid_choice": _("Välj nivå.")},
    )
    kind = forms.ChoiceField(
        label=_("Typ av insats"),
        choices=[("", _("Välj typ")), *InterventionKind.choices],
        error_messages={
            "required": _("Välj typ av insats."),
            "invalid_choice": _("Välj typ av insats."),
        },
    )
    group = forms.ModelChoiceField(
        label=_("Undervisningsgrupp"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("Ingen grupp"),
        help_text=_("Bara för insatser på gruppnivå."),
        error_messages={"invalid_choice": _("Välj en grupp i listan.")},
    )
    pupil = PupilChoiceField(
        label=_("Elev"),
        queryset=Pupil.objects.none(),
        required=False,
        empty_label=_("Ingen elev"),
        help_text=_("Bara för insatser på individnivå."),
        error_messages={"invalid_choice": _("Välj en elev i listan.")},
    )
    minutes = forms.IntegerField(
        label=_("Tid i minuter"),
        min_value=1,
        max_value=MAX_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
        error_messages={
            "required": _("Ange hur många minuter insatsen tog."),
            "invalid": _("Ange tiden som ett heltal, till exempel 45."),
            "min_value": _("Ange minst %(limit_value)s minut."),
            "max_value": _(
                "Ange högst %(limit_value)s minuter. Längre arbete dokumenteras per dag."
            ),
        },
    )
    description = _text_field(_("Vad som gjordes"), required_message=_("Beskriv vad som gjordes."))
    hinders = _text_field(
        _("Vad i lärmiljön hindrar"),
        rows=3,
        help_text=_("Hinder i organisation, grupp eller undervisning, inte elevens egenskaper."),
    )
    supports = _text_field(
        _("Vad i lärmiljön stödjer"),
        rows=3,
        help_text=_("Det som fungerar och kan användas mer."),
    )
    goal = GoalChoiceField(
        label=_("Kopplat till mål"),
        queryset=Goal.objects.none(),
        required=False,
        empty_label=_("Inget mål"),
        error_messages={"invalid_choice": _("Välj ett mål i listan.")},
    )

    def __init__(
        self,
        *args: Any,
        pupils: QuerySet[Pupil],
        groups: QuerySet[Group],
        goals: QuerySet[Goal],
        today: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        _set_queryset(self, "pupil", pupils)
        _set_queryset(self, "group", groups)
        _set_queryset(self, "goal", goals)

    def clean_performed_on(self) -> date:
        value: date = self.cleaned_data["performed_on"]
        if value > self.today:
            raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        level = cleaned.get("level")
        if level:
            group_allowed, pupil_allowed = rules.individual_fields_allowed(rules.Level(level))
            if cleaned.get("pupil") is not None and not pupil_allowed:
                self.add_error(
                    "pupil",
                    _(
                        "En elev kan bara anges för en insats på individnivå. Ändra nivån "
                        "eller välj Ingen elev."
                    ),
                )
            if cleaned.get("group") is not None and not group_allowed:
                self.add_error(
                    "group",
                    _(
                        "En grupp kan bara anges för en insats på gruppnivå. Ändra nivån "
                        "eller välj Ingen grupp."
                    ),
                )
        goal, performed_on = cleaned.get("goal"), cleaned.get("performed_on")
        if goal is not None and performed_on is not None:
            period = goal.period
            if not period.starts_on <= performed_on <= period.ends_on:
                self.add_error(
                    "goal",
                    _(
                        "Målet hör till perioden %(period)s (%(start)s–%(end)s). Välj ett mål "
                        "för den period då insatsen gjordes, eller Inget mål."
                    )
                    % {
                        "period": period.name,
                        "start": f"{period.starts_on:%Y-%m-%d}",
                        "end": f"{period.ends_on:%Y-%m-%d}",
                    },
                )
        return cleaned


class InterventionFilterForm(forms.Form):
    """The list's filters. Parameter names are Swedish words in the address, never personal
    data (security.md)."""

    fran = _date_field(_("Från och med"), required=False)
    till = _date_field(_("Till och med"), required=False)
    niva = forms.ChoiceField(
        label=_("Nivå"),
        required=False,
        choices=[("", _("Alla nivåer")), *Level.choices],
        error_messages={"invalid_choice": _("Välj en nivå i listan.")},
    )
    typ = forms.ChoiceField(
        label=_("Typ av insats"),
        required=False,
        choices=[("", _("Alla typer")), *InterventionKind.choices],
        error_messages={"invalid_choice": _("Välj en typ i listan.")},
    )
    av = forms.ChoiceField(
        label=_("Dokumenterad av"),
        required=False,
        error_messages={"invalid_choice": _("Välj en person i listan.")},
    )

    def __init__(self, *args: Any, performers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self,
            "av",
            [("", _("Alla")), *((str(user.pk), _user_label(user)) for user in performers)],
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("fran"), cleaned.get("till")
        if start and end and end < start:
            self.add_error("till", _("Slutdatumet kan inte ligga före startdatumet."))
        return cleaned


# ----------------------------------------------------------------------------- periods and goals


class PeriodForm(forms.Form):
    name = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=_("Till exempel HT 2026, VT 2027 eller Läsåret 2026/27."),
        error_messages={
            "required": _("Ge perioden ett namn, till exempel HT 2026."),
            "max_length": _("Namnet får vara högst %(limit_value)d tecken."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Typ av period"),
        choices=PeriodKind.choices,
        error_messages={"required": _("Välj termin eller läsår.")},
    )
    starts_on = _date_field(_("Från och med"))
    ends_on = _date_field(_("Till och med"))
    assignment = _text_field(
        _("Uppdraget"),
        rows=6,
        help_text=_(
            "Uppdraget för elevhälsans specialpedagogiska insatser, formulerat i dialog med "
            "specialpedagog och speciallärare och i förhållande till elevhälsoteamets "
            "hälsofrämjande och förebyggande arbete."
        ),
    )
    dialogue_on = _date_field(
        _("Dialog med specialpedagog/speciallärare"),
        required=False,
        help_text=_("Dagen då uppdraget och målen formulerades tillsammans."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("Slutdatumet kan inte ligga före startdatumet."))
        if "name" in cleaned:
            cleaned["name"] = cleaned["name"].strip()
        return cleaned


class GoalForm(forms.Form):
    text = _text_field(_("Mål"), rows=3, required_message=_("Skriv målet."))
    indicator = _text_field(
        _("Så vet vi att målet nås"),
        rows=3,
        help_text=_("En indikator: vad ni ska se, mäta eller fråga om för att följa upp målet."),
        required_message=_("Beskriv hur ni ska veta att målet nås."),
    )
    special_educator = forms.ChoiceField(
        label=_("Gäller"),
        required=False,
        error_messages={"invalid_choice": _("Välj en person i listan.")},
    )

    def __init__(self, *args: Any, special_educators: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in special_educators}
        _set_choices(
            self,
            "special_educator",
            [
                ("", _("Alla specialpedagoger och speciallärare")),
                *((key, _user_label(user)) for key, user in self.people.items()),
            ],
        )

    def clean_special_educator(self) -> User | None:
        value = self.cleaned_data.get("special_educator")
        return self.people.get(value) if value else None


# ----------------------------------------------------------------------------- reports


class ReportForm(forms.Form):
    """The report: per goal result and analysis, then the overall analysis and proposals."""

    overall_analysis = _text_field(
        _("Samlad analys"),
        rows=6,
        help_text=_(
            "Vad visar insatserna och resultaten om lärmiljön: vad hindrar och vad stödjer "
            "elevernas utveckling mot utbildningens mål?"
        ),
    )
    improvements = _text_field(
        _("Förslag på förbättringar"),
        rows=5,
        help_text=_("Ett förslag per rad. Rektorn kan göra förslagen till mål för nästa period."),
    )

    def __init__(self, *args: Any, entries: list[ReportGoal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        for entry in entries:
            self.fields[f"result_{entry.goal_id}"] = _text_field(_("Resultat"), rows=3)
            self.fields[f"analysis_{entry.goal_id}"] = _text_field(_("Analys"), rows=3)
            self.initial.setdefault(f"result_{entry.goal_id}", entry.result)
            self.initial.setdefault(f"analysis_{entry.goal_id}", entry.analysis)

    def goal_rows(self) -> list[tuple[ReportGoal, forms.BoundField, forms.BoundField]]:
        return [
            (entry, self[f"result_{entry.goal_id}"], self[f"analysis_{entry.goal_id}"])
            for entry in self.entries
        ]

    def goal_values(self) -> dict[Any, tuple[str, str]]:
        return {
            entry.goal_id: (
                self.cleaned_data[f"result_{entry.goal_id}"],
                self.cleaned_data[f"analysis_{entry.goal_id}"],
            )
            for entry in self.entries
        }


class ReviewForm(forms.Form):
    """The rektor's follow-up; `returning` sends the report back and needs only a comment."""

    comment = _text_field(
        _("Rektorns kommentar"),
        rows=4,
        help_text=_("Vid återsändning: skriv vad som behöver kompletteras."),
    )

    def __init__(
        self, *args: Any, entries: list[ReportGoal], returning: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        self.returning = returning
        for number, entry in enumerate(entries, start=1):
            self.fields[f"attainment_{entry.goal_id}"] = forms.ChoiceField(
                label=_("Måluppfyllelse, mål %(number)d") % {"number": number},
                choices=GoalAttainment.choices,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Välj ett av alternativen.")},
            )

    def goal_rows(self) -> list[tuple[ReportGoal, forms.BoundField]]:
        return [(entry, self[f"attainment_{entry.goal_id}"]) for entry in self.entries]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.returning:
            if not (cleaned.get("comment") or "").strip():
                self.add_error("comment", _("Skriv vad som behöver kompletteras."))
            return cleaned
        for entry in self.entries:
            name = f"attainment_{entry.goal_id}"
            if name not in self.errors and not cleaned.get(name):
                self.add_error(name, _("Ange om målet är uppnått, delvis uppnått eller inte."))
        return cleaned

    def attainments(self) -> dict[Any, str]:
        return {
            entry.goal_id: self.cleaned_data[f"attainment_{entry.goal_id}"]
            for entry in self.entries
        }


class AdoptForm(forms.Form):
    period = forms.ModelChoiceField(
        label=_("Till period"),
        queryset=Period.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Välj den period som målen ska gälla."),
            "invalid_choice": _("Välj en period i listan."),
        },
    )

    def __init__(self, *args: Any, periods: QuerySet[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "period", periods)


# ----------------------------------------------------------------------------- competence plans


class PlanForm(forms.Form):
    assignment_description = _text_field(
        _("Uppdragsbeskrivning"),
        rows=5,
        help_text=_("Ditt uppdrag som kompetensutvecklingen ska kopplas till."),
    )
    development_needs = _text_field(
        _("Behov av kompetensutveckling"),
        rows=5,
        help_text=_("Kartlagda i dialog med rektor."),
        required_message=_("Beskriv behoven av kompetensutveckling."),
    )


class PlanCreateForm(PlanForm):
    academic_year = forms.ModelChoiceField(
        label=_("Läsår"),
        queryset=AcademicYear.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Välj läsår."),
            "invalid_choice": _("Välj ett läsår i listan."),
        },
    )
    field_order = ["academic_year", "assignment_description", "development_needs"]

    def __init__(self, *args: Any, years: QuerySet[AcademicYear], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "academic_year", years)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Typ"),
        choices=[("", _("Välj typ")), *ActivityKind.choices],
        error_messages={"required": _("Välj typ av aktivitet."), "invalid_choice": _("Välj typ.")},
    )
    title = forms.CharField(
        label=_("Aktivitet"),
        max_length=200,
        error_messages={
            "required": _("Skriv vad aktiviteten är."),
            "max_length": _("Högst %(limit_value)d tecken."),
        },
    )
    planned_on = _date_field(_("Planerat datum"), required=False)
    done_on = _date_field(_("Genomfört datum"), required=False)
    outcome = _text_field(
        _("Resultat och lärdomar"),
        rows=3,
        help_text=_("Vad aktiviteten gav, och hur det används i arbetet."),
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_done_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("done_on")
        if value and value > self.today:
            raise forms.ValidationError(_("Ett genomfört datum kan inte ligga i framtiden."))
        return value


class FollowUpForm(forms.Form):
    on_date = _date_field(_("Datum"))
    text = _text_field(
        _("Uppföljning"), rows=3, required_message=_("Skriv vad uppföljningen kom fram till.")
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_on_date(self) -> date:
        value: date = self.cleaned_data["on_date"]
        if value > self.today:
            raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
        return value
