"""The huvudman's deadline settings form (process.md §3: municipal deadlines are settings)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from elevstod.support import workflow as wf

MIN_DAYS = 1
MAX_DAYS = 365


@dataclass(frozen=True)
class DeadlineField:
    """What one setting means, and what the law itself says about the same step."""

    name: str
    label: StrOrPromise
    meaning: StrOrPromise
    law: StrOrPromise


# In the order of the chain. The law says "skyndsamt" or nothing at all; the days are the
# huvudman's routine, which the system measures and reminds about (process.md rule 4).
DEADLINE_FIELDS: tuple[DeadlineField, ...] = (
    DeadlineField(
        "adaptation_evaluation_days",
        _("Utvärdering av extra anpassning"),
        _(
            "Hur många dagar efter start den första utvärderingen av en extra anpassning "
            "föreslås. Den ansvariga kan ändra datumet för varje anpassning."
        ),
        _(
            "Lagen: extra anpassningar ska ges skyndsamt (3 kap. 5 § skollagen). Att utvärdera "
            "dem är praxis enligt Skolverkets allmänna råd; lagen anger ingen tid."
        ),
    ),
    DeadlineField(
        "receipt_days",
        _("Kvittens av anmälan"),
        _("Dagar från att en anmälan lämnas till att rektorn har tagit emot den."),
        _("Lagen: rektorn ska se till att behovet utreds skyndsamt (3 kap. 7 § skollagen)."),
    ),
    DeadlineField(
        "investigation_start_days",
        _("Påbörjad utredning"),
        _("Dagar från rektorns kvittens till att utredningen har inletts. Vanligt: 7 dagar."),
        _("Lagen: skyndsamt (3 kap. 7 § skollagen), utan fast antal dagar."),
    ),
    DeadlineField(
        "investigation_complete_days",
        _("Färdig utredning"),
        _(
            "Dagar från rektorns kvittens till färdig utredning, när rektorn inte har satt ett "
            "eget datum. Vanligt: 4–6 veckor."
        ),
        _("Lagen: skyndsamt (3 kap. 7 § skollagen), utan fast antal dagar."),
    ),
    DeadlineField(
        "decision_days",
        _("Beslut efter bedömning"),
        _(
            "Dagar från den pedagogiska bedömningen till beslut om åtgärdsprogram eller beslut "
            "att inte utarbeta ett. Vanligt: 1–2 veckor."
        ),
        _(
            "Lagen: ett åtgärdsprogram ska utarbetas när eleven behöver särskilt stöd "
            "(3 kap. 9 § skollagen); ingen fast tid."
        ),
    ),
    DeadlineField(
        "service_days",
        _("Delgivning av beslut"),
        _("Dagar från beslutet till att eleven och vårdnadshavarna har fått del av det."),
        _(
            "Lagen: parterna ska underrättas om beslutet (33 § förvaltningslagen). "
            "Överklagandetiden på tre veckor räknas från den dag de fick del av det (44 §)."
        ),
    ),
    DeadlineField(
        "follow_up_interval_days",
        _("Uppföljning av åtgärdsprogram"),
        _(
            "Föreslagen tid mellan uppföljningar av ett åtgärdsprogram. Vanligt: var 4–6 vecka, "
            "och utvärdering minst en gång per termin."
        ),
        _(
            "Lagen: programmet ska ange när det följs upp och utvärderas och vem som ansvarar "
            "(3 kap. 9 § skollagen), men inte hur ofta."
        ),
    ),
)

_ERRORS = {
    "required": _("Ange antal dagar."),
    "invalid": _("Ange antal dagar som ett heltal, till exempel 7."),
    "min_value": _("Ange minst %(limit_value)s dag."),
    "max_value": _("Ange högst %(limit_value)s dagar."),
}


@dataclass(frozen=True)
class DeadlineRow:
    """One setting as the page shows it: the input, its meaning, the law and the default."""

    field: forms.BoundField
    setting: DeadlineField
    default_days: int


class DeadlineSettingsForm(forms.Form):
    """One field per ProviderDeadlines setting, each 1–365 days."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for setting in DEADLINE_FIELDS:
            self.fields[setting.name] = forms.IntegerField(
                label=setting.label,
                min_value=MIN_DAYS,
                max_value=MAX_DAYS,
                error_messages=_ERRORS,
                help_text=setting.meaning,
            )

    def rows(self) -> list[DeadlineRow]:
        defaults = asdict(wf.DEFAULT_DEADLINES)
        return [
            DeadlineRow(self[setting.name], setting, defaults[setting.name])
            for setting in DEADLINE_FIELDS
        ]

    @staticmethod
    def initial_from(row: object | None) -> dict[str, int]:
        """The saved settings, or the defaults where none are saved (workflow.DEFAULT_DEADLINES)."""
        source = row if row is not None else wf.DEFAULT_DEADLINES
        return {setting.name: getattr(source, setting.name) for setting in DEADLINE_FIELDS}
