"""Forms for appeals: registering one lodged with the school, and its handling (FL 43–46 §§)."""

from __future__ import annotations

from typing import Any, TypedDict, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elevstod.core.form_fields import date_input, textarea
from elevstod.support import workflow as wf
from elevstod.support.models import DecisionService


class AppealFacts(TypedDict):
    reached_board_in_time: bool
    wrong_appeal_instructions: bool


class AppealFactsForm(forms.Form):
    """FL 45 § andra stycket: either fact stops a late appeal from being dismissed."""

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

    def facts(self) -> AppealFacts:
        return AppealFacts(
            reached_board_in_time=self.cleaned_data["reached_board_in_time"],
            wrong_appeal_instructions=self.cleaned_data["wrong_appeal_instructions"],
        )


class AppealForm(AppealFactsForm):
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
    lodged_on = forms.DateField(label=_("Kom in till skolan"), widget=date_input())
    content = forms.CharField(label=_("Vad som överklagas och varför"), widget=textarea(5))
    field_order = ["service", "appellant_name", "lodged_on", "content"]

    def __init__(self, *args: Any, services: list[DecisionService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(service.pk): service for service in services}
        cast(forms.ChoiceField, self.fields["service"]).choices = [
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


class AppealHandleForm(AppealFactsForm):
    """The school's next step on the appeal: one of those the appeal's state allows."""

    action = forms.ChoiceField(label=_("Åtgärd"), widget=forms.RadioSelect)
    note = forms.CharField(label=_("Anteckning"), widget=textarea(3), required=False)
    field_order = ["action", "note"]

    def __init__(self, *args: Any, state: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions = APPEAL_ACTIONS_IN.get(state, ())
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            (action.value, APPEAL_ACTION_LABELS[action]) for action in self.actions
        ]

    @property
    def has_actions(self) -> bool:
        """Whether the school has a next step at all (a decided appeal has none)."""
        return bool(self.actions)
