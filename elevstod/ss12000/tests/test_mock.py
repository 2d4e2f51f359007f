"""The mock provider keeps to the official document, and behaves as the standard describes."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import ssl
import subprocess
from pathlib import Path

import httpx
import pytest

from elevstod.ss12000 import client as client_module
from elevstod.ss12000.client import ClientConfig, ProviderError, SS12000Client
from elevstod.ss12000.mock.fixture import CREATED, civic_no, ids, small_dataset
from elevstod.ss12000.mock.server import (
    MALFORMED_JSON,
    REFUSE_PAGE_TOKEN,
    SERVER_ERROR,
    TIMEOUT,
    MockProvider,
)
from elevstod.ss12000.tests.conformance import (
    OFFICIAL_SHA256,
    assert_conforms,
    document_sha256,
    problems_with,
)

AUTH = {"Authorization": "Bearer test-bearer-token"}

# Every list endpoint with each of its variations the mock implements, and its errors.
REQUESTS = [
    ("/organisations", {}),
    ("/organisations", {"type": "Skolenhet"}),
    ("/persons", {}),
    ("/persons", {"limit": "3"}),
    (
        "/persons",
        {
            "expand": [
                "duties",
                "responsibleFor",
                "placements",
                "ownedPlacements",
                "groupMemberships",
            ]
        },
    ),
    ("/persons", {"meta.modified.after": "2026-08-01T06:00:00Z"}),
    ("/persons", {"meta.created.before": "2026-08-01T06:00:00+00:00"}),
    ("/persons", {"expand": "unknown"}),
    ("/persons", {"meta.modified.after": "yesterday"}),
    ("/persons", {"limit": "0"}),
    ("/placements", {}),
    ("/duties", {}),
    ("/groups", {"groupType": "Mentor"}),
    ("/activities", {}),
    ("/absences", {}),
    ("/aggregatedAttendance", {"startDate": "2026-08-01", "endDate": "2026-12-31"}),
    ("/aggregatedAttendance", {"startDate": "2026-08-01", "endDate": "2026-12-31", "limit": "1"}),
    ("/aggregatedAttendance", {}),
    ("/deletedEntities", {}),
    ("/deletedEntities", {"after": "2026-08-01T06:00:00Z", "entities": ["Person", "Activity"]}),
    ("/deletedEntities", {"limit": "1"}),
    ("/deletedEntities", {"entities": "Kommun"}),
]


def _follow(http: httpx.Client, provider: MockProvider, path: str, params: dict) -> None:
    """One request, then every following page the mock offers."""
    response = http.get(provider.url + path, params=params)
    while response.status_code == 200 and response.json().get("pageToken"):
        response = http.get(provider.url + path, params={"pageToken": response.json()["pageToken"]})


def test_the_vendored_document_is_the_official_one_unedited():
    assert document_sha256() == OFFICIAL_SHA256


def test_every_response_of_the_mock_conforms_to_the_official_schema(provider):
    provider.dataset.delete("persons", ids.GUARDIAN_GUN, at=CREATED + dt.timedelta(days=1))
    provider.dataset.delete("activities", ids.ACTIVITY_MATHS_7A, at=CREATED + dt.timedelta(days=2))
    provider.dataset.delete("groups", ids.GROUP_MATHS_7A, at=CREATED + dt.timedelta(days=2))
    http = httpx.Client(headers=AUTH, timeout=5)
    for path, params in REQUESTS:
        _follow(http, provider, path, params)
    provider.delay_seconds = 0.2  # the late answer is awaited here, not given up on
    for kind in (SERVER_ERROR, TIMEOUT, REFUSE_PAGE_TOKEN):
        provider.inject(kind, path="/persons")
    _follow(http, provider, "/persons", {"limit": "2"})  # the 503
    _follow(http, provider, "/persons", {"limit": "2"})  # late, then a refused token on page 2
    http.close()
    httpx.get(provider.url + "/persons", headers={}, timeout=5)  # no token: 401

    statuses = {logged.status for logged in provider.responses}
    checked = assert_conforms(provider.responses)

    assert statuses == {200, 400, 401, 503}
    assert checked == len(provider.responses) > len(REQUESTS)
    assert {logged.path for logged in provider.responses} == {path for path, _ in REQUESTS}


def test_the_schema_check_catches_what_the_standard_does_not_allow():
    meta = {"created": "2026-08-01T06:00:00Z", "modified": "2026-08-01"}
    organisation = {
        "id": "not-a-uuid",
        "displayName": "Norrskolan",
        "organisationType": "Kommun",
        "meta": meta,
        "invented": True,
    }

    problems = "\n".join(problems_with("/organisations", 200, {"data": [organisation]}))

    assert "'not-a-uuid' is not a 'uuid'" in problems
    assert "'2026-08-01' is not a 'date-time'" in problems
    assert "'Kommun' is not one of" in problems
    assert "$.data[0].invented is not in the standard" in problems
    assert problems_with("/persons", 200, {"data": [], "pageToken": None}) == []
    assert problems_with("/persons", 200, {"data": [{"id": ids.PUPIL_ALVA}]})


def test_a_malformed_body_is_the_only_response_left_out_of_the_schema_check(provider):
    provider.inject(MALFORMED_JSON, path="/duties")
    body = httpx.get(provider.url + "/duties", headers=AUTH, timeout=5).content

    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert assert_conforms(provider.responses) == 0


def test_a_page_token_combined_with_a_filter_is_refused(provider):
    first = httpx.get(provider.url + "/persons", params={"limit": 2}, headers=AUTH).json()

    response = httpx.get(
        provider.url + "/persons",
        params={"pageToken": first["pageToken"], "meta.modified.after": "2026-01-01T00:00:00Z"},
        headers=AUTH,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"


def test_a_forged_or_foreign_page_token_is_refused(provider):
    token = httpx.get(provider.url + "/persons", params={"limit": 2}, headers=AUTH).json()[
        "pageToken"
    ]
    payload, signature = token.split(".")

    forged = httpx.get(
        provider.url + "/persons",
        params={"pageToken": ("f" if payload[0] != "f" else "e") + payload[1:] + "." + signature},
        headers=AUTH,
    )
    foreign = httpx.get(provider.url + "/duties", params={"pageToken": token}, headers=AUTH)

    assert forged.status_code == foreign.status_code == 400
    assert forged.json()["code"] == foreign.json()["code"] == "invalid_page_token"


def test_a_page_token_carries_the_filter_of_the_first_page(provider):
    for index, person in enumerate((ids.PUPIL_ALVA, ids.PUPIL_BORIS, ids.PUPIL_CELINE)):
        provider.dataset.update("persons", person, {}, at=CREATED + dt.timedelta(days=index + 1))
    params = {"meta.modified.after": CREATED.isoformat(), "limit": 2}

    first = httpx.get(provider.url + "/persons", params=params, headers=AUTH).json()
    second = httpx.get(
        provider.url + "/persons", params={"pageToken": first["pageToken"]}, headers=AUTH
    ).json()

    assert [p["id"] for p in first["data"] + second["data"]] == [
        ids.PUPIL_ALVA,
        ids.PUPIL_BORIS,
        ids.PUPIL_CELINE,
    ]
    assert second["pageToken"] is None


def test_an_update_moves_meta_modified_and_keeps_meta_created(provider):
    later = CREATED + dt.timedelta(hours=5)

    record = provider.dataset.update("groups", ids.GROUP_CLASS_7A, {"displayName": "7 A"}, at=later)

    assert record["meta"] == {"created": "2026-08-01T06:00:00Z", "modified": "2026-08-01T11:00:00Z"}
    assert provider.dataset.listing("groups")[-1]["displayName"] == "7 A"


def test_aggregated_attendance_requires_its_start_and_end_date(provider):
    response = httpx.get(provider.url + "/aggregatedAttendance", headers=AUTH)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"


def test_the_fixture_civic_numbers_carry_a_valid_check_digit():
    assert civic_no(dt.date(1981, 12, 18), 987) == "198112189876"  # Skatteverket's example
    numbers = [person["civicNo"]["value"] for person in small_dataset().listing("persons")]
    assert len(set(numbers)) == len(numbers) == 11


# --- mutual TLS ---------------------------------------------------------------------------------


NEW_KEY = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"


def _openssl(arguments: str, cwd: Path) -> None:
    subprocess.run(["openssl", *arguments.split()], cwd=cwd, check=True, capture_output=True)  # noqa: S603, S607


@pytest.fixture
def certificates(tmp_path: Path) -> Path:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, made for this test."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: the mutual-TLS test needs it to make certificates")
    _openssl(
        f"req -x509 {NEW_KEY} -days 1 -subj /CN=ca -keyout ca.key -out ca.pem "
        "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign",
        tmp_path,
    )
    for name, extension in (
        ("server", "subjectAltName=IP:127.0.0.1"),
        ("client", "extendedKeyUsage=clientAuth"),
    ):
        _openssl(
            f"req {NEW_KEY} -subj /CN={name} -keyout {name}.key -out {name}.csr",
            tmp_path,
        )
        (tmp_path / f"{name}.ext").write_text(extension + "\n")
        _openssl(
            f"x509 -req -in {name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
            f"-extfile {name}.ext -out {name}.pem",
            tmp_path,
        )
    return tmp_path


@pytest.fixture
def tls_provider(certificates: Path):
    context = ssl.create_default_context(
        ssl.Purpose.CLIENT_AUTH, cafile=str(certificates / "ca.pem")
    )
    context.load_cert_chain(str(certificates / "server.pem"), str(certificates / "server.key"))
    context.verify_mode = ssl.CERT_REQUIRED
    mock = MockProvider(small_dataset(), tls=context).start()
    yield mock
    mock.stop()
    assert_conforms(mock.responses)


def test_mutual_tls_presents_the_client_certificate_from_the_settings(tls_provider, certificates):
    config = ClientConfig(
        base_url=tls_provider.url,
        client_cert=str(certificates / "client.pem"),
        client_key=str(certificates / "client.key"),
        ca_bundle=str(certificates / "ca.pem"),
        max_attempts=1,
        timeout_seconds=5,
    )

    with SS12000Client(config) as ss12000:
        organisations = [o for page in ss12000.organisations() for o in page.items]

    assert len(organisations) == 3


def test_without_a_client_certificate_the_mutual_tls_provider_is_not_reached(
    tls_provider, certificates
):
    config = ClientConfig(
        base_url=tls_provider.url,
        ca_bundle=str(certificates / "ca.pem"),
        max_attempts=1,
        timeout_seconds=5,
    )

    with SS12000Client(config) as ss12000, pytest.raises(ProviderError) as refusal:
        list(ss12000.organisations())

    assert refusal.value.code == client_module.CONNECTION_FAILED
    assert tls_provider.responses == []
