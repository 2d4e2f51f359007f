"""Settings shared by every environment. Environment-specific files override a few values."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import database_from_env, env_bool, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("ELEVSTOD_SECRET_KEY", "insecure-development-key-never-use-in-production")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "elevstod.accounts.admin_site.ElevstodAdminConfig",  # django.contrib.admin, our site
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "mozilla_django_oidc",
    "elevstod.core",
    "elevstod.accounts",
    "elevstod.audit",
    "elevstod.organisation",
    "elevstod.people",
    "elevstod.support",
    "elevstod.quality",
    "elevstod.specialed",
    "elevstod.routines",
    "elevstod.documents",
    "elevstod.access",
    "elevstod.logreview",
    "elevstod.front",
    "elevstod.api",
    "elevstod.demo",
    "elevstod.sync",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "elevstod.accounts.middleware.SessionTimeoutMiddleware",
    "elevstod.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "elevstod.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Django's form templates, with the per-field ones rendered in Python (same markup, much faster
# on large forms such as the programme editor): elevstod/core/form_renderer.py.
FORM_RENDERER = "elevstod.core.form_renderer.FastRenderer"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "elevstod.core.context_processors.elevstod",
            ],
        },
    }
]

DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Argon2 first (security.md, ASVS 6.2); the others only verify old hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "front:start"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("ELEVSTOD_AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# The client's address, for the lock above (decision 0016). Behind the municipality's reverse
# proxy every request comes from the proxy: name the proxies trusted to say who the client is in
# X-Forwarded-For, by how many stand in front of Elevstöd or by their addresses (networks allowed,
# comma-separated). Neither set: REMOTE_ADDR, and X-Forwarded-For is ignored (a client could
# write any address there). Checked at start-up (accounts.client_ip).
ELEVSTOD_TRUSTED_PROXY_COUNT = env_int("ELEVSTOD_TRUSTED_PROXY_COUNT", 0)
ELEVSTOD_TRUSTED_PROXIES = [
    part.strip() for part in env_str("ELEVSTOD_TRUSTED_PROXIES", "").split(",") if part.strip()
]
AXES_CLIENT_IP_CALLABLE = "elevstod.accounts.client_ip.client_address"

# Second factor for staff (security.md P7). Demo mode turns it off and shows a banner.
ELEVSTOD_REQUIRE_SECOND_FACTOR = env_bool("ELEVSTOD_REQUIRE_SECOND_FACTOR", True)
ELEVSTOD_DEMO_MODE = env_bool("ELEVSTOD_DEMO_MODE", False)
OTP_TOTP_ISSUER = "Elevstöd"

# Session time-outs (security.md P7): idle and absolute, in seconds.
ELEVSTOD_SESSION_IDLE_SECONDS = env_int("ELEVSTOD_SESSION_IDLE_SECONDS", 30 * 60)
ELEVSTOD_SESSION_ABSOLUTE_SECONDS = env_int("ELEVSTOD_SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60)
SESSION_COOKIE_AGE = ELEVSTOD_SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("Engelska"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# Background jobs (Django's Tasks API through the django-tasks backport). Tasks are stored in
# the database and run by `manage.py run_reminders_worker` (or django_tasks_db's `db_worker`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The daily reminder e-mail is enqueued once a day, from this local hour (0–23).
ELEVSTOD_REMINDER_HOUR = env_int("ELEVSTOD_REMINDER_HOUR", 6)
if not 0 <= ELEVSTOD_REMINDER_HOUR <= 23:
    raise ImproperlyConfigured("ELEVSTOD_REMINDER_HOUR must be an hour from 0 to 23")

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("ELEVSTOD_FROM_EMAIL", "elevstod@localhost")
# Links in e-mail need the site's address: e-mail is sent outside any request.
ELEVSTOD_SITE_URL = env_str("ELEVSTOD_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Logs carry ids and event names, never names or personnummer (DEVELOPERS.md).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # pysaml2 puts whole assertions (names, personnummer) into some error messages; Elevstöd
        # logs a refusal's reason code instead (elevstod/accounts/saml.py, decision 0020).
        "saml2": {"level": "CRITICAL"},
    },
}

NINJA_PAGINATION_PER_PAGE = 100

# SS 12000 (decision 0018): the municipality's school-administration system. Empty URL: none.
ELEVSTOD_SS12000_URL = env_str("ELEVSTOD_SS12000_URL", "")
ELEVSTOD_SS12000_TOKEN = env_str("ELEVSTOD_SS12000_TOKEN", "")
ELEVSTOD_SS12000_CLIENT_CERT = env_str("ELEVSTOD_SS12000_CLIENT_CERT", "")  # PEM path, mTLS
ELEVSTOD_SS12000_CLIENT_KEY = env_str("ELEVSTOD_SS12000_CLIENT_KEY", "")
ELEVSTOD_SS12000_CA_BUNDLE = env_str("ELEVSTOD_SS12000_CA_BUNDLE", "")
ELEVSTOD_SS12000_TIMEOUT_SECONDS = env_int("ELEVSTOD_SS12000_TIMEOUT_SECONDS", 30)
ELEVSTOD_SS12000_MAX_ATTEMPTS = env_int("ELEVSTOD_SS12000_MAX_ATTEMPTS", 4)
ELEVSTOD_SS12000_PAGE_SIZE = env_int("ELEVSTOD_SS12000_PAGE_SIZE", 1000)
# SS 12000 has no role for a biträdande rektor. A municipality that marks them with a dutyRole of
# its own (often "Övrig arbetsledning") names it here; empty: no role grants a deputy's rights.
ELEVSTOD_SS12000_DEPUTY_PRINCIPAL_ROLE = env_str("ELEVSTOD_SS12000_DEPUTY_PRINCIPAL_ROLE", "")

# Sign-in through the municipality's identity provider (decision 0020; README "Connect to your
# municipality"). Accounts are found only through the identities the SS 12000 sync wrote.
# The provider's authentication contexts (SAML AuthnContextClassRef, OIDC acr) that count as the
# second factor; anything else, or none, and staff verify with TOTP as after a password.
ELEVSTOD_STRONG_AUTHN_CONTEXTS = [
    part.strip()
    for part in env_str("ELEVSTOD_STRONG_AUTHN_CONTEXTS", "").split(",")
    if part.strip()
]
# The username-and-password form: the demo's way in, and a setting for a municipality without
# an identity provider. Off: the login page offers the identity providers only.
ELEVSTOD_PASSWORD_SIGN_IN = env_bool("ELEVSTOD_PASSWORD_SIGN_IN", True)

from config.settings.oidc import *  # noqa: E402
from config.settings.saml import *  # noqa: E402
