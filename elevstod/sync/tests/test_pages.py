"""The huvudman administrator's sync page, its start button, and API v1's sync status."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client, override_settings

from elevstod.organisation.models import ProviderDuty
from elevstod.ss12000.client import SS12000Client
from elevstod.ss12000.mock.server import MockProvider
from elevstod.sync import services
from elevstod.sync.models import SyncRun, SyncStatus, SyncTrigger
from elevstod.sync.tests.conftest import TODAY
from tests.factories import ProviderFactory, SchoolUnitFactory, UserFactory, duty

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_second_factor")]


@pytest.fixture
def no_second_factor() -> Iterator[None]:
    with override_settings(ELEVSTOD_REQUIRE_SECOND_FACTOR=False):
        yield


@pytest.fixture
def admin_client() -> Client:
    admin = UserFactory()
    ProviderDuty.objects.create(user=admin, provider=ProviderFactory(), duty="administrator")
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def principal_client() -> Client:
    principal = UserFactory()
    duty(principal, SchoolUnitFactory(), "principal")
    client = Client()
    client.force_login(principal)
    return client


def test_the_administrator_sees_the_latest_run_with_counts_and_no_person(
    admin_client: Client, client: SS12000Client
) -> None:
    run = services.run_sync(client=client, today=TODAY)

    page = admin_client.get("/synkronisering/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Senaste körningen" in html
    assert "Klar" in html
    assert "Elever" in html
    assert "Vårdnadshavare" in html
    assert str(run.counts["pupil"]["created"]) in html
    # Counts and reasons only: no provider values, no names.
    assert "Alva" not in html
    assert "Andersson" not in html


def test_the_page_refuses_everyone_else(principal_client: Client) -> None:
    assert principal_client.get("/synkronisering/").status_code == 404
    assert principal_client.post("/synkronisering/starta/", {"kind": "delta"}).status_code == 404
    assert principal_client.get("/api/v1/sync/status/").status_code == 404
    assert principal_client.get("/api/v1/sync/runs/").json()["items"] == []


def test_without_a_provider_the_button_says_so(admin_client: Client) -> None:
    with override_settings(ELEVSTOD_SS12000_URL=""):
        response = admin_client.post("/synkronisering/starta/", {"kind": "delta"}, follow=True)
        assert "Ingen SS 12000-leverantör är ansluten" in response.content.decode()
        assert (
            "Ingen SS 12000-leverantör är ansluten"
            in admin_client.get("/synkronisering/").content.decode()
        )
    assert not SyncRun.objects.exists()


def test_the_button_starts_a_sync_through_the_task_queue(
    admin_client: Client, provider: MockProvider
) -> None:
    with override_settings(ELEVSTOD_SS12000_URL=provider.url, ELEVSTOD_SS12000_PAGE_SIZE=50):
        response = admin_client.post("/synkronisering/starta/", {"kind": "full"}, follow=True)

    assert "Synkroniseringen är startad" in response.content.decode()
    run = SyncRun.objects.get()
    assert run.trigger == SyncTrigger.PAGE
    assert run.started_by is not None
    assert run.status == SyncStatus.SUCCEEDED  # the test settings run tasks at once


def test_a_second_start_while_one_runs_is_refused(
    admin_client: Client, provider: MockProvider
) -> None:
    services.start_run(full=True, trigger=SyncTrigger.COMMAND)
    with override_settings(ELEVSTOD_SS12000_URL=provider.url):
        response = admin_client.post("/synkronisering/starta/", {"kind": "delta"}, follow=True)
    assert "En synkronisering pågår redan" in response.content.decode()
    assert SyncRun.objects.count() == 1


def test_the_api_gives_the_status_and_the_runs(admin_client: Client, client: SS12000Client) -> None:
    run = services.run_sync(client=client, today=TODAY)

    status = admin_client.get("/api/v1/sync/status/").json()
    runs = admin_client.get("/api/v1/sync/runs/").json()
    one = admin_client.get(f"/api/v1/sync/runs/{run.pk}/").json()

    assert status["last_complete"]["id"] == str(run.pk)
    assert status["running"] is None
    assert runs["count"] == 1
    assert one["counts"]["pupil"] == {"created": 4}
    assert one["high_water_mark"].startswith("2026-08-01T06:00:00")
