"""OpenID Connect sign-in URLs (decision 0020). Unconfigured, both answer 404 (accounts.oidc)."""

from django.urls import path

from elevstod.accounts import oidc

app_name = "oidc"

urlpatterns = [
    path("authenticate/", oidc.SignInStart.as_view(), name="authenticate"),
    path("callback/", oidc.callback, name="callback"),
]
