"""A real SAML 2.0 identity provider for the tests: pysaml2's ``Server`` behind a small WSGI app
on 127.0.0.1, with keys made at test time.

The flow is a browser's: ``GET /idp/sso`` takes the service provider's AuthnRequest (HTTP-Redirect
binding, its signature checked against the SP's metadata) and answers a sign-in page with a ticket;
``POST /idp/approve`` signs the test user in at once and answers the HTTP-POST binding's form to
the SP's assertion consumer. The approve form also takes what a misbehaving provider or an
attacker would change (no signature, the response's signature only, another key, another audience
or recipient, an expired assertion, another issuer), applied before signing, so that the SP's own
checks are what refuses it; ``encrypt`` takes pysaml2's own path of signing and encrypting,
``cancel`` answers the error status of a person who cancelled.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT
from saml2.samlp import STATUS_AUTHN_FAILED
from saml2.server import Server
from saml2.sigver import pre_signature_part, signed_instance_factory
from saml2.time_util import instant
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def make_key_pair(directory: Path, name: str) -> tuple[Path, Path]:
    """A fresh RSA key and a self-signed certificate for it, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class TestIdentityProvider:
    """pysaml2's IdP on 127.0.0.1:<free port>; ``users`` maps a user name to its attributes."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path, *, xmlsec_binary: str) -> None:
        self.directory = directory
        self.xmlsec_binary = xmlsec_binary
        self.users: dict[str, dict[str, list[str]]] = {}
        self._tickets: dict[str, Any] = {}
        self._httpd: WSGIServer = make_server(
            "127.0.0.1", 0, self._app, handler_class=_QuietHandler
        )
        self.base_url = f"http://127.0.0.1:{self._httpd.server_port}"
        self.entity_id = f"{self.base_url}/idp/metadata"
        self.metadata_url = self.entity_id
        self.key_file, self.cert_file = make_key_pair(directory, "idp")
        self._other_key_file, self._other_cert_file = make_key_pair(directory, "impostor")
        self._server: Server | None = None
        self._impostor: Server | None = None
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def _config(self, sp_metadata: str, *, key_file: Path, cert_file: Path) -> IdPConfig:
        return IdPConfig().load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": self.xmlsec_binary,
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "metadata": {"inline": [sp_metadata]},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.base_url}/idp/sso", BINDING_HTTP_REDIRECT)
                            ]
                        },
                        "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                        "want_authn_requests_signed": True,
                        "signing_algorithm": SIG_RSA_SHA256,
                        "digest_algorithm": DIGEST_SHA256,
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 5},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                    }
                },
            }
        )

    def start(self, sp_metadata: str) -> None:
        """Trust the service provider described by ``sp_metadata`` and start serving."""
        self._server = Server(
            config=self._config(sp_metadata, key_file=self.key_file, cert_file=self.cert_file)
        )
        # The same entity id with a key the SP has never seen: a forged answer.
        self._impostor = Server(
            config=self._config(
                sp_metadata, key_file=self._other_key_file, cert_file=self._other_cert_file
            )
        )
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # ------------------------------------------------------------------------- the web app

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        try:
            if path == "/idp/metadata" and method == "GET":
                return self._answer(start_response, self.metadata_xml(), "text/xml")
            if path == "/idp/sso" and method == "GET":
                return self._answer(start_response, self._sso(_form(environ["QUERY_STRING"])))
            if path == "/idp/approve" and method == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(length).decode()
                return self._answer(start_response, self._approve(_form(body)))
        except Exception as exc:  # the test reads the status and the message
            return self._answer(start_response, f"{type(exc).__name__}: {exc}", status="400")
        return self._answer(start_response, "not found", status="404")

    @staticmethod
    def _answer(
        start_response: StartResponse,
        body: str,
        content_type: str = "text/html",
        status: str = "200",
    ) -> list[bytes]:
        start_response(f"{status} X", [("Content-Type", f"{content_type}; charset=utf-8")])
        return [body.encode()]

    def metadata_xml(self) -> str:
        assert self._server is not None
        return str(entity_descriptor(self._server.config))

    def _sso(self, query: dict[str, str]) -> str:
        """Take the AuthnRequest and show the 'sign-in page' with its ticket."""
        assert self._server is not None
        request = self._server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        ticket = request.message.id
        self._tickets[ticket] = (request.message, query.get("RelayState", ""))
        return (
            f'<form method="post" action="{self.base_url}/idp/approve">'
            f'<input type="hidden" name="ticket" value="{html.escape(ticket)}"></form>'
        )

    def _approve(self, form: dict[str, str]) -> str:
        """Sign the user in and answer the auto-posting form to the SP (HTTP-POST binding)."""
        assert self._server is not None
        assert self._impostor is not None
        message, relay_state = self._tickets.pop(form["ticket"])
        args = self._server.response_args(message, [BINDING_HTTP_POST])
        destination = args.pop("destination")
        args.pop("binding", None)
        if form.get("cancel"):
            # The person pressed "Avbryt" at the provider: a signed error status.
            error = self._server.create_error_response(
                args["in_response_to"],
                destination,
                (STATUS_AUTHN_FAILED, "Avbruten av användaren"),
                sign=True,
            )
            return self._post_form(str(error), destination, relay_state)
        authn = {"class_ref": form.get("authn_context") or PASSWORD}
        if form.get("encrypt"):
            # pysaml2's own path: sign the assertion, encrypt it for the SP, sign the response.
            xml = self._server.create_authn_response(
                self.users[form["user"]],
                userid=form["user"],
                destination=destination,
                authn=authn,
                sign_assertion=True,
                sign_response=True,
                encrypt_assertion=True,
                **args,
            )
            return self._post_form(str(xml), destination, relay_state)
        response = self._server.create_authn_response(
            self.users[form["user"]],
            userid=form["user"],
            destination=destination,
            authn=authn,
            sign_assertion=False,
            sign_response=False,
            **args,
        )
        assertion = (
            response.assertion[0] if isinstance(response.assertion, list) else response.assertion
        )
        if form.get("audience"):
            assertion.conditions.audience_restriction[0].audience[0].text = form["audience"]
        if form.get("recipient"):
            for confirmation in assertion.subject.subject_confirmation:
                confirmation.subject_confirmation_data.recipient = form["recipient"]
        if form.get("issuer"):
            response.issuer.text = assertion.issuer.text = form["issuer"]
        if form.get("expired"):
            _expire(response, assertion)
        signer = self._impostor if form.get("sign") == "impostor" else self._server
        to_sign = []
        if form.get("sign") not in ("none", "response_only"):
            assertion.signature = _signature_template(signer, assertion.id, 1)
            to_sign.append((class_name(assertion), assertion.id))
        if form.get("sign") != "none":
            response.signature = _signature_template(signer, response.id, 2)
            to_sign.append((class_name(response), response.id))
        xml = signed_instance_factory(response, signer.sec, to_sign) if to_sign else str(response)
        return self._post_form(str(xml), destination, relay_state)

    def _post_form(self, xml: str, destination: str, relay_state: str) -> str:
        assert self._server is not None
        http_args = self._server.apply_binding(
            BINDING_HTTP_POST, xml, destination, relay_state, response=True
        )
        return str(http_args["data"])


def _signature_template(signer: Server, ident: str, number: int) -> Any:
    return pre_signature_part(
        ident,
        signer.sec.my_cert,
        number,
        sign_alg=signer.signing_algorithm,
        digest_alg=signer.digest_algorithm,
    )


def _expire(response: Any, assertion: Any) -> None:
    """Date the answer as issued ten minutes ago with five minutes to live."""
    issued, ended = instant(time_stamp=_ago(600)), instant(time_stamp=_ago(300))
    response.issue_instant = assertion.issue_instant = issued
    assertion.conditions.not_before = issued
    assertion.conditions.not_on_or_after = ended
    for confirmation in assertion.subject.subject_confirmation:
        confirmation.subject_confirmation_data.not_on_or_after = ended
    for statement in assertion.authn_statement:
        statement.authn_instant = issued


def _ago(seconds: int) -> int:
    return int(dt.datetime.now(dt.UTC).timestamp()) - seconds


def _form(encoded: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(encoded).items()}


def posted_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the HTTP-POST binding's form in ``page``."""
    action = re.search(r'<form[^>]*action="([^"]+)"', page)
    assert action, page
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
    }
    return html.unescape(action.group(1)), fields
