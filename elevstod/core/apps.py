from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "elevstod.core"
    label = "core"
