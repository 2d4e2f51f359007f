"""Forms for kommunicering before an adverse decision (FL 25 §; decision 0014): what was sent to
the family and by when they may answer, or the exception; and the family's answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from elevstod.core.form_fields import date_field
from elevstod.support.forms.fields import text_field
from elevstod.support.labels import choices
from elevstod.support.models import COMMUNICATION_EXCEPTION_LABELS
from elevstod.support.services.communication import CommunicationInput


class CommunicationForm(forms.Form):
    """Every field is optional here: the workflow (may_record_communication) says what is
    missing, with its paragraph, and nothing typed is lost."""

    sent_on = date_field(_("Underlaget skickades"), required=False)
    recipients = forms.CharField(
        label=_("Till"),
        max_length=300,
        required=False,
        help_text=_("Eleven och vårdnadshavarna med vårdnad, med namn."),
    )
    material = text_field(
        _("Underlaget"),
        required=False,
        help_text=_(
            "Det som beslutet grundas på och som skickades: utredningen, förslaget till "
            "beslut och skälen för det."
        ),
    )
    answer_by = date_field(_("Svar senast"), required=False)
    exception_ground = forms.ChoiceField(
        label=_("Undantag från kommunicering"),
        choices=[
            ("", _("Inget undantag: underlaget skickas")),
            *choices(COMMUNICATION_EXCEPTION_LABELS),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    exception_reason = text_field(_("Skäl för undantaget"), rows=2, required=False)

    def values(self) -> CommunicationInput:
        data: dict[str, Any] = self.cleaned_data
        return CommunicationInput(
            sent_on=data["sent_on"],
            recipients=data["recipients"],
            material=data["material"],
            answer_by=data["answer_by"],
            exception_ground=data["exception_ground"],
            exception_reason=data["exception_reason"],
        )


class CommunicationAnswerForm(forms.Form):
    answered_on = date_field(_("Svaret kom in"))
    answer = text_field(
        _("Svaret"),
        help_text=_("Skriv av svaret, eller sammanfatta det om det lämnades muntligt."),
    )
