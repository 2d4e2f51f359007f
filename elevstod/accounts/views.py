"""Sign-in, the second factor (TOTP) and personal API tokens."""

import time
import uuid
from base64 import b32encode
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from elevstod.access.context import context_for
from elevstod.accounts import services
from elevstod.accounts.forms import ApiTokenForm, LoginForm, TokenForm
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.accounts.middleware import SESSION_SEEN, SESSION_STARTED


def identity_providers() -> list[dict[str, str]]:
    """The municipality's sign-in services that are configured (decision 0020)."""
    from elevstod.accounts import oidc, saml

    offered = []
    if saml.is_configured():
        offered.append({"url_name": "saml:login", "label": _("Logga in med kommunens inloggning")})
    if oidc.is_configured():
        offered.append(
            {"url_name": oidc.SIGN_IN_URL_NAME, "label": _("Logga in med e-legitimation")}
        )
    return offered


class LoginView(auth_views.LoginView):
    """Sign-in: the identity providers the municipality configured, and the password form
    unless ELEVSTOD_PASSWORD_SIGN_IN turns it off (it stays for the demo)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["identity_providers"] = identity_providers()
        context["password_sign_in"] = settings.ELEVSTOD_PASSWORD_SIGN_IN
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.ELEVSTOD_PASSWORD_SIGN_IN:
            raise Http404
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        now = time.time()
        self.request.session[SESSION_STARTED] = now
        self.request.session[SESSION_SEEN] = now
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponseBase:
    return auth_views.LogoutView.as_view()(request)


def _verify(device: TOTPDevice, form: TokenForm) -> bool:
    """Check the code, honouring django-otp's throttling after failed attempts."""
    allowed, _reason = device.verify_is_allowed()
    if not allowed:
        form.add_error("token", _("För många felaktiga koder. Vänta en stund och försök igen."))
        return False
    if device.verify_token(form.cleaned_data["token"]):
        return True
    form.add_error(
        "token", _("Koden stämmer inte. Vänta på nästa kod, kontrollera klockan och försök igen.")
    )
    return False


@login_required
def otp_verify(request: AuthenticatedRequest) -> HttpResponse:
    device = services.confirmed_device_for(request.user)
    if device is None:
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _verify(device, form):
        otp_login(request, device)
        return redirect("front:start")
    return render(request, "accounts/otp_verify.html", {"form": form})


@login_required
def otp_setup(request: AuthenticatedRequest) -> HttpResponse:
    """Enrol a TOTP device; confirmed only after the user types a valid code from it."""
    if services.confirmed_device_for(request.user) is not None:
        return redirect("accounts:otp_verify")
    device = services.pending_device_for(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _verify(device, form):
        services.device_confirm(device)
        otp_login(request, device)
        messages.success(request, _("Tvåstegsverifieringen är aktiverad."))
        return redirect("front:start")
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    context = {
        "form": form,
        "qr_svg": buffer.getvalue().decode(),
        "secret": b32encode(device.bin_key).decode(),
    }
    return render(request, "accounts/otp_setup.html", context)


def _may_hold_tokens(request: AuthenticatedRequest) -> bool:
    """Staff and integration accounts; guardians and pupils have no use for the API."""
    return request.user.is_integration or context_for(request).is_staff_member


@login_required
def api_tokens(request: AuthenticatedRequest) -> HttpResponse:
    if not _may_hold_tokens(request):
        raise Http404
    today = timezone.localdate()
    form = ApiTokenForm(request.POST or None, today=today)
    created_raw = None
    if request.method == "POST" and form.is_valid():
        created_raw = services.api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            valid_through=form.cleaned_data["valid_through"],
        )
        form = ApiTokenForm(today=today)
    tokens = services.api_tokens_of(request.user)
    ctx = context_for(request)
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "created_raw": created_raw,
            "oversees": services.may_oversee_tokens(ctx),
        },
    )


@login_required
@require_POST
def api_token_revoke(request: AuthenticatedRequest, token_id: uuid.UUID) -> HttpResponse:
    if services.api_token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("Nyckeln är återkallad."))
    return redirect("accounts:api_tokens")


@login_required
def api_tokens_overseen(request: AuthenticatedRequest) -> HttpResponse:
    """The live tokens of the staff a rektor or the huvudman's administrator oversees."""
    ctx = context_for(request)
    if not services.may_oversee_tokens(ctx):
        raise Http404
    tokens = services.api_tokens_overseen_by(ctx)
    return render(request, "accounts/api_tokens_overseen.html", {"tokens": tokens})


@login_required
@require_POST
def api_token_revoke_overseen(request: AuthenticatedRequest, token_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    if not services.api_token_revoke_overseen(ctx=ctx, by=request.user, token_id=token_id):
        raise Http404
    messages.success(request, _("Nyckeln är återkallad."))
    return redirect("accounts:api_tokens_overseen")
