"""Decision → programme → follow-up (names in "support:"; UUIDs only, never personal data)."""

from django.urls import URLPattern, path

from elevstod.support import views_programme as views

PROGRAMME = "atgardsprogram/<uuid:programme_id>/"
DECISION = "beslut/<uuid:decision_id>/"
INVESTIGATION = "utredning/<uuid:investigation_id>/"
FOLLOW_UP = "uppfoljning/<uuid:follow_up_id>/"

urlpatterns: list[URLPattern] = [
    path(INVESTIGATION + "beslut/", views.decision_create, name="decision_create"),
    path(INVESTIGATION + "pdf/", views.investigation_pdf, name="investigation_pdf"),
    path(PROGRAMME, views.programme_detail, name="programme_detail"),
    path(PROGRAMME + "redigera/", views.programme_edit, name="programme_edit"),
    path(PROGRAMME + "skillnader/", views.programme_diff, name="programme_diff"),
    path(PROGRAMME + "besluta/", views.programme_decide, name="programme_decide"),
    path(PROGRAMME + "avsluta/", views.programme_close, name="programme_close"),
    path(PROGRAMME + "uppfoljning/", views.follow_up_create, name="follow_up_create"),
    path(PROGRAMME + "pdf/", views.programme_pdf, name="programme_pdf"),
    path(DECISION, views.decision_detail, name="decision_detail"),
    path(DECISION + "pdf/", views.decision_pdf, name="decision_pdf"),
    path(DECISION + "overklagande/", views.appeal_register, name="appeal_register"),
    path("overklagande/<uuid:appeal_id>/", views.appeal_detail, name="appeal_detail"),
    path(FOLLOW_UP, views.follow_up_detail, name="follow_up_detail"),
    path(FOLLOW_UP + "pdf/", views.follow_up_pdf, name="follow_up_pdf"),
]
