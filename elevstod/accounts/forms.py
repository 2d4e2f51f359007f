from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from elevstod.accounts.models import TOKEN_DEFAULT_LIFETIME, TOKEN_MAX_LIFETIME


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Fel användarnamn eller lösenord. Kontrollera stavningen och försök igen."
        ),
        "inactive": _("Kontot är inaktiverat."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Användarnamn")
        self.fields["password"].label = _("Lösenord")
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        # No autofocus: the first Tab must reach the skip link (WCAG 2.4.1, 2.4.3).
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Engångskod"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
        help_text=_("Sex siffror från din autentiseringsapp."),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Namn på nyckeln"),
        max_length=100,
        help_text=_("Till exempel systemet som ska använda nyckeln."),
    )
    valid_through = forms.DateField(
        label=_("Giltig till och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Högst ett år framåt; tomt ger 90 dagar. Nyckeln slutar fungera efter den dagen."
        ),
        error_messages={"invalid": _("Ange ett giltigt datum (ÅÅÅÅ-MM-DD).")},
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["valid_through"].initial = today + TOKEN_DEFAULT_LIFETIME
        self.fields["valid_through"].widget.attrs.update(
            {"min": today.isoformat(), "max": (today + TOKEN_MAX_LIFETIME).isoformat()}
        )

    def clean_valid_through(self) -> date | None:
        day: date | None = self.cleaned_data["valid_through"]
        if day is None:
            return None
        if day < self.today:
            raise forms.ValidationError(
                _("Dagen har redan passerat. Välj en dag från och med i dag.")
            )
        if day > self.today + TOKEN_MAX_LIFETIME:
            last = (self.today + TOKEN_MAX_LIFETIME).isoformat()
            raise forms.ValidationError(
                _("En nyckel gäller högst ett år, till och med %(last)s.") % {"last": last}
            )
        return day
