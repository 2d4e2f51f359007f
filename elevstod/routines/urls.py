"""Routines (/rutiner/) and deviation reports (/avvikelser/). Ids in paths are UUIDs only.
Each URL is named after its view."""

from collections.abc import Callable

from django.http import HttpResponse
from django.urls import path

from elevstod.routines import views_deviations, views_routines

app_name = "routines"

ROUTINE = "rutiner/<uuid:routine_id>/"
REPORT = "avvikelser/<uuid:report_id>/"

ROUTES: list[tuple[str, Callable[..., HttpResponse]]] = [
    ("rutiner/", views_routines.routine_list),
    ("rutiner/ny/", views_routines.routine_create),
    (ROUTINE, views_routines.routine_detail),
    (ROUTINE + "revidera/", views_routines.routine_revise),
    (ROUTINE + "granska/", views_routines.routine_review),
    (ROUTINE + "versioner/<int:number>/", views_routines.routine_version),
    ("avvikelser/", views_deviations.deviation_list),
    ("avvikelser/ny/", views_deviations.deviation_create),
    # The form's buttons "needs a pupil" and "remove the pupil" post here, not to the report.
    ("avvikelser/ny/elev/", views_deviations.deviation_pupils),
    ("avvikelser/oversikt/", views_deviations.deviation_overview),
    ("avvikelser/export.csv", views_deviations.deviation_export_csv),
    ("avvikelser/export.pdf", views_deviations.deviation_export_pdf),
    (REPORT, views_deviations.deviation_detail),
    (REPORT + "status/", views_deviations.deviation_status),
]

urlpatterns = [path(route, view, name=view.__name__) for route, view in ROUTES]
