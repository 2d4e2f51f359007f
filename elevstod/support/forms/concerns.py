"""Forms for concerns (SL 3 kap. 5 §): staff record one, the family tells the school, and
closing one when nothing more needs doing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from elevstod.support.forms.fields import radio_field, text_field
from elevstod.support.labels import CONCERN_SOURCE_LABELS


class ConcernForm(forms.Form):
    """Staff record a concern (SL 3 kap. 5 §), naming where it came from."""

    source = radio_field(_("Var kommer oron ifrån?"), CONCERN_SOURCE_LABELS)
    subject = forms.CharField(
        label=_("Ämne eller situation"),
        max_length=100,
        required=False,
        help_text=_("Till exempel matematik, raster eller idrott. Lämna tomt om oron är bred."),
    )
    description = text_field(
        _("Beskriv oron"),
        rows=5,
        help_text=_("Beskriv vad ni ser i skolsituationen. Skriv inte diagnoser."),
    )


class FamilyConcernForm(forms.Form):
    """The pupil or a guardian tells the school they are worried (process.md §1, S1)."""

    subject = forms.CharField(
        label=_("Gäller det ett visst ämne eller en viss situation?"),
        max_length=100,
        required=False,
    )
    description = text_field(_("Vad är du orolig för?"), rows=6)


class ConcernCloseForm(forms.Form):
    # Not required: the service refuses an empty reason with its own message.
    reason = text_field(_("Varför behövs inget mer göras?"), rows=3, required=False)
