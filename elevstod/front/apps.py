from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "elevstod.front"
    label = "front"
