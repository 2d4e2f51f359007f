from django import forms
from django.utils.translation import gettext_lazy as _

from elevstod.quality.models import FollowUpStatus


class AnalysisForm(forms.Form):
    analysis = forms.CharField(
        label=_("Analys"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Vad visar siffrorna, vad förklarar dem, och vad behöver förbättras? "
            "Skriv aldrig uppgifter som pekar ut en elev."
        ),
        error_messages={"required": _("Skriv analysen innan du sparar.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class ActionForm(forms.Form):
    text = forms.CharField(
        label=_("Förbättringsåtgärd"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Den blir ett mål för nästa läsår och följs upp i nästa rapport."),
        error_messages={"required": _("Beskriv förbättringsåtgärden.")},
    )
    responsible = forms.CharField(label=_("Ansvarig"), max_length=200, required=False)


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Resultat"),
        choices=FollowUpStatus.choices,
        error_messages={"required": _("Välj om målet är uppnått.")},
    )
    note = forms.CharField(
        label=_("Kommentar"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
