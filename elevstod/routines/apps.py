from django.apps import AppConfig


class RoutinesConfig(AppConfig):
    name = "elevstod.routines"
    verbose_name = "Rutiner och avvikelser"
