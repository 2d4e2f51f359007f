import uuid
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from elevstod.accounts.models import User
from elevstod.core.form_fields import date_field
from elevstod.organisation.duties import DECISION_TYPE_LABELS, non_delegable_reason
from elevstod.organisation.models import SchoolUnit, UnitDuty


class DelegationForm(forms.Form):
    """Every decision type is offered, so that a reserved one is refused with its reason."""

    school_unit = forms.ModelChoiceField(
        label=_("Skolenhet"), queryset=SchoolUnit.objects.none(), empty_label=None
    )
    delegate = forms.ChoiceField(label=_("Delegat"))
    decision_type = forms.ChoiceField(
        label=_("Beslutstyp"),
        choices=[(key.value, label) for key, label in DECISION_TYPE_LABELS.items()],
    )
    valid_from = forms.DateField(
        label=_("Gäller från"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Gäller till och med"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Kommentar"), max_length=300, required=False)

    def __init__(
        self, *args: Any, principal: User, unit_ids: Iterable[uuid.UUID], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.principal = principal
        school_unit = cast(forms.ModelChoiceField, self.fields["school_unit"])
        school_unit.queryset = SchoolUnit.objects.filter(pk__in=unit_ids)
        staff = (
            UnitDuty.objects.filter(school_unit_id__in=unit_ids)
            .exclude(user=principal)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        seen: dict[str, str] = {}
        for duty in staff:
            seen.setdefault(str(duty.user_id), duty.user.display_name)
        delegate = cast(forms.ChoiceField, self.fields["delegate"])
        delegate.choices = [("", _("Välj person")), *list(seen.items())]

    def clean_decision_type(self) -> str:
        value = self.cleaned_data["decision_type"]
        reason = non_delegable_reason(value)
        if reason:
            raise forms.ValidationError(reason)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("Slutdatumet kan inte ligga före startdatumet."))
        unit, delegate = cleaned.get("school_unit"), cleaned.get("delegate")
        if (
            unit
            and delegate
            and not UnitDuty.objects.filter(school_unit=unit, user_id=delegate).exists()
        ):
            # SL 2 kap. 10 §: only someone employed or contracted at the unit.
            self.add_error(
                "delegate",
                _(
                    "Delegaten måste vara anställd eller uppdragstagare vid skolenheten "
                    "(2 kap. 10 § skollagen)."
                ),
            )
        return cleaned


# The months a term's last day may fall in: the school's own dates vary by days and weeks, not
# by months (SL 3 kap. 11 a §'s "en termin"; decision 0015).
AUTUMN_ENDS_IN = frozenset({11, 12})
SPRING_ENDS_IN = frozenset({5, 6, 7})


class SchoolTermsForm(forms.Form):
    """One academic year's term dates, for the whole huvudman or for one of its units."""

    school_unit = forms.ModelChoiceField(
        label=_("Skolenhet"),
        queryset=SchoolUnit.objects.none(),
        required=False,
        empty_label=_("Alla skolenheter (huvudmannens läsårstider)"),
    )
    academic_year = forms.IntegerField(label=_("Läsåret börjar år"), min_value=2000, max_value=2100)
    autumn_last_day = date_field(_("Höstterminens sista dag"))
    spring_last_day = date_field(_("Vårterminens sista dag"))

    def __init__(self, *args: Any, provider_id: uuid.UUID, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        school_unit = cast(forms.ModelChoiceField, self.fields["school_unit"])
        school_unit.queryset = SchoolUnit.objects.filter(provider_id=provider_id).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())
        year = cleaned.get("academic_year")
        autumn, spring = cleaned.get("autumn_last_day"), cleaned.get("spring_last_day")
        if year and autumn and autumn.year != year:
            self.add_error(
                "autumn_last_day", _("Höstterminen slutar under läsårets första kalenderår.")
            )
        elif autumn and autumn.month not in AUTUMN_ENDS_IN:
            # A term ending in March would make one "term" of distance teaching a whole year.
            self.add_error("autumn_last_day", _("Höstterminen slutar i november eller december."))
        if year and spring and spring.year != year + 1:
            self.add_error(
                "spring_last_day", _("Vårterminen slutar under läsårets andra kalenderår.")
            )
        elif spring and spring.month not in SPRING_ENDS_IN:
            self.add_error("spring_last_day", _("Vårterminen slutar i maj, juni eller juli."))
        return cleaned
