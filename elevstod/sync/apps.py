from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "elevstod.sync"
    verbose_name = _("Synkronisering med SS 12000")
    default_auto_field = "django.db.models.BigAutoField"
