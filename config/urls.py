from django.contrib import admin
from django.urls import include, path

from elevstod.api.api import api
from elevstod.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("elevstod.accounts.urls")),
    path("saml2/", include("elevstod.accounts.saml_urls")),
    path("oidc/", include("elevstod.accounts.oidc_urls")),
    path("", include("elevstod.organisation.urls")),
    path("", include("elevstod.sync.urls")),
    path("", include("elevstod.logreview.urls")),
    path("", include("elevstod.support.urls")),
    path("", include("elevstod.quality.urls")),
    path("", include("elevstod.specialed.urls")),
    path("", include("elevstod.routines.urls")),
    path("", include("elevstod.front.urls")),
]

handler404 = "elevstod.core.errors.not_found"
handler500 = "elevstod.core.errors.server_error"
handler403 = "elevstod.core.errors.forbidden"
