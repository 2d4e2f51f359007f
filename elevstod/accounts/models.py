import hashlib
import secrets
import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: staff, guardian, pupil or an integration account.

    What the person may see follows from their relations (duties, groups, custody), never from
    a flag on the user: see elevstod.access.policy.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    is_integration = models.BooleanField(
        _("integration account"),
        default=False,
        help_text=_("A machine account that reads the API with a personal token."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# A token is its own time-out (decision 0016): valid this long unless its owner chooses less,
# never longer than a year.
TOKEN_DEFAULT_LIFETIME = timedelta(days=90)
TOKEN_MAX_LIFETIME = timedelta(days=365)


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the raw value is shown once.

    It works until `expires_at` or until revoked, by its owner or by whoever oversees the owner
    (the rektor of the owner's unit, the huvudman's administrator): accounts.services.
    """

    PREFIX = "es_"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("upphör"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    @property
    def valid_through(self) -> date:
        """The last day the token works, in the school's time zone."""
        return timezone.localtime(self.expires_at - timedelta(microseconds=1)).date()
