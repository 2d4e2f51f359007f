from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "elevstod.quality"
    verbose_name = "Kvalitetsarbete"
