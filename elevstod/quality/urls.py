from django.urls import path

from elevstod.quality import views

app_name = "quality"

urlpatterns = [
    path("kvalitet/", views.dashboard, name="dashboard"),
    path("kvalitet/rapport.pdf", views.unit_report, name="unit_report"),
    path("kvalitet/analys/", views.analysis, name="analysis"),
    path("kvalitet/analys/atgarder/", views.analysis_action_add, name="analysis_action_add"),
    path(
        "kvalitet/analys/mal/<uuid:goal_id>/uppfoljning/",
        views.analysis_goal_follow_up,
        name="analysis_goal_follow_up",
    ),
    path("kvalitet/huvudman/", views.provider_dashboard, name="provider_dashboard"),
    path("kvalitet/huvudman/rapport.pdf", views.provider_report, name="provider_report"),
]
