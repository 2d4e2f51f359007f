from unittest import mock

from django.db.utils import OperationalError
from django.test import Client


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
