"""Forms for the programme half of the chain. They check input; the workflow decides.

The programme editor is three forms bound to one flat dict of data (ProgrammeEditor): the
programme's own fields, its needs and its measures. The same dict serves a first visit (built
from the document), an added row ("Lägg till behov"), a restored autosaved draft and a conflict,
so the page works the same without JavaScript and nothing typed is lost (process.md rule 7).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.forms import formset_factory
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.labels import (
    CARRIED_OUT_LABELS,
    FOLLOW_UP_KIND_LABELS,
    FOLLOW_UP_OUTCOME_LABELS,
    MEASURE_EFFECT_LABELS,
    MEASURE_SETTING_LABELS,
    NEED_CATEGORY_LABELS,
    choices,
)
from elevstod.support.models import ActionProgramme, DecisionService, ServiceMethod
from elevstod.support.selectors_programme import MeasureRow, NeedRow

NEEDS = "needs"
MEASURES = "measures"
NEW_KEY = "ny-{}"  # the key of a need typed on the page and not yet saved


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


Staff = list[tuple[str, str]]


def _person_choices(staff: Staff) -> list[tuple[str, str]]:
    return [("", gettext("Välj person")), *staff]


# ----------------------------------------------------------------------------- the editor


class ProgrammeForm(forms.Form):
    """The programme's own fields (SL 3 kap. 9 §: when and by whom it is followed up and
    evaluated; the pupil and guardians offered to take part, and their views)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    revision_reason = forms.CharField(
        label=_("Skäl för revidering"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Vad som har ändrats sedan förra versionen och varför."),
    )
    pupil_participation_offered = forms.BooleanField(
        label=_("Eleven har erbjudits att delta"), required=False
    )
    pupil_view = forms.CharField(
        label=_("Elevens synpunkter"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    guardian_participation_offered = forms.BooleanField(
        label=_("Vårdnadshavarna har erbjudits att delta"), required=False
    )
    guardian_view = forms.CharField(
        label=_("Vårdnadshavarnas synpunkter"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    follow_up_on = forms.DateField(label=_("Uppföljning"), widget=DateInput, required=False)
    follow_up_responsible = forms.ChoiceField(label=_("Ansvarig för uppföljning"), required=False)
    evaluation_on = forms.DateField(label=_("Utvärdering"), widget=DateInput, required=False)
    evaluation_responsible = forms.ChoiceField(label=_("Ansvarig för utvärdering"), required=False)
    valid_until = forms.DateField(
        label=_("Gäller till"),
        widget=DateInput,
        required=False,
        help_text=_("Lämna tomt om programmet gäller tills det utvärderas och avslutas."),
    )

    def __init__(self, *args: Any, staff: Staff, is_revision: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("follow_up_responsible", "evaluation_responsible"):
            self.fields[name].choices = _person_choices(staff)  # type: ignore[attr-defined]
        if not is_revision:
            del self.fields["revision_reason"]

    def clean_revision_reason(self) -> str:
        # A revision is a new decision; its reason is part of the version history (rule 5).
        reason = self.cleaned_data["revision_reason"].strip()
        if not reason:
            raise forms.ValidationError(gettext("Ange varför programmet revideras."))
        return reason

    def values(self) -> dict[str, Any]:
        """The fields as programme_save writes them."""
        data = self.cleaned_data
        values = {
            "pupil_participation_offered": data["pupil_participation_offered"],
            "pupil_view": data["pupil_view"],
            "guardian_participation_offered": data["guardian_participation_offered"],
            "guardian_view": data["guardian_view"],
            "follow_up_on": data["follow_up_on"],
            "follow_up_responsible_id": _uuid(data["follow_up_responsible"]),
            "evaluation_on": data["evaluation_on"],
            "evaluation_responsible_id": _uuid(data["evaluation_responsible"]),
            "valid_until": data["valid_until"],
        }
        if "revision_reason" in data:
            values["revision_reason"] = data["revision_reason"]
        return values


def _uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


class NeedForm(forms.Form):
    """A need in terms of the school situation, never a diagnosis (SL 26 a kap. 4 §)."""

    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    category = forms.ChoiceField(
        label=_("Behovsområde"), choices=choices(NEED_CATEGORY_LABELS), required=False
    )
    description = forms.CharField(
        label=_("Behov"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean_category(self) -> str:
        return self.cleaned_data["category"] or wf.NeedCategory.OTHER

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("description", "").strip())


class MeasureForm(forms.Form):
    """A measure, linked to one of the needs on the page (SL 3 kap. 9 §), with the extra fields
    of the settings reserved for the rektor (3 kap. 11–12 §§; process.md §2.7)."""

    need_key = forms.ChoiceField(label=_("Hör till behov"), required=False)
    description = forms.CharField(
        label=_("Åtgärd"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    responsible = forms.ChoiceField(label=_("Ansvarig"), required=False)
    extent = forms.CharField(
        label=_("Omfattning"),
        max_length=200,
        required=False,
        help_text=_("Till exempel två lektioner i veckan eller vilka ämnen."),
    )
    setting = forms.ChoiceField(
        label=_("Organisation"), choices=choices(MEASURE_SETTING_LABELS), required=False
    )
    special_reasons = forms.CharField(
        label=_("Särskilda skäl"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "Krävs för särskild undervisningsgrupp, enskild undervisning och "
            "distansundervisning, och för anpassad studiegång: varför stödet inte i rimlig grad "
            "kan ges på annat sätt (3 kap. 11–12 §§ skollagen)."
        ),
    )
    location = forms.CharField(label=_("Plats eller grupp"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Från"), widget=DateInput, required=False)
    ends_on = forms.DateField(
        label=_("Till"),
        widget=DateInput,
        required=False,
        help_text=_("Distansundervisning beslutas för högst en termin åt gången (3 kap. 11 a §)."),
    )
    deviations = forms.CharField(
        label=_("Avvikelser från timplan, ämnen och mål"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "Vid anpassad studiegång: avvikelserna och hur eleven så långt som möjligt ska kunna "
            "bli behörig till ett nationellt program i gymnasieskolan (3 kap. 12 §)."
        ),
    )
    return_plan = forms.CharField(
        label=_("Hur återgång till ordinarie grupp utvärderas"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        need_choices: list[tuple[str, str]],
        staff: Staff,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need_key"].choices = [  # type: ignore[attr-defined]
            ("", gettext("Välj behov")),
            *need_choices,
        ]
        self.fields["responsible"].choices = _person_choices(staff)  # type: ignore[attr-defined]

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("description", "").strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("description", "").strip():
            return cleaned  # an empty row is left out when saved
        if not cleaned.get("need_key"):
            self.add_error("need_key", gettext("Välj vilket behov åtgärden hör till."))
        if not cleaned.get("responsible"):
            self.add_error("responsible", gettext("Välj vem som ansvarar för åtgärden."))
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", gettext("Slutdatumet kan inte ligga före startdatumet."))
        return cleaned

    def to_input(self) -> services.MeasureInput:
        data = self.cleaned_data
        return services.MeasureInput(
            need_key=data["need_key"],
            description=data["description"],
            responsible_id=_uuid(data["responsible"]),
            extent=data["extent"],
            setting=data["setting"] or wf.MeasureSetting.OWN_GROUP,
            special_reasons=data["special_reasons"],
            location=data["location"],
            deviations=data["deviations"],
            return_plan=data["return_plan"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )


NeedFormSet = formset_factory(NeedForm, extra=0, can_delete=True)
MeasureFormSet = formset_factory(MeasureForm, extra=0, can_delete=True)


def _bool(value: bool) -> list[str]:
    return ["on"] if value else []


def editor_data(
    programme: ActionProgramme,
    content: list[NeedRow],
    *,
    follow_up_default: date | None,
    evaluation_default: date | None,
    blank_rows: int = 1,
) -> dict[str, list[str]]:
    """The document as the editor's form data, with `blank_rows` empty needs and measures.

    Existing needs are keyed by their id, so programme_save keeps their link to the
    investigation; the measures refer to needs by key.
    """
    data: dict[str, list[str]] = {
        "version": [str(programme.version)],
        "revision_reason": [programme.revision_reason],
        "pupil_participation_offered": _bool(programme.pupil_participation_offered),
        "pupil_view": [programme.pupil_view],
        "guardian_participation_offered": _bool(programme.guardian_participation_offered),
        "guardian_view": [programme.guardian_view],
        "follow_up_on": [_date(programme.follow_up_on or follow_up_default)],
        "follow_up_responsible": [str(programme.follow_up_responsible_id or "")],
        "evaluation_on": [_date(programme.evaluation_on or evaluation_default)],
        "evaluation_responsible": [str(programme.evaluation_responsible_id or "")],
        "valid_until": [_date(programme.valid_until)],
    }
    for index, need in enumerate(content):
        prefix = f"{NEEDS}-{index}-"
        data[prefix + "key"] = [str(need.id)]
        data[prefix + "category"] = [need.category]
        data[prefix + "description"] = [need.description]
    measures = [measure for need in content for measure in need.measures]
    for index, measure in enumerate(measures):
        _measure_data(data, index, measure)
    _management(data, NEEDS, len(content) + blank_rows)
    _management(data, MEASURES, len(measures) + blank_rows)
    return data


def _measure_data(data: dict[str, list[str]], index: int, measure: MeasureRow) -> None:
    prefix = f"{MEASURES}-{index}-"
    data[prefix + "need_key"] = [str(measure.need_id)]
    data[prefix + "description"] = [measure.description]
    data[prefix + "responsible"] = [str(measure.responsible_id)]
    data[prefix + "extent"] = [measure.extent]
    data[prefix + "setting"] = [measure.setting]
    data[prefix + "special_reasons"] = [measure.special_reasons]
    data[prefix + "location"] = [measure.location]
    data[prefix + "deviations"] = [measure.deviations]
    data[prefix + "return_plan"] = [measure.return_plan]
    data[prefix + "starts_on"] = [_date(measure.starts_on)]
    data[prefix + "ends_on"] = [_date(measure.ends_on)]


def _management(data: dict[str, list[str]], prefix: str, total: int) -> None:
    data[f"{prefix}-TOTAL_FORMS"] = [str(total)]
    data[f"{prefix}-INITIAL_FORMS"] = ["0"]
    data[f"{prefix}-MIN_NUM_FORMS"] = ["0"]
    data[f"{prefix}-MAX_NUM_FORMS"] = ["1000"]


def _first(value: Any) -> str:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    return "" if value is None else str(value)


def _row_count(data: Mapping[str, Any], prefix: str) -> int:
    """Rows present in the data: at least TOTAL_FORMS, and every row a restored draft holds."""
    try:
        total = int(_first(data.get(f"{prefix}-TOTAL_FORMS")) or 0)
    except ValueError:
        total = 0
    for name in data:
        head, _sep, rest = name.partition("-")
        index = rest.partition("-")[0]
        if head == prefix and index.isdigit():
            total = max(total, int(index) + 1)
    return min(total, 1000)


class ProgrammeEditor:
    """The programme form with its needs and measures, bound to one flat dict of data."""

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        staff: Staff,
        is_revision: bool,
        add_need: bool = False,
        add_measure: bool = False,
    ) -> None:
        flat = _as_lists(data)
        needs = _row_count(flat, NEEDS) + (1 if add_need else 0)
        measures = _row_count(flat, MEASURES) + (1 if add_measure else 0)
        _management(flat, NEEDS, needs)
        _management(flat, MEASURES, measures)
        for index in range(needs):
            key = f"{NEEDS}-{index}-key"
            if not _first(flat.get(key)):
                # A need typed on the page gets a key now, so measures can name it before save.
                flat[key] = [NEW_KEY.format(index)]
        self.data = _query_data(flat)
        self.staff = _with_missing_people(staff, flat)
        self.programme = ProgrammeForm(self.data, staff=self.staff, is_revision=is_revision)
        self.needs = NeedFormSet(self.data, prefix=NEEDS)
        self.measures = MeasureFormSet(
            self.data,
            prefix=MEASURES,
            form_kwargs={"need_choices": self.need_choices(), "staff": self.staff},
        )

    def need_choices(self) -> list[tuple[str, str]]:
        """Every need row on the page, saved or not, by its key and what has been typed."""
        result = []
        for index in range(_row_count(self.data, NEEDS)):
            prefix = f"{NEEDS}-{index}-"
            key = _first(self.data.get(prefix + "key"))
            text = _first(self.data.get(prefix + "description")).strip()
            category = dict(choices(NEED_CATEGORY_LABELS)).get(
                _first(self.data.get(prefix + "category")), ""
            )
            if text:
                short = text if len(text) <= 50 else text[:49] + "…"
                caption = gettext("Behov %(number)s: %(category)s – %(text)s") % {
                    "number": index + 1,
                    "category": category,
                    "text": short,
                }
            else:
                caption = gettext("Behov %(number)s (tom rad)") % {"number": index + 1}
            result.append((key, caption))
        return result

    def is_valid(self) -> bool:
        valid = all([self.programme.is_valid(), self.needs.is_valid(), self.measures.is_valid()])
        if not valid:
            return False
        kept = {form.cleaned_data["key"] for form in self._kept(self.needs) if form.is_filled}
        for form in self._kept(self.measures):
            if form.is_filled and form.cleaned_data["need_key"] not in kept:
                form.add_error(
                    "need_key",
                    gettext("Behovet som åtgärden hör till är tomt eller tas bort."),
                )
                valid = False
        return valid

    @staticmethod
    def _kept(formset: forms.BaseFormSet) -> list[Any]:
        return [form for form in formset.forms if form not in formset.deleted_forms]

    def need_inputs(self) -> list[services.NeedInput]:
        return [
            services.NeedInput(
                key=form.cleaned_data["key"],
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
            )
            for form in self._kept(self.needs)
            if form.is_filled
        ]

    def measure_inputs(self) -> list[services.MeasureInput]:
        return [form.to_input() for form in self._kept(self.measures) if form.is_filled]

    def values(self) -> dict[str, Any]:
        return self.programme.values()

    def with_version(self, version: int) -> ProgrammeEditor:
        """The same input against a newer version: saving it again resolves a conflict."""
        data = _as_lists(self.data)
        data["version"] = [str(version)]
        return ProgrammeEditor(
            data,
            staff=self.staff,
            is_revision="revision_reason" in self.programme.fields,
        )

    def staff_name(self, user_id: object) -> str:
        return dict(self.staff).get(str(user_id or ""), "")


def _as_lists(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Form data as lists of strings, from a request's QueryDict or an autosaved draft's JSON."""
    if isinstance(data, QueryDict):
        return {name: list(values) for name, values in data.lists()}
    return {
        name: [str(v) for v in value] if isinstance(value, list | tuple) else [_first(value)]
        for name, value in data.items()
    }


def _query_data(data: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, values in data.items():
        query.setlist(name, values)
    return query


def _with_missing_people(staff: Staff, data: Mapping[str, list[str]]) -> Staff:
    """Keep a chosen person who no longer has a duty at the unit, so no choice is lost."""
    known = {user_id for user_id, _name in staff}
    chosen = {
        value
        for name, values in data.items()
        if name.endswith(("responsible", "-responsible"))
        for value in values
        if value and value not in known
    }
    return staff + [(user_id, gettext("Tidigare personal")) for user_id in sorted(chosen)]


# ----------------------------------------------------------------------------- decisions


class StatementForm(forms.Form):
    """A decision that can be appealed states its reasons (FL 32 § via SL 29 kap. 10 §).

    Left optional here so that the workflow's own refusal, with its paragraph, is what shows.
    """

    statement_of_reasons = forms.CharField(
        label=_("Motivering"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Vad beslutet grundar sig på, så att eleven och vårdnadshavarna förstår det."),
    )
    # The version of the document the decider read; a newer save makes the decision a conflict
    # (services.decide_*: expected_version). Optional: without it the current one is taken.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class NoProgrammeForm(StatementForm):
    """Beslut att inte utarbeta åtgärdsprogram (SL 3 kap. 9 § tredje stycket; process.md §2.5)."""

    instead = forms.CharField(
        label=_("Vad som görs i stället"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Till exempel fortsatta extra anpassningar eller ledning och stimulans."),
    )


class DecisionChoiceForm(NoProgrammeForm):
    """After the investigation: a programme is to be drawn up, or not (SL 3 kap. 9 §)."""

    DRAW_UP = "draw_up"
    NOT_DRAW_UP = "not_draw_up"

    choice = forms.ChoiceField(
        label=_("Beslut"),
        widget=forms.RadioSelect,
        choices=[
            (DRAW_UP, _("Ett åtgärdsprogram ska utarbetas")),
            (NOT_DRAW_UP, _("Ett åtgärdsprogram ska inte utarbetas")),
        ],
        error_messages={"required": _("Välj om ett åtgärdsprogram ska utarbetas eller inte.")},
    )


class RevisionForm(forms.Form):
    """A programme in force is revised through a new draft and a new decision (rule 5)."""

    reason = forms.CharField(
        label=_("Skäl för revidering"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Ange varför programmet revideras.")},
    )


class ServiceForm(forms.Form):
    """How and when one recipient got the decision; the appeal time runs from receipt."""

    method = forms.ChoiceField(
        label=_("Sätt"),
        choices=[(value, label) for value, label in ServiceMethod.choices],
    )
    sent_on = forms.DateField(label=_("Skickat"), widget=DateInput, required=False)
    received_on = forms.DateField(label=_("Fick del av beslutet"), widget=DateInput, required=False)

    @classmethod
    def for_service(cls, service: DecisionService, data: Any = None) -> ServiceForm:
        initial = {
            "method": service.method or ServiceMethod.LETTER,
            "sent_on": service.sent_on,
            "received_on": service.received_on,
        }
        return cls(data, initial=initial, prefix=f"s{service.pk.hex[:8]}")


class ServiceCorrectionForm(forms.Form):
    """A recorded receipt day is evidence: it is corrected, with a reason, never overwritten."""

    received_on = forms.DateField(
        label=_("Rätt dag då mottagaren fick del av beslutet"),
        widget=DateInput,
        error_messages={"required": _("Ange den rätta dagen.")},
    )
    reason = forms.CharField(
        label=_("Skäl till rättelsen"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Ange skälet till rättelsen.")},
    )

    @classmethod
    def for_service(cls, service: DecisionService, data: Any = None) -> ServiceCorrectionForm:
        return cls(data, prefix=f"c{service.pk.hex[:8]}")


class ParticipantViewForm(forms.Form):
    """The pupil's or a guardian's own view (process.md rule 6: their voice is its own field)."""

    text = forms.CharField(
        label=_("Din synpunkt"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )


# ----------------------------------------------------------------------------- appeals


class AppealForm(forms.Form):
    """An appeal lodged with the school (FL 43–44 §§ via SL 29 kap. 11 §)."""

    # The appellant is one of the decision's recipients: their own receipt starts their three
    # weeks (FL 44 §), and only they may appeal (SL 29 kap. 12 §).
    service = forms.ChoiceField(
        label=_("Vem överklagar"),
        error_messages={"required": _("Välj vem som överklagar bland beslutets mottagare.")},
    )
    appellant_name = forms.CharField(
        label=_("Namn som det står i överklagandet"),
        max_length=200,
        required=False,
        help_text=_("Lämna tomt för att använda mottagarens namn."),
    )
    lodged_on = forms.DateField(label=_("Kom in till skolan"), widget=DateInput)
    content = forms.CharField(
        label=_("Vad som överklagas och varför"), widget=forms.Textarea(attrs={"rows": 5})
    )
    reached_board_in_time = forms.BooleanField(
        label=_("Överklagandet kom in till nämnden i tid"),
        required=False,
        help_text=_(
            "Kryssa i om överklagandet kom in till Skolväsendets överklagandenämnd före sista "
            "dag och nämnden skickade det vidare till skolan (45 § andra stycket "
            "förvaltningslagen)."
        ),
    )
    wrong_appeal_instructions = forms.BooleanField(
        label=_("Fel överklagandehänvisning lämnades"),
        required=False,
        help_text=_(
            "Kryssa i om förseningen beror på att skolan lämnade en felaktig upplysning om hur "
            "man överklagar (45 § andra stycket förvaltningslagen)."
        ),
    )

    def __init__(self, *args: Any, services: list[DecisionService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(service.pk): service for service in services}
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            ("", gettext("Välj mottagare")),
            *((key, service.recipient_name) for key, service in self.services.items()),
        ]

    def chosen_service(self) -> DecisionService | None:
        return self.services.get(self.cleaned_data.get("service") or "")

    def appellant(self) -> str:
        service = self.chosen_service()
        name = self.cleaned_data.get("appellant_name", "").strip()
        return name or (service.recipient_name if service else "")


APPEAL_ACTION_LABELS = {
    wf.AppealAction.RECONSIDER_AND_CHANGE: _(
        "Ändra beslutet vid omprövning; det nya beslutet fattas sedan på vanligt sätt "
        "(37–39 §§ förvaltningslagen, för kommunal huvudman)"
    ),
    wf.AppealAction.DISMISS_AS_LATE: _(
        "Avvisa: överklagandet kom in för sent (45 § förvaltningslagen, 29 kap. 11 § skollagen)"
    ),
    wf.AppealAction.FORWARD: _(
        "Överlämna till Skolväsendets överklagandenämnd (46 § förvaltningslagen, "
        "29 kap. 11 § skollagen)"
    ),
    wf.AppealAction.RECORD_BOARD_UPHELD: _("Nämnden avslog överklagandet"),
    wf.AppealAction.RECORD_BOARD_SET_ASIDE: _("Nämnden upphävde beslutet"),
    wf.AppealAction.RECORD_BOARD_RETURNED: _(
        "Nämnden visade ärendet åter till rektorn (28 kap. 16 § skollagen)"
    ),
}

# What the school can do next in each state (the workflow refuses anything else).
APPEAL_ACTIONS_IN: dict[str, tuple[wf.AppealAction, ...]] = {
    wf.AppealState.REGISTERED: (
        wf.AppealAction.RECONSIDER_AND_CHANGE,
        wf.AppealAction.DISMISS_AS_LATE,
        wf.AppealAction.FORWARD,
    ),
    # Changed, but not as the appellant asked: the appeal covers the new decision (FL 39 §).
    wf.AppealState.CHANGED_ON_RECONSIDERATION: (wf.AppealAction.FORWARD,),
    wf.AppealState.FORWARDED: (
        wf.AppealAction.RECORD_BOARD_UPHELD,
        wf.AppealAction.RECORD_BOARD_SET_ASIDE,
        wf.AppealAction.RECORD_BOARD_RETURNED,
    ),
}


class AppealHandleForm(forms.Form):
    action = forms.ChoiceField(label=_("Åtgärd"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Anteckning"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    # FL 45 § andra stycket: either fact stops a late appeal from being dismissed.
    reached_board_in_time = AppealForm.base_fields["reached_board_in_time"]
    wrong_appeal_instructions = AppealForm.base_fields["wrong_appeal_instructions"]

    def __init__(self, *args: Any, state: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [  # type: ignore[attr-defined]
            (action.value, APPEAL_ACTION_LABELS[action])
            for action in APPEAL_ACTIONS_IN.get(state, ())
        ]


# ----------------------------------------------------------------------------- follow-up


class FollowUpForm(forms.Form):
    """Follow-up or evaluation, per measure (SL 3 kap. 9 §; process.md §2.6)."""

    kind = forms.ChoiceField(
        label=_("Typ"), choices=choices(FOLLOW_UP_KIND_LABELS), widget=forms.RadioSelect
    )
    participants = forms.CharField(
        label=_("Deltagare"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    pupil_invited = forms.BooleanField(label=_("Eleven har bjudits in"), required=False)
    guardian_invited = forms.BooleanField(label=_("Vårdnadshavarna har bjudits in"), required=False)
    pupil_view = forms.CharField(
        label=_("Elevens syn"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    guardian_view = forms.CharField(
        label=_("Vårdnadshavarnas syn"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    summary = forms.CharField(
        label=_("Sammanfattning"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    outcome = forms.ChoiceField(
        label=_("Resultat"), choices=choices(FOLLOW_UP_OUTCOME_LABELS), widget=forms.RadioSelect
    )
    next_on = forms.DateField(
        label=_("Nästa tillfälle"),
        widget=DateInput,
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
                label=_("Kommentar"), widget=forms.Textarea(attrs={"rows": 2}), required=False
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
        return {
            name: self.cleaned_data[name]
            for name in (
                "participants",
                "pupil_invited",
                "guardian_invited",
                "pupil_view",
                "guardian_view",
                "summary",
            )
        }
