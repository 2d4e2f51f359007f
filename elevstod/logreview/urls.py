from django.urls import path

from elevstod.logreview import views

# The namespace names what the pages read, the access log (`audit`); templates, the authorization
# matrix and the query-count tests know the pages by these names.
app_name = "audit"

urlpatterns = [
    path("logg/", views.log_review, name="log_review"),
    path("logg/registrera/", views.log_review_record, name="log_review_record"),
    path("elever/<uuid:pupil_id>/logg/", views.pupil_log_extract, name="pupil_log_extract"),
]
