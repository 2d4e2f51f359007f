"""The technical admin site, installed in place of Django's default one (INSTALLED_APPS)."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class ElevstodAdminSite(admin.AdminSite):
    site_header = "Elevstöd – teknisk administration"

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """No sign-in page of its own: the main one, with its second factor, is used."""
        return redirect(f"{reverse('accounts:login')}?next={request.path}")


class ElevstodAdminConfig(AdminConfig):
    default_site = "elevstod.accounts.admin_site.ElevstodAdminSite"
