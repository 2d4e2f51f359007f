from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "elevstod.api"
    label = "api"
