"""Routines (/rutiner/) and deviation reports (/avvikelser/). Ids in paths are UUIDs only."""

from django.urls import path

from elevstod.routines import views_deviations, views_routines

app_name = "routines"

ROUTINE = "rutiner/<uuid:routine_id>/"
REPORT = "avvikelser/<uuid:report_id>/"

urlpatterns = [
    path("rutiner/", views_routines.routine_list, name="routine_list"),
    path("rutiner/ny/", views_routines.routine_create, name="routine_create"),
    path(ROUTINE, views_routines.routine_detail, name="routine_detail"),
    path(ROUTINE + "revidera/", views_routines.routine_revise, name="routine_revise"),
    path(ROUTINE + "granska/", views_routines.routine_review, name="routine_review"),
    path(
        ROUTINE + "versioner/<int:number>/",
        views_routines.routine_version,
        name="routine_version",
    ),
    path("avvikelser/", views_deviations.deviation_list, name="deviation_list"),
    path("avvikelser/ny/", views_deviations.deviation_create, name="deviation_create"),
    path("avvikelser/oversikt/", views_deviations.deviation_overview, name="deviation_overview"),
    path(
        "avvikelser/export.csv", views_deviations.deviation_export_csv, name="deviation_export_csv"
    ),
    path(
        "avvikelser/export.pdf", views_deviations.deviation_export_pdf, name="deviation_export_pdf"
    ),
    path(REPORT, views_deviations.deviation_detail, name="deviation_detail"),
    path(REPORT + "status/", views_deviations.deviation_status, name="deviation_status"),
]
