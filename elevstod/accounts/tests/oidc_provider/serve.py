"""Start the test provider: `python -m elevstod.accounts.tests.oidc_provider.serve`.

Environment: OIDC_PROVIDER_DB (its SQLite file), OIDC_PROVIDER_CLIENT_ID, _CLIENT_SECRET and
_REDIRECT_URI (Elevstöd's client). It migrates its database, registers the client, listens on a
free port of 127.0.0.1 and prints `listening <port>` once it answers.
"""

import os
import sys

import django
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "elevstod.accounts.tests.oidc_provider.settings"
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)

    from oauth2_provider.models import Application

    Application.objects.create(
        name="Elevstöd",
        client_id=os.environ["OIDC_PROVIDER_CLIENT_ID"],
        client_secret=os.environ["OIDC_PROVIDER_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["OIDC_PROVIDER_REDIRECT_URI"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())
    sys.stdout.write(f"listening {server.server_address[1]}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
