"""SAML 2.0 sign-in settings (djangosaml2/pysaml2, decision 0020). Empty: no SAML sign-in.

SAML is on when the identity provider's metadata is named (a URL, a file, or both). Nothing is
fetched at start-up: the metadata is read at the first SAML request and kept for
ELEVSTOD_SAML_METADATA_CACHE_SECONDS (elevstod/accounts/saml.py).
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

# The identity provider's metadata: fetched over HTTPS, or a local file (or both).
ELEVSTOD_SAML_IDP_METADATA_URL = env_str("ELEVSTOD_SAML_IDP_METADATA_URL", "")
ELEVSTOD_SAML_IDP_METADATA_FILE = env_str("ELEVSTOD_SAML_IDP_METADATA_FILE", "")
# The certificate (PEM path) that signs the fetched metadata, when the federation signs it.
ELEVSTOD_SAML_IDP_METADATA_CERT = env_str("ELEVSTOD_SAML_IDP_METADATA_CERT", "")
# Which identity provider to use when the metadata names several (an aggregate).
ELEVSTOD_SAML_IDP_ENTITY_ID = env_str("ELEVSTOD_SAML_IDP_ENTITY_ID", "")
ELEVSTOD_SAML_METADATA_CACHE_SECONDS = env_int("ELEVSTOD_SAML_METADATA_CACHE_SECONDS", 3600)

# Elevstöd as a service provider. Empty entity id: <ELEVSTOD_SITE_URL>/saml2/metadata/.
ELEVSTOD_SAML_SP_ENTITY_ID = env_str("ELEVSTOD_SAML_SP_ENTITY_ID", "")
# Key and certificate (PEM paths) that sign our requests and decrypt encrypted assertions.
ELEVSTOD_SAML_SP_KEY_FILE = env_str("ELEVSTOD_SAML_SP_KEY_FILE", "")
ELEVSTOD_SAML_SP_CERT_FILE = env_str("ELEVSTOD_SAML_SP_CERT_FILE", "")

# Which attribute names the person, and as what (accounts.ExternalIdentityKind), tried in this
# order: eduPersonPrincipalName for staff, the personnummer (urn:oid:1.2.752.29.4.13) for
# guardians through the municipality's e-service identity provider.
ELEVSTOD_SAML_IDENTITY_ATTRIBUTES = [
    tuple(part.strip() for part in pair.rsplit("=", 1))
    for pair in env_list(
        "ELEVSTOD_SAML_IDENTITY_ATTRIBUTES",
        "eduPersonPrincipalName=eppn,urn:oid:1.2.752.29.4.13=civic_no",
    )
]

# Signatures: every assertion signed (saml2int); the whole response as well if the IdP does so.
ELEVSTOD_SAML_WANT_RESPONSE_SIGNED = env_bool("ELEVSTOD_SAML_WANT_RESPONSE_SIGNED", False)
# How far the provider's clock may differ from ours when checking validity times.
ELEVSTOD_SAML_CLOCK_SKEW_SECONDS = env_int("ELEVSTOD_SAML_CLOCK_SKEW_SECONDS", 60)
# Empty: xmlsec1 is looked up on PATH (Debian: /usr/bin/xmlsec1).
ELEVSTOD_SAML_XMLSEC_BINARY = env_str("ELEVSTOD_SAML_XMLSEC_BINARY", "")


def _check() -> None:
    for pair in ELEVSTOD_SAML_IDENTITY_ATTRIBUTES:
        if len(pair) != 2 or not pair[0] or pair[1] not in ("eppn", "civic_no"):
            raise ImproperlyConfigured(
                "ELEVSTOD_SAML_IDENTITY_ATTRIBUTES must be attribute=eppn or attribute=civic_no, "
                "comma-separated"
            )
    url = urlsplit(ELEVSTOD_SAML_IDP_METADATA_URL)
    if url.scheme == "http" and url.hostname not in ("127.0.0.1", "localhost", "::1"):
        # The metadata carries the keys we trust: never over plain HTTP from another host.
        raise ImproperlyConfigured("ELEVSTOD_SAML_IDP_METADATA_URL must use https")
    if url.scheme not in ("", "http", "https"):
        raise ImproperlyConfigured("ELEVSTOD_SAML_IDP_METADATA_URL must use https")
    if bool(ELEVSTOD_SAML_SP_KEY_FILE) != bool(ELEVSTOD_SAML_SP_CERT_FILE):
        raise ImproperlyConfigured(
            "Set both ELEVSTOD_SAML_SP_KEY_FILE and ELEVSTOD_SAML_SP_CERT_FILE, or neither"
        )


_check()
