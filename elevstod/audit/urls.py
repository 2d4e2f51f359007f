from django.urls import path

from elevstod.audit import views

app_name = "audit"

urlpatterns = [
    path("logg/", views.log_review, name="log_review"),
    path("logg/registrera/", views.log_review_record, name="log_review_record"),
    path("elever/<uuid:pupil_id>/logg/", views.pupil_log_extract, name="pupil_log_extract"),
]
