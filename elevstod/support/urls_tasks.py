"""What is due: "Mina uppgifter" and the huvudman's deadline settings (names in "support:")."""

from django.urls import URLPattern, path

from elevstod.support import views_tasks

urlpatterns: list[URLPattern] = [
    path("mina-uppgifter/", views_tasks.my_tasks, name="my_tasks"),
    path("tidsfrister/", views_tasks.deadline_settings, name="deadline_settings"),
]
