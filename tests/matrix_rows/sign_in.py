"""Matrix rows for sign-in through the municipality's identity provider (decision 0020).

The world has no identity provider configured: SAML and OIDC are off, and their URLs answer 404
to everyone, signed in or not. The flows themselves are tested against real providers in
elevstod/accounts/tests/test_saml.py and test_oidc.py.
"""

from __future__ import annotations

from tests.matrix import Row

OFF = Row(allowed=lambda p, t: False, denied=404, anonymous=404)

ROWS: dict[str, Row] = {
    "saml:login": OFF,
    # The provider's answer arrives by POST (HTTP-POST binding).
    "saml:acs": Row(allowed=lambda p, t: False, denied=404, anonymous=404, method="post"),
    "saml:metadata": OFF,
    "oidc:authenticate": OFF,
    "oidc:callback": OFF,
}
