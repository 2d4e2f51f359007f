"""A real OpenID Connect provider for the sign-in tests (django-oauth-toolkit), run in its own
process by elevstod/accounts/tests/test_oidc.py: `python -m ...oidc_provider.serve`."""
