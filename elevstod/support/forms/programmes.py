"""The action programme's editor. It checks input; the workflow decides.

The editor is three forms bound to one flat dict of data (ProgrammeEditor): the programme's own
fields, its needs and its measures. The same dict serves a first visit (built from the
document), an added row ("Lägg till behov"), a restored autosaved draft and a conflict, so the
page works the same without JavaScript and nothing typed is lost (process.md rule 7).

Every person field offers the staff who may be named responsible at the pupil's unit
(elevstod.support.staff) and the people already saved on the programme; never a posted value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from elevstod.core.form_fields import date_input, textarea
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.labels import MEASURE_SETTING_LABELS, NEED_CATEGORY_LABELS, choices
from elevstod.support.models import MEASURE_FIELDS, ActionProgramme
from elevstod.support.selectors.programmes import MeasureRow, NeedRow
from elevstod.support.staff import Choice, ResponsibleField, offer

NEEDS = "needs"
MEASURES = "measures"
NEW_KEY = "ny-{}"  # the key of a need typed on the page and not yet saved
PROGRAMME_PEOPLE = ("follow_up_responsible", "evaluation_responsible")


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _text(label: StrOrPromise, *, rows: int = 2, help_text: StrOrPromise = "") -> forms.CharField:
    """An optional text typed at length (the editor saves a half-written draft)."""
    return forms.CharField(label=label, widget=textarea(rows), required=False, help_text=help_text)


def _optional_date(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.DateField:
    return forms.DateField(label=label, widget=date_input(), required=False, help_text=help_text)


class ProgrammeForm(forms.Form):
    """The programme's own fields (SL 3 kap. 9 §: when and by whom it is followed up and
    evaluated; the pupil and guardians offered to take part, and their views)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    revision_reason = _text(
        _("Skäl för revidering"),
        rows=3,
        help_text=_("Vad som har ändrats sedan förra versionen och varför."),
    )
    pupil_participation_offered = forms.BooleanField(
        label=_("Eleven har erbjudits att delta"), required=False
    )
    pupil_view = _text(_("Elevens synpunkter"), rows=3)
    guardian_participation_offered = forms.BooleanField(
        label=_("Vårdnadshavarna har erbjudits att delta"), required=False
    )
    guardian_view = _text(_("Vårdnadshavarnas synpunkter"), rows=3)
    follow_up_on = _optional_date(_("Uppföljning"))
    follow_up_responsible = ResponsibleField(label=_("Ansvarig för uppföljning"))
    evaluation_on = _optional_date(_("Utvärdering"))
    evaluation_responsible = ResponsibleField(label=_("Ansvarig för utvärdering"))
    valid_until = _optional_date(
        _("Gäller till"), _("Lämna tomt om programmet gäller tills det utvärderas och avslutas.")
    )

    def __init__(self, *args: Any, people: list[Choice], is_revision: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PROGRAMME_PEOPLE:
            offer(self, name, people)
        if not is_revision:
            del self.fields["revision_reason"]

    def clean_revision_reason(self) -> str:
        # A revision is a new decision; its reason is part of the version history (rule 5).
        reason = str(self.cleaned_data["revision_reason"]).strip()
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
            "follow_up_responsible_id": data["follow_up_responsible"],
            "evaluation_on": data["evaluation_on"],
            "evaluation_responsible_id": data["evaluation_responsible"],
            "valid_until": data["valid_until"],
        }
        if "revision_reason" in data:
            values["revision_reason"] = data["revision_reason"]
        return values


class NeedForm(forms.Form):
    """A need in terms of the school situation, never a diagnosis (SL 26 a kap. 4 §)."""

    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    category = forms.ChoiceField(
        label=_("Behovsområde"), choices=choices(NEED_CATEGORY_LABELS), required=False
    )
    description = _text(_("Behov"))

    def clean_category(self) -> str:
        return str(self.cleaned_data["category"] or wf.NeedCategory.OTHER)

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("description", "").strip())


class MeasureForm(forms.Form):
    """A measure, linked to one of the needs on the page (SL 3 kap. 9 §), with the extra fields
    of the settings reserved for the rektor (3 kap. 11–12 §§; process.md §2.7)."""

    need_key = forms.ChoiceField(label=_("Hör till behov"), required=False)
    description = _text(_("Åtgärd"))
    responsible = ResponsibleField(label=_("Ansvarig"))
    extent = forms.CharField(
        label=_("Omfattning"),
        max_length=200,
        required=False,
        help_text=_("Till exempel två lektioner i veckan eller vilka ämnen."),
    )
    setting = forms.ChoiceField(
        label=_("Organisation"), choices=choices(MEASURE_SETTING_LABELS), required=False
    )
    special_reasons = _text(
        _("Särskilda skäl"),
        help_text=_(
            "Krävs för särskild undervisningsgrupp, enskild undervisning och "
            "distansundervisning, och för anpassad studiegång: varför stödet inte i rimlig grad "
            "kan ges på annat sätt (3 kap. 11–12 §§ skollagen)."
        ),
    )
    location = forms.CharField(label=_("Plats eller grupp"), max_length=200, required=False)
    starts_on = _optional_date(_("Från"))
    ends_on = _optional_date(
        _("Till"), _("Distansundervisning beslutas för högst en termin åt gången (3 kap. 11 a §).")
    )
    deviations = _text(
        _("Avvikelser från timplan, ämnen och mål"),
        help_text=_(
            "Vid anpassad studiegång: avvikelserna och hur eleven så långt som möjligt ska kunna "
            "bli behörig till ett nationellt program i gymnasieskolan (3 kap. 12 §)."
        ),
    )
    return_plan = _text(_("Hur återgång till ordinarie grupp utvärderas"))

    def __init__(
        self, *args: Any, need_choices: list[Choice], people: list[Choice], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        need_key = cast(forms.ChoiceField, self.fields["need_key"])
        need_key.choices = [("", gettext("Välj behov")), *need_choices]
        offer(self, "responsible", people)

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("description", "").strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("description", "").strip():
            return cleaned  # an empty row is left out when saved
        if not cleaned.get("need_key"):
            self.add_error("need_key", gettext("Välj vilket behov åtgärden hör till."))
        if not cleaned.get("responsible") and "responsible" not in self.errors:
            self.add_error("responsible", gettext("Välj vem som ansvarar för åtgärden."))
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", gettext("Slutdatumet kan inte ligga före startdatumet."))
        return cleaned

    def to_input(self) -> services.MeasureInput:
        data = self.cleaned_data
        fields = {name: data[name] for name in MEASURE_FIELDS}
        fields["setting"] = fields["setting"] or wf.MeasureSetting.OWN_GROUP
        return services.MeasureInput(
            need_key=data["need_key"], responsible_id=data["responsible"], **fields
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
    data[prefix + "responsible"] = [str(measure.responsible_id or "")]
    for name in MEASURE_FIELDS:
        value = getattr(measure, name)
        data[prefix + name] = [_date(value) if name.endswith("_on") else value]


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


def _need_caption(index: int, category: str, text: str) -> str:
    """How a need row is named in the measures' "Hör till behov" list."""
    if not text:
        return gettext("Behov %(number)s (tom rad)") % {"number": index + 1}
    short = text if len(text) <= 50 else text[:49] + "…"
    return gettext("Behov %(number)s: %(category)s – %(text)s") % {
        "number": index + 1,
        "category": dict(choices(NEED_CATEGORY_LABELS)).get(category, ""),
        "text": short,
    }


class ProgrammeEditor:
    """The programme form with its needs and measures, bound to one flat dict of data.

    `people`: who may be named responsible (staff.responsible_staff with the people already
    saved on the programme, staff.with_saved_people). A posted id outside it is a field error.
    """

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        people: list[Choice],
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
        self.people = people
        self.is_revision = is_revision
        self.programme = ProgrammeForm(self.data, people=people, is_revision=is_revision)
        self.needs = NeedFormSet(self.data, prefix=NEEDS)
        self.measures = MeasureFormSet(
            self.data,
            prefix=MEASURES,
            form_kwargs={"need_choices": self.need_choices(), "people": people},
        )

    def need_choices(self) -> list[Choice]:
        """Every need row on the page, saved or not, by its key and what has been typed."""
        result = []
        for index in range(_row_count(self.data, NEEDS)):
            prefix = f"{NEEDS}-{index}-"
            caption = _need_caption(
                index,
                _first(self.data.get(prefix + "category")),
                _first(self.data.get(prefix + "description")).strip(),
            )
            result.append((_first(self.data.get(prefix + "key")), caption))
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

    @property
    def version(self) -> int:
        return int(self.programme.cleaned_data["version"])

    def with_version(self, version: int) -> ProgrammeEditor:
        """The same input against a newer version: saving it again resolves a conflict."""
        data = _as_lists(self.data)
        data["version"] = [str(version)]
        return ProgrammeEditor(data, people=self.people, is_revision=self.is_revision)

    def person_name(self, user_id: object) -> str:
        return dict(self.people).get(str(user_id or ""), "")


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


class RevisionForm(forms.Form):
    """A programme in force is revised through a new draft and a new decision (rule 5)."""

    reason = forms.CharField(
        label=_("Skäl för revidering"),
        widget=textarea(3),
        error_messages={"required": _("Ange varför programmet revideras.")},
    )
