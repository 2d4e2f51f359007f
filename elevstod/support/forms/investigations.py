"""Forms for the investigation (SL 3 kap. 7 §; process.md §2.3): opening it with investigators,
and writing the mapping and the pedagogical assessment with the needs found."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from elevstod.core.form_fields import date_field
from elevstod.support.forms.fields import text_field
from elevstod.support.labels import NEED_CATEGORY_LABELS, choices
from elevstod.support.models import WITHHELD_GROUND_LABELS, Investigation
from elevstod.support.staff import Choice, InvestigatorsField, offer


class InvestigationOpenForm(forms.Form):
    """The principal opens the investigation and names who investigates (SL 3 kap. 7 §)."""

    # The unit's staff who may see the pupil (staff.responsible_staff); nobody else.
    investigators = InvestigatorsField(
        label=_("Utredare"),
        required=False,  # may_open_investigation refuses none, with its paragraph
        widget=forms.CheckboxSelectMultiple,
    )
    target_on = date_field(_("Utredningen ska vara klar"))

    def __init__(self, *args: Any, staff: list[Choice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self, "investigators", staff)


STAFF_ONLY = Investigation.STAFF_ONLY_FIELDS

SUPPORT_NEEDED_CHOICES = [
    ("", _("Inte bedömt ännu")),
    ("yes", _("Ja, eleven är i behov av särskilt stöd")),
    ("no", _("Nej, eleven är inte i behov av särskilt stöd")),
]


def _optional_text(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.CharField:
    return text_field(label, required=False, help_text=help_text)


class InvestigationForm(forms.Form):
    """Kartläggning and pedagogisk bedömning (process.md §2.3). Every field is optional while
    writing; investigation_conclude says what is still missing."""

    individual_level = _optional_text(
        _("Individnivå"), _("Elevens situation: lärande, sociala situation, frånvaro.")
    )
    group_level = _optional_text(
        _("Gruppnivå"), _("Undervisningen och klimatet i elevens grupper.")
    )
    school_level = _optional_text(_("Skolnivå"), _("Lärmiljön och skolans organisation."))
    results = _optional_text(_("Resultat per ämne"))
    adaptations_effect = _optional_text(
        _("Givna extra anpassningar och deras effekt"),
        _("Förifyllt från anmälan. Komplettera vid behov."),
    )
    pupil_view = _optional_text(_("Elevens syn"))
    guardian_view = _optional_text(_("Vårdnadshavarnas syn"))
    eht_consulted = forms.BooleanField(label=_("Samråd med elevhälsan har skett"), required=False)
    eht_consultation = _optional_text(_("Elevhälsans bidrag"))
    eht_skip_reason = _optional_text(
        _("Skäl till att samråd med elevhälsan är uppenbart obehövligt"),
        _("Fyll bara i om samråd inte har skett (3 kap. 7 § andra stycket)."),
    )
    cause_analysis = _optional_text(_("Analys av orsakerna till svårigheterna"))
    special_support_needed = forms.ChoiceField(
        label=_("Är eleven i behov av särskilt stöd?"),
        choices=SUPPORT_NEEDED_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    proposed_measures = _optional_text(
        _("Förslag på åtgärder"),
        _(
            "Och på vilken nivå: i den egna gruppen, i särskild undervisningsgrupp, enskilt "
            "eller som anpassad studiegång."
        ),
    )
    # Staff-only working notes: never shown to the pupil or the guardians, so only with a
    # recorded ground and reason (FL 10 §, OSL 10 kap. 3 §; decision 0014).
    working_notes = _optional_text(
        _("Arbetsanteckningar som inte visas för eleven och vårdnadshavarna"),
        _(
            "Allt annat i utredningen kan eleven och vårdnadshavarna läsa när bedömningen är "
            "klar. Skriv här bara det som inte ska visas för dem, och ange grund och skäl."
        ),
    )
    working_notes_withheld_ground = forms.ChoiceField(
        label=_("Grund för att inte visa arbetsanteckningarna"),
        choices=[("", _("Ingen grund angiven")), *choices(WITHHELD_GROUND_LABELS)],
        required=False,
        widget=forms.RadioSelect,
    )
    working_notes_withheld_reason = _optional_text(
        _("Skäl för att inte visa arbetsanteckningarna"),
        _("Eleven och vårdnadshavarna ser att anteckningar har undantagits, grunden och skälet."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def values(self) -> dict[str, Any]:
        """The model's values, as services.investigation_save takes them."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            name: data[name] for name in (*Investigation.TEXT_FIELDS, *STAFF_ONLY)
        }
        values["eht_consulted"] = data["eht_consulted"]
        values["special_support_needed"] = {"yes": True, "no": False}.get(
            data["special_support_needed"]
        )
        return values


def investigation_initial(investigation: Investigation) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(investigation, name) for name in (*Investigation.TEXT_FIELDS, *STAFF_ONLY)
    }
    initial["eht_consulted"] = investigation.eht_consulted
    needed = investigation.special_support_needed
    initial["special_support_needed"] = "" if needed is None else ("yes" if needed else "no")
    initial["version"] = investigation.version
    return initial


class NeedForm(forms.Form):
    """One need found, in terms of the school situation (SL 3 kap. 9 §). Never a diagnosis."""

    category = forms.ChoiceField(
        label=_("Behovsområde"), choices=choices(NEED_CATEGORY_LABELS), required=False
    )
    description = text_field(_("Behov"), rows=2, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("description", "").strip() and not cleaned.get("category"):
            self.add_error("category", _("Välj behovsområde för behovet."))
        return cleaned


NeedFormSet = forms.formset_factory(NeedForm, extra=1, max_num=30, absolute_max=30)


def needs_formset(
    data: Any = None, *, initial: list[dict[str, str]] | None = None
) -> forms.BaseFormSet:
    return NeedFormSet(data, initial=initial, prefix="needs")


def needs_of(formset: forms.BaseFormSet) -> list[tuple[str, str]]:
    """(category, description) per filled row, as services.investigation_save takes them."""
    return [
        (form.cleaned_data["category"], form.cleaned_data["description"])
        for form in formset.forms
        if form.cleaned_data.get("description", "").strip()
    ]
