"""Second-factor devices and personal API tokens: the only writes the accounts app makes."""

import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from elevstod.accounts.models import ApiToken, User, hash_token

# Writing last_used_at on every API call would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def confirmed_device_for(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device_for(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled; created on first visit to the set-up page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Autentiseringsapp"), confirmed=False)
    return device


def device_confirm(device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def api_token_create(*, user: User, name: str) -> str:
    """Store the token's hash and return the raw token, which is shown once and never again."""
    raw = ApiToken.generate_raw()
    ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw))
    return raw


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def api_token_in_use(raw: str) -> ApiToken | None:
    """The live token of an active account with this raw value, its use noted (coarsely)."""
    if not raw.startswith(ApiToken.PREFIX):
        return None
    api_token = (
        ApiToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if api_token is None or not api_token.user.is_active:
        return None
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token


def api_token_revoke(*, user: User, token_id: uuid.UUID) -> bool:
    with transaction.atomic():
        updated = api_tokens_of(user).filter(pk=token_id).update(revoked_at=timezone.now())
    return bool(updated)
