"""OpenID Connect sign-in settings (mozilla-django-oidc, decision 0020). Empty: no OIDC sign-in.

Read from the environment only; `elevstod.accounts.oidc` hands them to mozilla-django-oidc.
Nothing here reaches the network: without explicit endpoints the provider's discovery document
(`<issuer>/.well-known/openid-configuration`) is read at the first sign-in, not at start-up.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_list, env_str

# The provider's issuer identifier, exactly as its id_tokens name it in `iss`. With the client
# id and secret below it turns OIDC sign-in on; all three or none.
ELEVSTOD_OIDC_ISSUER = env_str("ELEVSTOD_OIDC_ISSUER", "")
ELEVSTOD_OIDC_CLIENT_ID = env_str("ELEVSTOD_OIDC_CLIENT_ID", "")
ELEVSTOD_OIDC_CLIENT_SECRET = env_str("ELEVSTOD_OIDC_CLIENT_SECRET", "")
# How the client secret is sent to the token endpoint: client_secret_basic (the OIDC default)
# or client_secret_post.
ELEVSTOD_OIDC_TOKEN_AUTH_METHOD = env_str("ELEVSTOD_OIDC_TOKEN_AUTH_METHOD", "client_secret_basic")

# The provider's endpoints. All three of authorization, token and JWKS, or none: then they are
# read from the issuer's discovery document at the first sign-in (and kept for an hour).
ELEVSTOD_OIDC_AUTHORIZATION_ENDPOINT = env_str("ELEVSTOD_OIDC_AUTHORIZATION_ENDPOINT", "")
ELEVSTOD_OIDC_TOKEN_ENDPOINT = env_str("ELEVSTOD_OIDC_TOKEN_ENDPOINT", "")
ELEVSTOD_OIDC_JWKS_URI = env_str("ELEVSTOD_OIDC_JWKS_URI", "")
# Asked only when the id_token lacks every identity claim below. Empty: never asked.
ELEVSTOD_OIDC_USERINFO_ENDPOINT = env_str("ELEVSTOD_OIDC_USERINFO_ENDPOINT", "")

# The id_token's signature: an asymmetric algorithm checked with the provider's JWKS.
ELEVSTOD_OIDC_SIGN_ALGORITHM = env_str("ELEVSTOD_OIDC_SIGN_ALGORITHM", "RS256")
ELEVSTOD_OIDC_SCOPES = env_list("ELEVSTOD_OIDC_SCOPES", "openid")
# The authentication contexts to ask for (acr_values), most wanted first. What the provider
# answers in `acr` decides the second factor (ELEVSTOD_STRONG_AUTHN_CONTEXTS in base.py).
ELEVSTOD_OIDC_ACR_VALUES = env_list("ELEVSTOD_OIDC_ACR_VALUES", "")

# The claims that name the person, each as `claim=kind` (kind: eppn or civic_no), comma-separated.
# The first claim present in the id_token (or, failing that, in the userinfo answer) decides;
# the account is the one the SS 12000 sync linked to that value. Default: eduPersonPrincipalName
# as REFEDS names it in OIDC, and the personnummer claim of the Swedish OIDC profile (oidc.se).
ELEVSTOD_OIDC_IDENTITY_CLAIMS = [
    (claim.strip(), kind.strip())
    for claim, _sep, kind in (
        pair.rpartition("=")
        for pair in env_list(
            "ELEVSTOD_OIDC_IDENTITY_CLAIMS",
            "eduperson_principal_name=eppn,"
            "https://id.oidc.se/claim/personalIdentityNumber=civic_no",
        )
    )
]
ELEVSTOD_OIDC_TIMEOUT_SECONDS = env_int("ELEVSTOD_OIDC_TIMEOUT_SECONDS", 10)


def _check() -> None:
    """Fail at start-up on a half-made configuration rather than at someone's first sign-in."""
    core = (ELEVSTOD_OIDC_ISSUER, ELEVSTOD_OIDC_CLIENT_ID, ELEVSTOD_OIDC_CLIENT_SECRET)
    if any(core) and not all(core):
        raise ImproperlyConfigured(
            "ELEVSTOD_OIDC_ISSUER, ELEVSTOD_OIDC_CLIENT_ID and ELEVSTOD_OIDC_CLIENT_SECRET "
            "are set together or not at all"
        )
    endpoints = (
        ELEVSTOD_OIDC_AUTHORIZATION_ENDPOINT,
        ELEVSTOD_OIDC_TOKEN_ENDPOINT,
        ELEVSTOD_OIDC_JWKS_URI,
    )
    if any(endpoints) and not all(endpoints):
        raise ImproperlyConfigured(
            "ELEVSTOD_OIDC_AUTHORIZATION_ENDPOINT, ELEVSTOD_OIDC_TOKEN_ENDPOINT and "
            "ELEVSTOD_OIDC_JWKS_URI are set together, or none of them (discovery)"
        )
    if ELEVSTOD_OIDC_SIGN_ALGORITHM[:2] not in ("RS", "ES", "PS"):
        raise ImproperlyConfigured(
            "ELEVSTOD_OIDC_SIGN_ALGORITHM must be an RS, PS or ES algorithm (the provider's JWKS)"
        )
    if "openid" not in ELEVSTOD_OIDC_SCOPES:
        raise ImproperlyConfigured("ELEVSTOD_OIDC_SCOPES must include openid")
    if ELEVSTOD_OIDC_TOKEN_AUTH_METHOD not in ("client_secret_basic", "client_secret_post"):
        raise ImproperlyConfigured(
            "ELEVSTOD_OIDC_TOKEN_AUTH_METHOD must be client_secret_basic or client_secret_post"
        )
    for claim, kind in ELEVSTOD_OIDC_IDENTITY_CLAIMS:
        if not claim or kind not in ("eppn", "civic_no"):
            raise ImproperlyConfigured(
                "ELEVSTOD_OIDC_IDENTITY_CLAIMS: each entry is claim=eppn or claim=civic_no"
            )
    if not ELEVSTOD_OIDC_IDENTITY_CLAIMS:
        raise ImproperlyConfigured("ELEVSTOD_OIDC_IDENTITY_CLAIMS names no claim")


_check()
