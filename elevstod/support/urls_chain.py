"""The first half of the support chain: concern → adaptation → report → investigation.

Names live in the "support:" namespace and are used by elevstod.support.due and
selectors_chain (keep them). URLs carry UUIDs only, never names or personnummer.
"""

from django.urls import URLPattern, path

from elevstod.support import views_chain

urlpatterns: list[URLPattern] = [
    path("elever/<uuid:pupil_id>/stod/", views_chain.pupil_support, name="pupil_support"),
    path("elever/<uuid:pupil_id>/stod/oro/ny/", views_chain.concern_create, name="concern_create"),
    path("stod/oro/<uuid:concern_id>/", views_chain.concern_detail, name="concern_detail"),
    path(
        "elever/<uuid:pupil_id>/stod/anpassningar/ny/",
        views_chain.adaptation_create,
        name="adaptation_create",
    ),
    path(
        "stod/anpassningar/<uuid:adaptation_id>/",
        views_chain.adaptation_detail,
        name="adaptation_detail",
    ),
    path("mina-anpassningar/", views_chain.my_adaptations, name="my_adaptations"),
    path(
        "elever/<uuid:pupil_id>/stod/anmalan/ny/",
        views_chain.referral_create,
        name="referral_create",
    ),
    path("stod/anmalan/<uuid:referral_id>/", views_chain.referral_detail, name="referral_detail"),
    path(
        "stod/utredningar/<uuid:investigation_id>/",
        views_chain.investigation_detail,
        name="investigation_detail",
    ),
    path(
        "stod/utredningar/<uuid:investigation_id>/redigera/",
        views_chain.investigation_edit,
        name="investigation_edit",
    ),
    path(
        "stod/utkast/<slug:record_type>/<uuid:record_id>/",
        views_chain.draft_autosave,
        name="draft_autosave",
    ),
]
