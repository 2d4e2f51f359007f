"""Production: everything from the environment, secure by default. Demo users never exist here."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str
from config.settings.base import *

SECRET_KEY = env_str("ELEVSTOD_SECRET_KEY")
if SECRET_KEY.startswith("insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("ELEVSTOD_SECRET_KEY must be a long random value in production")
DEBUG = False
ALLOWED_HOSTS = env_list("ELEVSTOD_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("ELEVSTOD_CSRF_TRUSTED_ORIGINS")
ELEVSTOD_DEMO_MODE = False
ELEVSTOD_REQUIRE_SECOND_FACTOR = True

SECURE_SSL_REDIRECT = env_bool("ELEVSTOD_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("ELEVSTOD_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("ELEVSTOD_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ELEVSTOD_EMAIL_PORT", 25)
EMAIL_USE_TLS = env_bool("ELEVSTOD_EMAIL_USE_TLS", False)
EMAIL_HOST_USER = env_str("ELEVSTOD_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("ELEVSTOD_EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = env_int("ELEVSTOD_EMAIL_TIMEOUT", 30)
# Links in the reminder e-mail point at the public address.
ELEVSTOD_SITE_URL = env_str(
    "ELEVSTOD_SITE_URL", f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else ""
).rstrip("/")
