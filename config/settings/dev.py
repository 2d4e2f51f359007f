"""Local development and the demo municipality (make demo). Never used in production."""

from config.env import env_bool
from config.settings.base import *

DEBUG = env_bool("ELEVSTOD_DEBUG", False)
ELEVSTOD_DEMO_MODE = True
ELEVSTOD_REQUIRE_SECOND_FACTOR = env_bool("ELEVSTOD_REQUIRE_SECOND_FACTOR", False)

# Serve static files straight from the source folders in the demo (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo prints e-mail (the daily reminders) to the console instead of sending it.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
