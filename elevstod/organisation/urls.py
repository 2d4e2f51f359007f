from django.urls import path

from elevstod.organisation import views

app_name = "organisation"

urlpatterns = [
    path("delegeringar/", views.delegation_list, name="delegation_list"),
    path(
        "delegeringar/<uuid:delegation_id>/aterkalla/",
        views.delegation_revoke,
        name="delegation_revoke",
    ),
    path("lasarstider/", views.school_terms, name="school_terms"),
]
