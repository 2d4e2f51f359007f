"""API v1's delegation register (SL 2 kap. 10 §): the page's rules, the page's service."""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from elevstod.accounts.models import User
from elevstod.audit.models import AccessEvent
from elevstod.organisation.models import Delegation, ProviderDuty, SchoolUnit
from tests.factories import ProviderFactory, SchoolUnitFactory, UserFactory, duty

URL = "/api/v1/delegations/"


@dataclass
class Units:
    a: SchoolUnit
    b: SchoolUnit
    other: SchoolUnit  # another huvudman's unit: nobody here has a relation to it
    users: dict[str, User]

    def client(self, name: str) -> Client:
        """Signed in with a confirmed second factor, as tests/world.py does."""
        user = self.users[name]
        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    def delegation(self, **overrides: Any) -> Delegation:
        today = timezone.localdate()
        values: dict[str, Any] = {
            "school_unit": self.a,
            "delegated_by": self.users["principal_a"],
            "delegate": self.users["educator_a"],
            "decision_type": "no_action_programme",
            "valid_from": today - timedelta(days=10),
            "valid_until": today + timedelta(days=100),
        }
        return Delegation.objects.create(**(values | overrides))


@pytest.fixture
def units(db: None) -> Units:
    provider = ProviderFactory()
    a = SchoolUnitFactory(provider=provider, name="Björkskolan")
    b = SchoolUnitFactory(provider=provider, name="Lindskolan")
    other = SchoolUnitFactory(name="Friskolan")
    users = {
        name: UserFactory(username=name)
        for name in ("principal_a", "deputy_a", "educator_a", "principal_b", "teacher_b", "admin")
    }
    duty(users["principal_a"], a, "principal")
    duty(users["deputy_a"], a, "deputy_principal")
    duty(users["educator_a"], a, "special_educator")
    duty(users["principal_b"], b, "principal")
    duty(users["teacher_b"], b, "teacher")
    ProviderDuty.objects.create(user=users["admin"], provider=provider, duty="administrator")
    return Units(a=a, b=b, other=other, users=users)


def _body(units: Units, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    body = {
        "school_unit": str(units.a.pk),
        "delegate": str(units.users["educator_a"].pk),
        "decision_type": "action_programme",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=180)).isoformat(),
        "note": "Under rektors semester",
    }
    return body | overrides


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


# --------------------------------------------------------------------------- the list


def test_principal_lists_the_register_of_their_unit_with_its_status(units: Units) -> None:
    today = timezone.localdate()
    in_force = units.delegation()
    expired = units.delegation(valid_from=date(2020, 1, 1), valid_until=date(2020, 6, 30))
    units.delegation(
        school_unit=units.b,
        delegated_by=units.users["principal_b"],
        delegate=units.users["teacher_b"],
    )
    body = units.client("principal_a").get(URL).json()
    assert body["count"] == 2
    rows = {row["id"]: row for row in body["items"]}
    assert rows[str(in_force.pk)]["status"] == "in_force"
    assert rows[str(in_force.pk)]["status_label"] == "Gäller"
    assert rows[str(in_force.pk)]["delegate"]["name"] == units.users["educator_a"].display_name
    assert rows[str(expired.pk)]["status"] == "expired"
    assert rows[str(in_force.pk)]["decision_type_label"].startswith("Beslut att inte utarbeta")
    assert rows[str(in_force.pk)]["valid_until"] == (today + timedelta(days=100)).isoformat()


@pytest.mark.parametrize("name", ["deputy_a", "educator_a", "teacher_b", "admin"])
def test_only_the_rektor_sees_the_register_others_get_an_empty_page(
    units: Units, name: str
) -> None:
    """As the page: a biträdande rektor cannot delegate onward (SL 2 kap. 10 §), and the page
    is the rektor's alone."""
    units.delegation()
    response = units.client(name).get(URL)
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_list_pages_and_filters_by_status(units: Units) -> None:
    live = units.delegation()
    revoked = units.delegation(decision_type="action_programme", revoked_at=timezone.now())
    client = units.client("principal_a")
    first = client.get(URL, {"limit": 1}).json()
    assert first["count"] == 2
    assert [row["id"] for row in first["items"]] == [str(live.pk)]  # revoked last
    assert client.get(URL, {"limit": 1, "offset": 1}).json()["items"][0]["id"] == str(revoked.pk)
    only_revoked = client.get(URL, {"status": "revoked"}).json()["items"]
    assert [row["id"] for row in only_revoked] == [str(revoked.pk)]
    assert only_revoked[0]["revoked_by"] is None  # set directly here, not through the service


def test_anonymous_gets_401(client: Client) -> None:
    assert client.get(URL).status_code == 401


# --------------------------------------------------------------------------- registering


def test_principal_registers_a_delegation_attributed_to_them(units: Units) -> None:
    response = _post(units.client("principal_a"), URL, _body(units))
    assert response.status_code == 201, response.content
    created = Delegation.objects.get()
    assert created.delegated_by == units.users["principal_a"]
    assert created.note == "Under rektors semester"
    assert response.json()["id"] == str(created.pk)
    assert response.json()["status"] == "in_force"


def test_reserved_decision_is_refused_409_citing_its_paragraph(units: Units) -> None:
    response = _post(
        units.client("principal_a"), URL, _body(units, decision_type="distance_teaching")
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "delegation.reserved_for_principal"
    assert body["paragraph"] == "3 kap. 9 § andra stycket 2 skollagen"
    assert body["message"].endswith("(3 kap. 9 § andra stycket 2 skollagen)")
    assert not Delegation.objects.exists()


@pytest.mark.parametrize("delegate", ["teacher_b", "principal_a"])
def test_delegate_who_does_not_work_at_the_unit_is_refused_409(units: Units, delegate: str) -> None:
    """SL 2 kap. 10 §: someone employed or contracted at the unit, and not the rektor."""
    body = _body(units, delegate=str(units.users[delegate].pk))
    response = _post(units.client("principal_a"), URL, body)
    assert response.status_code == 409
    assert response.json()["code"] == "delegation.delegate_not_at_unit"
    assert response.json()["paragraph"] == "2 kap. 10 § skollagen"
    assert not Delegation.objects.exists()


def test_end_before_start_is_422_with_the_pages_message(units: Units) -> None:
    today = timezone.localdate()
    body = _body(units, valid_until=(today - timedelta(days=1)).isoformat())
    response = _post(units.client("principal_a"), URL, body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail == [
        {
            "loc": ["body", "payload", "valid_until"],
            "type": "elevstod",
            "msg": "Slutdatumet kan inte ligga före startdatumet.",
        }
    ]


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"delegated_by": "x"}, "extra_forbidden"),
        ({"note": "a\x00b"}, "string_nul"),
        ({"note": "x" * 301}, "string_too_long"),
        ({"decision_type": "allt"}, "enum"),
    ],
)
def test_unknown_fields_nul_and_bad_values_are_422(
    units: Units, change: dict[str, str], kind: str
) -> None:
    response = _post(units.client("principal_a"), URL, _body(units, **change))
    assert response.status_code == 422
    assert [error["type"] for error in response.json()["detail"]] == [kind]
    assert not Delegation.objects.exists()


@pytest.mark.parametrize("name", ["deputy_a", "educator_a", "admin"])
def test_who_is_not_the_units_rektor_gets_403_naming_the_rule(units: Units, name: str) -> None:
    response = _post(units.client(name), URL, _body(units))
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "delegation.not_principal"
    assert body["paragraph"] == "2 kap. 10 § skollagen"
    assert body["message"].startswith("Bara skolenhetens rektor")
    assert not Delegation.objects.exists()


def test_a_unit_the_caller_has_no_relation_to_is_404_like_a_missing_one(units: Units) -> None:
    client = units.client("principal_a")
    other = _post(client, URL, _body(units, school_unit=str(units.other.pk)))
    missing = _post(client, URL, _body(units, school_unit="00000000-0000-0000-0000-000000000000"))
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert other.json()["code"] == "not_found"


# --------------------------------------------------------------------------- revoking


def test_principal_revokes_a_delegation_from_now_on(units: Units) -> None:
    delegation = units.delegation()
    response = _post(units.client("principal_a"), f"{URL}{delegation.pk}/revoke/")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert response.json()["revoked_by"]["id"] == str(units.users["principal_a"].pk)
    delegation.refresh_from_db()
    assert delegation.revoked_by == units.users["principal_a"]
    assert delegation.revoked_at is not None


def test_revoking_twice_is_409_and_keeps_the_first_revocation(units: Units) -> None:
    delegation = units.delegation()
    client = units.client("principal_a")
    _post(client, f"{URL}{delegation.pk}/revoke/")
    delegation.refresh_from_db()
    first = delegation.revoked_at
    again = _post(client, f"{URL}{delegation.pk}/revoke/")
    assert again.status_code == 409
    assert again.json()["code"] == "delegation.already_revoked"
    delegation.refresh_from_db()
    assert delegation.revoked_at == first


@pytest.mark.parametrize("name", ["deputy_a", "educator_a", "principal_b", "admin"])
def test_others_revoking_get_404_and_change_nothing(units: Units, name: str) -> None:
    delegation = units.delegation()
    response = _post(units.client(name), f"{URL}{delegation.pk}/revoke/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


def test_openapi_document_lists_the_delegation_paths(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths[URL])
    assert "post" in paths[URL + "{delegation_id}/revoke/"]


def test_a_forbidden_delegation_costs_what_a_missing_one_does(units: Units) -> None:
    """Missing and forbidden are never told apart, by the queries run either (security.md P5)."""
    delegation = units.delegation()
    client = units.client("principal_b")
    client.get(URL)  # the first request after sign-in may refresh the session
    counts = []
    for target in (delegation.pk, "00000000-0000-0000-0000-000000000000"):
        with CaptureQueriesContext(connection) as queries:
            response = _post(client, f"{URL}{target}/revoke/")
        assert response.status_code == 404
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_each_delegation_write_leaves_one_log_row_with_its_channel(units: Units) -> None:
    response = _post(units.client("principal_a"), URL, _body(units))
    assert response.status_code == 201, response.content
    delegation = Delegation.objects.get()
    revoked = _post(units.client("principal_a"), f"{URL}{delegation.pk}/revoke/", {})
    assert revoked.status_code == 200, revoked.content
    rows = AccessEvent.objects.filter(record_type="delegation", record_id=str(delegation.pk))
    assert sorted(rows.values_list("action", "channel")) == [("create", "api"), ("update", "api")]
    assert {row.actor_id for row in rows} == {units.users["principal_a"].pk}
