"""The pupil's or a guardian's own view on a decision, a programme or a follow-up."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from elevstod.core.form_fields import textarea


class ParticipantViewForm(forms.Form):
    """The family's own voice is its own field, never written by staff (process.md rule 6)."""

    text = forms.CharField(
        label=_("Din synpunkt"), widget=textarea(4), max_length=5000, required=False
    )
