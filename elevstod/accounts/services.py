"""Second-factor devices and personal API tokens: the only writes the accounts app makes."""

import uuid
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from elevstod.access.context import UserContext
from elevstod.access.scoping import current_placement_q
from elevstod.accounts.models import TOKEN_DEFAULT_LIFETIME, ApiToken, User, hash_token
from elevstod.audit.models import AccessAction
from elevstod.audit.recording import record_access
from elevstod.organisation.duties import ProviderDutyKind
from elevstod.organisation.models import ProviderDuty, UnitDuty

# The access log's channel for a call made with a personal token rather than the browser session.
BEARER_CHANNEL = "api-token"
# The access-log action for one use of a token.
TOKEN_USE = AccessAction.TOKEN_USE

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


def token_expiry(valid_through: date | None, *, now: datetime) -> datetime:
    """When a token made `now` stops working: after the chosen day (in the school's time zone),
    90 days from now when none is chosen. The form keeps the day within a year."""
    if valid_through is None:
        return now + TOKEN_DEFAULT_LIFETIME
    return timezone.make_aware(datetime.combine(valid_through + timedelta(days=1), time.min))


def api_token_create(*, user: User, name: str, valid_through: date | None = None) -> str:
    """Store the token's hash and return the raw token, which is shown once and never again."""
    raw = ApiToken.generate_raw()
    ApiToken.objects.create(
        user=user,
        name=name,
        token_hash=hash_token(raw),
        expires_at=token_expiry(valid_through, now=timezone.now()),
    )
    return raw


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work."""
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def api_token_in_use(raw: str, *, path: str = "") -> ApiToken | None:
    """The live token of an active account with this raw value, or None (a 401). Each use
    leaves one access-log row naming the token, never its secret; `last_used_at` is noted
    coarsely, so that reads do not each become a write of the token."""
    if not raw.startswith(ApiToken.PREFIX):
        return None
    now = timezone.now()
    api_token = (
        ApiToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .filter(expires_at__gt=now)
        .select_related("user")
        .first()
    )
    if api_token is None or not api_token.user.is_active:
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    record_access(
        actor_id=api_token.user_id,
        action=TOKEN_USE,
        record_type="api_token",
        record_id=api_token.pk,
        purpose=path,
        channel=BEARER_CHANNEL,
    )
    return api_token


def _administered(ctx: UserContext) -> frozenset[uuid.UUID]:
    return frozenset(
        provider for duty, provider in ctx.provider_duties if duty == ProviderDutyKind.ADMINISTRATOR
    )


def may_oversee_tokens(ctx: UserContext) -> bool:
    """The rektor of a unit (not the biträdande rektor, who would otherwise revoke the rektor's
    own keys), and the huvudman's administrator."""
    return bool(ctx.principal_units or _administered(ctx))


def _tokens_overseen(ctx: UserContext) -> QuerySet[ApiToken]:
    """Every token, live or not, of the people this user oversees: staff with a current duty at
    a unit where they are rektor, and, for the huvudman's administrator, staff
    of the huvudman's units and the huvudman's own staff. Never their own (their own page)."""
    led_units, providers = ctx.principal_units, _administered(ctx)
    if not led_units and not providers:
        return ApiToken.objects.none()
    duties = UnitDuty.objects.filter(current_placement_q(ctx)).filter(
        Q(school_unit_id__in=led_units) | Q(school_unit__provider_id__in=providers)
    )
    provider_staff = ProviderDuty.objects.filter(provider_id__in=providers)
    return ApiToken.objects.filter(
        Q(user_id__in=duties.values("user_id")) | Q(user_id__in=provider_staff.values("user_id"))
    ).exclude(user_id__in=[ctx.user_id] if ctx.user_id else [])


def api_tokens_overseen_by(ctx: UserContext) -> QuerySet[ApiToken]:
    """The live tokens of the people this user oversees, for the oversight page."""
    return (
        _tokens_overseen(ctx)
        .filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "-created_at")
    )


def api_token_revoke(*, user: User, token_id: uuid.UUID) -> bool:
    """The owner revokes their own token."""
    with transaction.atomic():
        updated = (
            api_tokens_of(user)
            .filter(pk=token_id)
            .update(revoked_at=timezone.now(), revoked_by=user)
        )
    return bool(updated)


def api_token_revoke_overseen(*, ctx: UserContext, by: User, token_id: uuid.UUID) -> bool:
    """The rektor or the huvudman's administrator revokes a token of someone they oversee (again
    is a no-op); False (a 404 for the page) for any token outside their oversight."""
    with transaction.atomic():
        token = _tokens_overseen(ctx).filter(pk=token_id).select_for_update().first()
        if token is None:
            return False
        if token.revoked_at is None:
            token.revoked_at, token.revoked_by = timezone.now(), by
            token.save(update_fields=["revoked_at", "revoked_by"])
    return True
