from django.urls import path

from elevstod.front import views

app_name = "front"

urlpatterns = [
    path("", views.start, name="start"),
    path("elever/", views.pupil_list, name="pupil_list"),
    path("elever/<uuid:pupil_id>/", views.pupil_detail, name="pupil_detail"),
    path("enheter/<uuid:unit_id>/", views.unit_detail, name="unit_detail"),
    path("organisation/", views.organisation, name="organisation"),
]
