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


class ExternalIdentityKind(models.TextChoices):
    """The attributes an identity provider may name a person by (decision 0020)."""

    EPPN = "eppn", _("eduPersonPrincipalName")
    CIVIC_NO = "civic_no", _("personnummer")


class ExternalIdentity(models.Model):
    """How the municipality's identity provider names a user: written by the SS 12000 sync only.

    Sign-in through SAML or OIDC finds the account here and nowhere else, so a person the sync
    does not know gets no access (issue 11).
    """

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    kind = models.CharField(max_length=20, choices=ExternalIdentityKind.choices)
    value = models.CharField(max_length=254)

    class Meta:
        verbose_name = _("extern identitet")
        verbose_name_plural = _("externa identiteter")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="external_identity_unique")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class SignInMethod(models.TextChoices):
    PASSWORD = "password", _("Lösenord")
    SAML = "saml", _("SAML")
    OIDC = "oidc", _("OpenID Connect")


class SignInEvent(models.Model):
    """One sign-in through an identity provider, allowed or refused, and why.

    Never the attributes the provider sent: a refused person is not named here (security.md).
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)
    method = models.CharField(_("metod"), max_length=10, choices=SignInMethod.choices)
    allowed = models.BooleanField(_("tillåten"))
    reason = models.CharField(_("skäl"), max_length=40, blank=True)
    strong_authentication = models.BooleanField(_("stark autentisering"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("inloggning")
        verbose_name_plural = _("inloggningar")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.method} {self.reason or 'ok'}"


class SamlAssertionSeen(models.Model):
    """A SAML assertion that has signed someone in, kept until it expires: the same assertion
    posted again (a replay) is refused, whichever worker receives it (issue 11)."""

    id = models.BigAutoField(primary_key=True)
    assertion_id = models.CharField(max_length=255, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("använt SAML-intyg")
        verbose_name_plural = _("använda SAML-intyg")

    def __str__(self) -> str:
        return self.assertion_id
