from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "elevstod.demo"
    label = "demo"
