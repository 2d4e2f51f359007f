from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "elevstod.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Registers the start-up check of the trusted-proxy settings.
        from elevstod.accounts import client_ip  # noqa: F401
