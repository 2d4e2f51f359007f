from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "elevstod.access"
    label = "access"
