from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "elevstod.support"
    label = "support"
