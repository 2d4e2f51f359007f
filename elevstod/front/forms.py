"""Forms of the front pages: the rektor's assignment of staff to a protected pupil."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from elevstod.front.protected import StaffChoice


class ProtectedAssignmentForm(forms.Form):
    """Choices are the staff with a current duty at the pupil's unit not yet assigned."""

    user = forms.TypedChoiceField(label=_("Personal"), coerce=str)
    reason = forms.CharField(
        label=_("Skäl till tilldelningen"),
        max_length=200,
        help_text=_("Till exempel: undervisar eleven i svenska. Skälet sparas med tilldelningen."),
    )

    def __init__(self, *args: Any, staff: list[StaffChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["user"])
        field.choices = [("", _("Välj person")), *((str(s.user_id), s.label) for s in staff)]
        field.error_messages["invalid_choice"] = _(
            "Välj någon som har ett aktuellt uppdrag på elevens skolenhet."
        )


class EndProtectedAssignmentForm(forms.Form):
    end_reason = forms.CharField(label=_("Skäl att avsluta"), max_length=200)
