import json
from unittest import mock

from django.db.utils import OperationalError
from django.test import Client

from elevstod.core.errors import server_error


def test_healthz_reports_ok_without_auth(client: Client, db: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_database_failure(client: Client, db: None) -> None:
    with mock.patch("elevstod.core.views.connection.cursor", side_effect=OperationalError):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_unknown_page_gives_swedish_404_without_details(client: Client, db: None) -> None:
    response = client.get("/finns-inte/123/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_an_unknown_api_path_answers_json_404_not_the_html_page(client: Client, db: None) -> None:
    response = client.get("/api/v1/finns-inte/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_a_failure_under_the_api_before_its_handlers_answers_json_500(rf) -> None:  # type: ignore[no-untyped-def]
    response = server_error(rf.get("/api/v1/pupils/"))
    assert response.status_code == 500
    assert json.loads(response.content) == {
        "code": "server_error",
        "message": "Ett oväntat fel inträffade. Försök igen senare.",
    }
