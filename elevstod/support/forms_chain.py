"""Forms for the first half of the chain: concerns, extra adaptations, reports, investigations.

Forms only check input (types, required fields, dates in order). The rules of the chain are the
workflow's, applied by the services; a refusal is added to the bound form so that everything
typed stays on the page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from elevstod.accounts.models import User
from elevstod.organisation.models import Group
from elevstod.support import workflow as wf
from elevstod.support.labels import (
    ADAPTATION_EFFECT_LABELS,
    ADAPTATION_NEXT_STEP_LABELS,
    CONCERN_SOURCE_LABELS,
    NEED_CATEGORY_LABELS,
    REFERRAL_GROUND_LABELS,
    choices,
)
from elevstod.support.models import Investigation

TEXT_LIMIT = 20_000  # generous for a pedagogical text; stops accidental pastes of whole files


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _person_choices(people: Iterable[User]) -> list[tuple[str, str]]:
    return [(str(person.pk), person.display_name) for person in people]


# --------------------------------------------------------------------------- concerns


class ConcernForm(forms.Form):
    """Staff record a concern (SL 3 kap. 5 §), naming where it came from."""

    source = forms.ChoiceField(
        label=_("Var kommer oron ifrån?"),
        choices=choices(CONCERN_SOURCE_LABELS),
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(
        label=_("Ämne eller situation"),
        max_length=100,
        required=False,
        help_text=_("Till exempel matematik, raster eller idrott. Lämna tomt om oron är bred."),
    )
    description = forms.CharField(
        label=_("Beskriv oron"),
        max_length=TEXT_LIMIT,
        widget=_textarea(5),
        help_text=_("Beskriv vad ni ser i skolsituationen. Skriv inte diagnoser."),
    )


class FamilyConcernForm(forms.Form):
    """The pupil or a guardian tells the school they are worried (process.md §1, S1)."""

    subject = forms.CharField(
        label=_("Gäller det ett visst ämne eller en viss situation?"),
        max_length=100,
        required=False,
    )
    description = forms.CharField(
        label=_("Vad är du orolig för?"),
        max_length=TEXT_LIMIT,
        widget=_textarea(6),
    )


class ConcernCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Varför behövs inget mer göras?"),
        max_length=TEXT_LIMIT,
        widget=_textarea(3),
        required=False,  # the service refuses an empty reason with its own message
    )


# --------------------------------------------------------------------------- adaptations


class AdaptationForm(forms.Form):
    """An extra adaptation (SL 3 kap. 5 §; process.md §2.1). Needs, never diagnoses."""

    need_categories = forms.MultipleChoiceField(
        label=_("Behovsområden"),
        choices=choices(NEED_CATEGORY_LABELS),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Välj ett eller flera områden i skolsituationen. Ange aldrig diagnoser."),
    )
    need_description = forms.CharField(
        label=_("Elevens behov"),
        max_length=TEXT_LIMIT,
        widget=_textarea(3),
    )
    measure = forms.CharField(
        label=_("Vad som görs"),
        max_length=TEXT_LIMIT,
        widget=_textarea(3),
        help_text=_("Till exempel tydligt schema, anpassat material eller digitala verktyg."),
    )
    responsible = forms.ChoiceField(label=_("Ansvarig"))
    subject = forms.CharField(
        label=_("Ämne"),
        max_length=100,
        required=False,
        help_text=_("Lämna tomt om anpassningen gäller i alla ämnen (ämnesövergripande)."),
    )
    group = forms.ChoiceField(label=_("Undervisningsgrupp"), required=False)
    starts_on = forms.DateField(label=_("Start"), widget=_date_input())
    evaluate_on = forms.DateField(label=_("Planerad utvärdering"), widget=_date_input())
    guardian_informed_on = forms.DateField(
        label=_("Vårdnadshavare informerade"),
        required=False,
        widget=_date_input(),
        help_text=_("Eleven och vårdnadshavarna ska fortlöpande informeras (3 kap. 3 §)."),
    )

    def __init__(
        self,
        *args: Any,
        responsible: Sequence[User],
        groups: Sequence[Group],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "responsible").choices = [
            ("", _("Välj ansvarig")),
            *_person_choices(responsible),
        ]
        _choice_field(self, "group").choices = [
            ("", _("Ingen särskild grupp")),
            *[(str(group.pk), group.name) for group in groups],
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, evaluates = cleaned.get("starts_on"), cleaned.get("evaluate_on")
        if starts and evaluates and evaluates <= starts:
            self.add_error("evaluate_on", _("Utvärderingen måste ligga efter startdatumet."))
        return cleaned

    def values(self) -> dict[str, Any]:
        """The model's values, as services.adaptation_create/update take them."""
        data = self.cleaned_data
        return {
            "need_categories": list(data["need_categories"]),
            "need_description": data["need_description"],
            "measure": data["measure"],
            "responsible_id": uuid.UUID(data["responsible"]),
            "subject": data["subject"],
            "group_id": uuid.UUID(data["group"]) if data["group"] else None,
            "starts_on": data["starts_on"],
            "evaluate_on": data["evaluate_on"],
            "guardian_informed_on": data["guardian_informed_on"],
        }


class AdaptationEditForm(AdaptationForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# The text fields a user types at length: what autosave keeps and a conflict shows side by side.
ADAPTATION_TEXT_FIELDS = ("need_description", "measure", "subject")


def adaptation_initial(adaptation: Any) -> dict[str, Any]:
    return {
        "need_categories": list(adaptation.need_categories or []),
        "need_description": adaptation.need_description,
        "measure": adaptation.measure,
        "responsible": str(adaptation.responsible_id),
        "subject": adaptation.subject,
        "group": str(adaptation.group_id) if adaptation.group_id else "",
        "starts_on": adaptation.starts_on,
        "evaluate_on": adaptation.evaluate_on,
        "guardian_informed_on": adaptation.guardian_informed_on,
        "version": adaptation.version,
    }


class AdaptationEvaluationForm(forms.Form):
    """Evaluate the effect, then continue, change, end or report (process.md §1, S2→S2)."""

    effect = forms.ChoiceField(
        label=_("Effekt"),
        choices=choices(ADAPTATION_EFFECT_LABELS),
        widget=forms.RadioSelect,
    )
    pupil_view = forms.CharField(
        label=_("Elevens egen syn"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=_textarea(3),
        help_text=_("Vad tycker eleven själv om anpassningen?"),
    )
    comment = forms.CharField(
        label=_("Kommentar"), max_length=TEXT_LIMIT, required=False, widget=_textarea(3)
    )
    next_step = forms.ChoiceField(
        label=_("Nästa steg"),
        choices=choices(ADAPTATION_NEXT_STEP_LABELS),
        widget=forms.RadioSelect,
    )
    next_evaluation_on = forms.DateField(
        label=_("Nästa utvärdering"),
        required=False,
        widget=_date_input(),
        help_text=_("Krävs om anpassningen fortsätter eller ändras."),
    )


# --------------------------------------------------------------------------- referral


class ReferralForm(forms.Form):
    """A report to the principal (SL 3 kap. 7 §; process.md §2.2)."""

    ground = forms.ChoiceField(
        label=_("Grund för anmälan"),
        choices=choices(REFERRAL_GROUND_LABELS),
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("Beskriv svårigheterna"), max_length=TEXT_LIMIT, widget=_textarea(5)
    )
    results = forms.CharField(
        label=_("Relevanta resultat"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=_textarea(3),
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
        _choice_field(self, "adaptations").choices = [(str(pk), str(pk)) for pk in adaptation_ids]


class InvestigationOpenForm(forms.Form):
    """The principal opens the investigation and names who investigates (SL 3 kap. 7 §)."""

    investigators = forms.MultipleChoiceField(
        label=_("Utredare"),
        required=False,  # may_open_investigation refuses none, with its paragraph
        widget=forms.CheckboxSelectMultiple,
    )
    target_on = forms.DateField(label=_("Utredningen ska vara klar"), widget=_date_input())

    def __init__(self, *args: Any, staff: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "investigators").choices = _person_choices(staff)


# --------------------------------------------------------------------------- investigation

SUPPORT_NEEDED_CHOICES = [
    ("", _("Inte bedömt ännu")),
    ("yes", _("Ja, eleven är i behov av särskilt stöd")),
    ("no", _("Nej, eleven är inte i behov av särskilt stöd")),
]


class InvestigationForm(forms.Form):
    """Kartläggning and pedagogisk bedömning (process.md §2.3). Every field is optional while
    writing; investigation_conclude says what is still missing."""

    individual_level = forms.CharField(
        label=_("Individnivå"),
        help_text=_("Elevens situation: lärande, sociala situation, frånvaro."),
    )
    group_level = forms.CharField(
        label=_("Gruppnivå"),
        help_text=_("Undervisningen och klimatet i elevens grupper."),
    )
    school_level = forms.CharField(
        label=_("Skolnivå"),
        help_text=_("Lärmiljön och skolans organisation."),
    )
    results = forms.CharField(label=_("Resultat per ämne"))
    adaptations_effect = forms.CharField(
        label=_("Givna extra anpassningar och deras effekt"),
        help_text=_("Förifyllt från anmälan. Komplettera vid behov."),
    )
    pupil_view = forms.CharField(label=_("Elevens syn"))
    guardian_view = forms.CharField(label=_("Vårdnadshavarnas syn"))
    eht_consulted = forms.BooleanField(label=_("Samråd med elevhälsan har skett"))
    eht_consultation = forms.CharField(label=_("Elevhälsans bidrag"))
    eht_skip_reason = forms.CharField(
        label=_("Skäl till att samråd med elevhälsan är uppenbart obehövligt"),
        help_text=_("Fyll bara i om samråd inte har skett (3 kap. 7 § andra stycket)."),
    )
    cause_analysis = forms.CharField(label=_("Analys av orsakerna till svårigheterna"))
    special_support_needed = forms.ChoiceField(
        label=_("Är eleven i behov av särskilt stöd?"),
        choices=SUPPORT_NEEDED_CHOICES,
        widget=forms.RadioSelect,
    )
    proposed_measures = forms.CharField(
        label=_("Förslag på åtgärder"),
        help_text=_(
            "Och på vilken nivå: i den egna gruppen, i särskild undervisningsgrupp, enskilt "
            "eller som anpassad studiegång."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, form_field in self.fields.items():
            if name != "version":
                form_field.required = False
            if isinstance(form_field, forms.CharField):
                form_field.max_length = TEXT_LIMIT
                form_field.widget = _textarea(4)
                form_field.widget.attrs["maxlength"] = str(TEXT_LIMIT)

    def values(self) -> dict[str, Any]:
        """The model's values, as services.investigation_save takes them."""
        data = self.cleaned_data
        values: dict[str, Any] = {name: data[name] for name in Investigation.TEXT_FIELDS}
        values["eht_consulted"] = data["eht_consulted"]
        values["special_support_needed"] = {"yes": True, "no": False}.get(
            data["special_support_needed"]
        )
        return values


def investigation_initial(investigation: Investigation) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(investigation, name) for name in Investigation.TEXT_FIELDS
    }
    initial["eht_consulted"] = investigation.eht_consulted
    initial["special_support_needed"] = support_needed_value(investigation.special_support_needed)
    initial["version"] = investigation.version
    return initial


def support_needed_value(value: bool | None) -> str:
    if value is None:
        return ""
    return "yes" if value else "no"


class NeedForm(forms.Form):
    """One need found, in terms of the school situation (SL 3 kap. 9 §). Never a diagnosis."""

    category = forms.ChoiceField(
        label=_("Behovsområde"), choices=choices(NEED_CATEGORY_LABELS), required=False
    )
    description = forms.CharField(
        label=_("Behov"), max_length=TEXT_LIMIT, required=False, widget=_textarea(2)
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("description", "").strip() and not cleaned.get("category"):
            self.add_error("category", _("Välj behovsområde för behovet."))
        return cleaned


NeedFormSet = forms.formset_factory(NeedForm, extra=1, max_num=30, absolute_max=30)


def needs_of(formset: Any) -> list[tuple[str, str]]:
    """(category, description) per filled row, as services.investigation_save takes them."""
    return [
        (form.cleaned_data["category"], form.cleaned_data["description"])
        for form in formset.forms
        if form.cleaned_data.get("description", "").strip()
    ]


# --------------------------------------------------------------------------- drafts


def initial_from_draft(
    form_class: type[forms.Form], data: Mapping[str, Any], base: Mapping[str, Any]
) -> dict[str, Any]:
    """The form's initial values with a saved draft laid over the document's own values."""
    initial = dict(base)
    for name, form_field in form_class.base_fields.items():
        if name not in data or name == "version":
            continue
        value = data[name]
        if isinstance(form_field, forms.MultipleChoiceField):
            initial[name] = value if isinstance(value, list) else [value]
        elif isinstance(form_field, forms.BooleanField):
            initial[name] = value in ("on", "true", "1", True)
        else:
            initial[name] = value[-1] if isinstance(value, list) else value
    return initial


def need_rows_from_draft(data: Mapping[str, Any], prefix: str = "needs") -> list[dict[str, str]]:
    """Rows of the needs formset as a draft holds them (the raw form fields)."""
    rows = []
    for index in range(30):
        description = data.get(f"{prefix}-{index}-description")
        category = data.get(f"{prefix}-{index}-category")
        if description is None and category is None:
            continue
        rows.append({"category": str(category or ""), "description": str(description or "")})
    return [row for row in rows if row["description"].strip()]


def valid_date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


__all__ = ["wf"]
