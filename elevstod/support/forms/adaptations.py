"""Forms for extra adaptations (SL 3 kap. 5 §; process.md §2.1): giving one, changing it
(versioned), and evaluating it. Needs, never diagnoses."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elevstod.core.form_fields import date_field
from elevstod.organisation.models import Group
from elevstod.support.forms.fields import choice_field, radio_field, text_field
from elevstod.support.labels import (
    ADAPTATION_EFFECT_LABELS,
    ADAPTATION_NEXT_STEP_LABELS,
    NEED_CATEGORY_LABELS,
    choices,
)
from elevstod.support.models import Adaptation
from elevstod.support.staff import Choice, ResponsibleField, offer
from elevstod.support.workflow.adaptations import DATE_RULE_FIELDS, may_date_adaptation
from elevstod.support.workflow.refusals import Refused

# The text fields a user types at length: what autosave keeps and a conflict shows side by side.
ADAPTATION_TEXT_FIELDS = ("need_description", "measure", "subject")


class AdaptationForm(forms.Form):
    """An extra adaptation (SL 3 kap. 5 §; process.md §2.1). Needs, never diagnoses."""

    need_categories = forms.MultipleChoiceField(
        label=_("Behovsområden"),
        choices=choices(NEED_CATEGORY_LABELS),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Välj ett eller flera områden i skolsituationen. Ange aldrig diagnoser."),
    )
    need_description = text_field(_("Elevens behov"), rows=3)
    measure = text_field(
        _("Vad som görs"),
        rows=3,
        help_text=_("Till exempel tydligt schema, anpassat material eller digitala verktyg."),
    )
    # Teachers and mentors of the pupil's groups and the unit's special educators
    # (staff.adaptation_staff); anything else posted is a form error.
    responsible = ResponsibleField(label=_("Ansvarig"), required=True)
    subject = forms.CharField(
        label=_("Ämne"),
        max_length=100,
        required=False,
        help_text=_("Lämna tomt om anpassningen gäller i alla ämnen (ämnesövergripande)."),
    )
    group = forms.ChoiceField(label=_("Undervisningsgrupp"), required=False)
    starts_on = date_field(_("Start"))
    evaluate_on = date_field(_("Planerad utvärdering"))
    guardian_informed_on = date_field(
        _("Vårdnadshavare informerade"),
        required=False,
        help_text=_("Eleven och vårdnadshavarna ska fortlöpande informeras (3 kap. 3 §)."),
    )

    def __init__(
        self,
        *args: Any,
        responsible: list[Choice],
        groups: Sequence[Group],
        born_on: date | None = None,
        today: date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The pupil's birth date and today, for the days the adaptation may have (None: only
        # their order is checked here; the service checks them all).
        self.born_on, self.today = born_on, today
        offer(self, "responsible", responsible)
        choice_field(self, "group").choices = [
            ("", _("Ingen särskild grupp")),
            *[(str(group.pk), group.name) for group in groups],
        ]

    def clean(self) -> dict[str, Any]:
        """The days in order, and days that can be (workflow.may_date_adaptation), each
        message beside its field."""
        cleaned = super().clean() or {}
        starts, evaluates = cleaned.get("starts_on"), cleaned.get("evaluate_on")
        if starts and evaluates and evaluates <= starts:
            self.add_error("evaluate_on", _("Utvärderingen måste ligga efter startdatumet."))
        elif starts and self.born_on is not None and self.today is not None:
            outcome = may_date_adaptation(
                starts_on=starts,
                evaluate_on=evaluates,
                guardian_informed_on=cleaned.get("guardian_informed_on"),
                born_on=self.born_on,
                today=self.today,
            )
            if isinstance(outcome, Refused):
                self.add_error(DATE_RULE_FIELDS[outcome.rule], outcome.text(gettext))
        return cleaned

    def values(self) -> dict[str, Any]:
        """The model's values, as services.adaptation_create/update take them."""
        data = self.cleaned_data
        return {
            "need_categories": list(data["need_categories"]),
            "need_description": data["need_description"],
            "measure": data["measure"],
            "responsible_id": data["responsible"],
            "subject": data["subject"],
            "group_id": uuid.UUID(data["group"]) if data["group"] else None,
            "starts_on": data["starts_on"],
            "evaluate_on": data["evaluate_on"],
            "guardian_informed_on": data["guardian_informed_on"],
        }


def new_adaptation_initial(
    *,
    today: date,
    evaluate_on: date,
    responsible: list[Choice],
    user_id: uuid.UUID | None,
    subject: str,
) -> dict[str, Any]:
    """A new adaptation starts today, is evaluated after the huvudman's interval, and has the
    user as responsible when they may be."""
    return {
        "starts_on": today,
        "evaluate_on": evaluate_on,
        "responsible": str(user_id) if any(pk == str(user_id) for pk, _name in responsible) else "",
        "subject": subject,
    }


class AdaptationEditForm(AdaptationForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def adaptation_initial(adaptation: Adaptation) -> dict[str, Any]:
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

    effect = radio_field(_("Effekt"), ADAPTATION_EFFECT_LABELS)
    pupil_view = text_field(
        _("Elevens egen syn"),
        rows=3,
        required=False,
        help_text=_("Vad tycker eleven själv om anpassningen?"),
    )
    comment = text_field(_("Kommentar"), rows=3, required=False)
    next_step = radio_field(_("Nästa steg"), ADAPTATION_NEXT_STEP_LABELS)
    next_evaluation_on = date_field(
        _("Nästa utvärdering"),
        required=False,
        help_text=_("Krävs om anpassningen fortsätter eller ändras."),
    )
