"""SAML 2.0 sign-in URLs (decision 0020). Off (404) unless the provider's metadata is set."""

from django.urls import path

from elevstod.accounts import saml

app_name = "saml"

urlpatterns = [
    path("login/", saml.login, name="login"),
    path("acs/", saml.acs, name="acs"),
    path("metadata/", saml.metadata, name="metadata"),
]
