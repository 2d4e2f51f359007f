"""Forms for decisions: the decision after an investigation, on a programme and its closure, and
how each recipient got the decision (service). They check input; the workflow decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from elevstod.core.form_fields import date_input, textarea
from elevstod.support.models import DecisionService, ServiceMethod


class StatementForm(forms.Form):
    """A decision that can be appealed states its reasons (FL 32 § via SL 29 kap. 10 §).

    Left optional here so that the workflow's own refusal, with its paragraph, is what shows.
    """

    statement_of_reasons = forms.CharField(
        label=_("Motivering"),
        widget=textarea(5),
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
        widget=textarea(3),
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

    @property
    def draws_up(self) -> bool:
        return bool(self.cleaned_data["choice"] == self.DRAW_UP)


class ServiceForm(forms.Form):
    """How and when one recipient got the decision; the appeal time runs from receipt."""

    method = forms.ChoiceField(
        label=_("Sätt"),
        choices=[(value, label) for value, label in ServiceMethod.choices],
    )
    sent_on = forms.DateField(label=_("Skickat"), widget=date_input(), required=False)
    received_on = forms.DateField(
        label=_("Fick del av beslutet"), widget=date_input(), required=False
    )

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
        widget=date_input(),
        error_messages={"required": _("Ange den rätta dagen.")},
    )
    reason = forms.CharField(
        label=_("Skäl till rättelsen"),
        max_length=1000,
        widget=textarea(2),
        error_messages={"required": _("Ange skälet till rättelsen.")},
    )

    @classmethod
    def for_service(cls, service: DecisionService, data: Any = None) -> ServiceCorrectionForm:
        return cls(data, prefix=f"c{service.pk.hex[:8]}")


def service_form(service: DecisionService, data: Any = None) -> ServiceForm | ServiceCorrectionForm:
    """A recorded receipt day is evidence: it gets a correction form, never the service form."""
    if service.received_on:
        return ServiceCorrectionForm.for_service(service, data)
    return ServiceForm.for_service(service, data)
