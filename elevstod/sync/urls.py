from django.urls import path

from elevstod.sync import views

app_name = "sync"

urlpatterns = [
    path("synkronisering/", views.sync_runs, name="runs"),
    path("synkronisering/starta/", views.sync_start, name="start"),
]
