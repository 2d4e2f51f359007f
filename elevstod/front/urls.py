from django.urls import path

from elevstod.front import views

app_name = "front"

urlpatterns = [
    path("", views.start, name="start"),
    path("elever/", views.pupil_list, name="pupil_list"),
    path("elever/<uuid:pupil_id>/", views.pupil_detail, name="pupil_detail"),
    path(
        "elever/<uuid:pupil_id>/skyddad-identitet/",
        views.protected_assignments,
        name="protected_assignments",
    ),
    path(
        "elever/<uuid:pupil_id>/skyddad-identitet/<uuid:assignment_id>/avsluta/",
        views.protected_assignment_end,
        name="protected_assignment_end",
    ),
    path("enheter/<uuid:unit_id>/", views.unit_detail, name="unit_detail"),
    path(
        "enheter/<uuid:unit_id>/skyddade-elever/",
        views.unit_protected_pupils,
        name="unit_protected_pupils",
    ),
    path("organisation/", views.organisation, name="organisation"),
]
