"""Special-education work under /specialpedagogik/ (seed 001 §§ 2–4, 6, 8, 9). Ids are UUIDs:
no personal data in addresses (security.md). Each URL is named after its view."""

from collections.abc import Callable

from django.http import HttpResponse
from django.urls import path

from elevstod.specialed import views, views_interventions, views_periods, views_plans, views_reports

app_name = "specialed"

P = "specialpedagogik/"
REPORT = "rapporter/<uuid:report_id>/"
PLAN = "kompetensplaner/<uuid:plan_id>/"

ROUTES: list[tuple[str, Callable[..., HttpResponse]]] = [
    ("", views.index),
    # Interventions (insatser)
    ("enhet/<uuid:unit_id>/insatser/", views_interventions.intervention_list),
    ("enhet/<uuid:unit_id>/insatser/ny/", views_interventions.intervention_create),
    ("insatser/<uuid:intervention_id>/", views_interventions.intervention_detail),
    ("insatser/<uuid:intervention_id>/andra/", views_interventions.intervention_edit),
    # Assignment and goals per period (uppdrag och mål)
    ("enhet/<uuid:unit_id>/uppdrag/", views_periods.period_list),
    ("uppdrag/<uuid:period_id>/", views_periods.period_detail),
    ("uppdrag/<uuid:period_id>/andra/", views_periods.period_edit),
    ("uppdrag/<uuid:period_id>/mal/ny/", views_periods.goal_create),
    ("mal/<uuid:goal_id>/andra/", views_periods.goal_edit),
    # Reports to the rektor (rapporter); each button of a form posts to its own URL
    ("enhet/<uuid:unit_id>/rapporter/", views_reports.report_list),
    ("uppdrag/<uuid:period_id>/rapport/", views_reports.report_create),
    (REPORT, views_reports.report_detail),
    (REPORT + "andra/", views_reports.report_edit),
    (REPORT + "lamna/", views_reports.report_submit),
    (REPORT + "uppfoljning/", views_reports.report_review),
    (REPORT + "komplettering/", views_reports.report_return),
    (REPORT + "nya-mal/", views_reports.report_adopt),
    # Competence plans (kompetensplaner)
    ("enhet/<uuid:unit_id>/kompetensplaner/", views_plans.plan_list),
    ("enhet/<uuid:unit_id>/kompetensplaner/ny/", views_plans.plan_create),
    (PLAN, views_plans.plan_detail),
    (PLAN + "andra/", views_plans.plan_edit),
    (PLAN + "overenskommelse/", views_plans.plan_agree),
    (PLAN + "uppfoljning/", views_plans.plan_follow_up),
    (PLAN + "aktiviteter/ny/", views_plans.activity_create),
    ("aktiviteter/<uuid:activity_id>/andra/", views_plans.activity_edit),
]

urlpatterns = [path(P + route, view, name=view.__name__) for route, view in ROUTES]
