from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpecialEducationConfig(AppConfig):
    name = "elevstod.specialed"
    verbose_name = _("Specialpedagogiska insatser")
