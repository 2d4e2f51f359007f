"""Special-education work under /specialpedagogik/ (seed 001 §§ 2–4, 6, 8, 9). Ids are UUIDs:
no personal data in addresses (security.md)."""

from django.urls import path

from elevstod.specialed import views, views_interventions, views_periods, views_plans, views_reports

app_name = "specialed"

P = "specialpedagogik/"

urlpatterns = [
    path(P, views.index, name="index"),
    # Interventions (insatser)
    path(
        f"{P}enhet/<uuid:unit_id>/insatser/",
        views_interventions.intervention_list,
        name="intervention_list",
    ),
    path(
        f"{P}enhet/<uuid:unit_id>/insatser/ny/",
        views_interventions.intervention_create,
        name="intervention_create",
    ),
    path(
        f"{P}insatser/<uuid:intervention_id>/",
        views_interventions.intervention_detail,
        name="intervention_detail",
    ),
    path(
        f"{P}insatser/<uuid:intervention_id>/andra/",
        views_interventions.intervention_edit,
        name="intervention_edit",
    ),
    # Assignment and goals per period (uppdrag och mål)
    path(f"{P}enhet/<uuid:unit_id>/uppdrag/", views_periods.period_list, name="period_list"),
    path(f"{P}uppdrag/<uuid:period_id>/", views_periods.period_detail, name="period_detail"),
    path(f"{P}uppdrag/<uuid:period_id>/andra/", views_periods.period_edit, name="period_edit"),
    path(f"{P}uppdrag/<uuid:period_id>/mal/ny/", views_periods.goal_create, name="goal_create"),
    path(f"{P}mal/<uuid:goal_id>/andra/", views_periods.goal_edit, name="goal_edit"),
    # Reports to the rektor (rapporter)
    path(f"{P}enhet/<uuid:unit_id>/rapporter/", views_reports.report_list, name="report_list"),
    path(
        f"{P}uppdrag/<uuid:period_id>/rapport/", views_reports.report_create, name="report_create"
    ),
    path(f"{P}rapporter/<uuid:report_id>/", views_reports.report_detail, name="report_detail"),
    path(f"{P}rapporter/<uuid:report_id>/andra/", views_reports.report_edit, name="report_edit"),
    path(
        f"{P}rapporter/<uuid:report_id>/uppfoljning/",
        views_reports.report_review,
        name="report_review",
    ),
    path(
        f"{P}rapporter/<uuid:report_id>/nya-mal/", views_reports.report_adopt, name="report_adopt"
    ),
    # Competence plans (kompetensplaner)
    path(f"{P}enhet/<uuid:unit_id>/kompetensplaner/", views_plans.plan_list, name="plan_list"),
    path(
        f"{P}enhet/<uuid:unit_id>/kompetensplaner/ny/", views_plans.plan_create, name="plan_create"
    ),
    path(f"{P}kompetensplaner/<uuid:plan_id>/", views_plans.plan_detail, name="plan_detail"),
    path(f"{P}kompetensplaner/<uuid:plan_id>/andra/", views_plans.plan_edit, name="plan_edit"),
    path(
        f"{P}kompetensplaner/<uuid:plan_id>/overenskommelse/",
        views_plans.plan_agree,
        name="plan_agree",
    ),
    path(
        f"{P}kompetensplaner/<uuid:plan_id>/uppfoljning/",
        views_plans.plan_follow_up,
        name="plan_follow_up",
    ),
    path(
        f"{P}kompetensplaner/<uuid:plan_id>/aktiviteter/ny/",
        views_plans.activity_create,
        name="activity_create",
    ),
    path(
        f"{P}aktiviteter/<uuid:activity_id>/andra/",
        views_plans.activity_edit,
        name="activity_edit",
    ),
]
