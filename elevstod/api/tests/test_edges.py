"""API v1 at the edges (issue 10): every refusal names its rule, unknown fields are refused,
one act has one name in the log, odd input never crashes, and a forbidden id costs what a
missing one does."""

import json
import logging
import uuid
from dataclasses import astuple
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elevstod.access.policy import SupportAct
from elevstod.access.records import ACT_RULES
from elevstod.access.tests import query_shapes
from elevstod.audit.models import AccessAction, AccessEvent, AccessOutcome
from elevstod.support import services
from elevstod.support.models import ActionProgramme, Adaptation, Concern, Decision
from elevstod.support.tests import builders
from tests.matrix_rows.programme import chain_for
from tests.world import World

pytestmark = pytest.mark.django_db


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def _patch(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.patch(path, json.dumps(body), content_type="application/json")


def _errors(response: Any) -> dict[str, dict[str, Any]]:
    """The 422's errors by the name of the field they are about."""
    return {str(error["loc"][-1]): error for error in response.json()["detail"]}


# --------------------------------------------------------------------------- 1. refusals


def test_a_teacher_and_the_kurator_without_delegation_get_the_same_refusal(world: World) -> None:
    """Both reach the decision (any employee at the unit may hold a delegation, SL 2 kap. 10 §)
    and are refused by the workflow's delegation rule: the same rule, message, paragraph and
    status (decision 0012)."""
    programme = builders.concluded_programme(world)
    path = f"/api/v1/action-programmes/{programme.pk}/decision"
    body = {"statement_of_reasons": "Eleven behöver stöd i läsning."}
    teacher = _post(world.client_for("teacher_a"), path, body)
    kurator = _post(world.client_for("counsellor_a"), path, body)
    assert (teacher.status_code, kurator.status_code) == (403, 403)
    assert teacher.json() == kurator.json()
    assert teacher.json()["code"] == "decision.no_delegation"
    assert teacher.json()["paragraph"] == "2 kap. 10 § skollagen"
    assert teacher.json()["message"].endswith("(2 kap. 10 § skollagen)")
    assert not Decision.objects.filter(programme=programme).exists()


def test_a_guardian_closing_a_programme_is_refused_with_the_rule_and_a_denied_row(
    world: World,
) -> None:
    """The family never decides (policy): the rule and a DENIED row. A mentor reaches the
    decision (SL 2 kap. 10 §: any employee may hold a delegation) and, holding none, is refused
    by the workflow's delegation rule, word for word the same."""
    chain = chain_for(world, "x")
    path = f"/api/v1/action-programmes/{chain.programme.pk}/closure"
    mentor = _post(world.client_for("mentor_a"), path, {"statement_of_reasons": "Klart."})
    response = _post(world.client_for("guardian_x"), path, {"statement_of_reasons": "Klart."})
    assert (response.status_code, mentor.status_code) == (403, 403)
    assert set(response.json()) == {"code", "message", "paragraph"}
    assert response.json()["code"] == "decision.no_delegation"
    assert mentor.json() == response.json()
    event = AccessEvent.objects.order_by("-pk").first()
    assert event is not None
    assert (event.outcome, event.record_id) == (AccessOutcome.DENIED, str(chain.programme.pk))


def test_a_guardian_confirming_the_pupils_receipt_is_told_why(world: World) -> None:
    chain = chain_for(world, "x")
    pupil_row = chain.decision.services.get(recipient_kind="pupil")
    response = _post(
        world.client_for("guardian_x"),
        f"/api/v1/decisions/{chain.decision.pk}/services/{pupil_row.pk}/receipt",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "act.recipient_confirms_receipt"
    assert "44 § förvaltningslagen" in response.json()["paragraph"]


def test_a_family_member_reporting_to_the_principal_is_told_the_rule(world: World) -> None:
    response = _post(
        world.client_for("guardian_x"),
        "/api/v1/referrals/",
        {
            "pupil": str(world.pupils["x"].pk),
            "ground": "other_difficulties",
            "description": "Vi är oroliga.",
        },
    )
    assert response.status_code == 403
    assert response.json()["code"] == "act.staff_refer"
    assert response.json()["paragraph"] == "3 kap. 7 § skollagen"


def test_every_refusal_in_the_openapi_document_has_code_message_and_paragraph(
    world: World,
) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    decide = document["paths"]["/api/v1/action-programmes/{programme_id}/decision"]["post"]
    for status in ("403", "409"):
        ref = decide["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        assert {"code", "message", "paragraph"} <= set(schema["required"]), status


# --------------------------------------------------------------------------- 7. unknown fields


def test_a_field_the_endpoint_does_not_take_is_refused_naming_it(world: World) -> None:
    programme = builders.concluded_programme(world)
    response = _patch(
        world.client_for("special_educator_a"),
        f"/api/v1/action-programmes/{programme.pk}/",
        {"version": programme.version, "state": "closed", "valid_until": None},
    )
    assert response.status_code == 422
    error = _errors(response)["state"]
    assert error["type"] == "extra_forbidden"
    assert error["msg"] == "Fältet finns inte här och kan inte ändras genom API:t."
    saved = ActionProgramme.objects.get(pk=programme.pk)
    assert (saved.state, saved.version) == (programme.state, programme.version)


def test_an_unknown_field_in_a_new_record_or_a_nested_one_is_refused(world: World) -> None:
    client = world.client_for("mentor_a")
    concern = _post(
        client,
        "/api/v1/concerns/",
        {"pupil": str(world.pupils["x"].pk), "description": "Oro", "state": "closed"},
    )
    assert concern.status_code == 422
    assert _errors(concern)["state"]["type"] == "extra_forbidden"
    assert not Concern.objects.exists()
    programme = builders.concluded_programme(world)
    need = programme.needs.get()
    nested = _patch(
        world.client_for("special_educator_a"),
        f"/api/v1/action-programmes/{programme.pk}/",
        {
            "version": programme.version,
            "needs": [{"key": "n", "category": need.category, "description": "Läsa", "pk": 1}],
        },
    )
    assert nested.status_code == 422
    assert nested.json()["detail"][0]["loc"][-1] == "pk"


# --------------------------------------------------------------------------- 8. one act, one name


def test_a_programme_pdf_is_logged_as_a_print_through_the_api_and_the_page(
    world: World,
) -> None:
    chain = chain_for(world, "x")
    client = world.client_for("principal_a")
    paths = {
        "api": reverse("api:action_programme_pdf", kwargs={"programme_id": chain.programme.pk}),
        "web": reverse("support:programme_pdf", kwargs={"programme_id": chain.programme.pk}),
    }
    for channel, path in paths.items():
        assert client.get(path).status_code == 200, channel
        event = AccessEvent.objects.order_by("-pk").first()
        assert event is not None
        assert (event.action, event.channel, event.record_id) == (
            AccessAction.PRINT,
            channel,
            str(chain.programme.pk),
        )


# --------------------------------------------------------------------------- 11. odd input


def test_a_nul_character_in_a_text_field_is_422_in_swedish(world: World) -> None:
    """PostgreSQL stores no NUL in text: refused before it reaches the database (runs on both
    databases; on PostgreSQL it was a 500)."""
    response = _post(
        world.client_for("mentor_a"),
        "/api/v1/concerns/",
        {"pupil": str(world.pupils["x"].pk), "description": "Läser\x00 långsamt"},
    )
    assert response.status_code == 422
    error = _errors(response)["description"]
    assert (error["type"], error["msg"]) == (
        "string_nul",
        "Texten får inte innehålla nolltecken (NUL).",
    )
    assert not Concern.objects.exists()


def test_a_lone_surrogate_in_a_text_field_is_422_in_swedish(world: World) -> None:
    response = _post(
        world.client_for("mentor_a"),
        "/api/v1/concerns/",
        {"pupil": str(world.pupils["x"].pk), "description": "Läser\ud800 långsamt"},
    )
    assert response.status_code == 422
    error = _errors(response)["description"]
    assert error["msg"] == "Texten innehåller tecken som inte går att spara."


def test_a_nul_character_in_a_nested_text_is_422(world: World) -> None:
    programme = builders.concluded_programme(world)
    need = programme.needs.get()
    response = _patch(
        world.client_for("special_educator_a"),
        f"/api/v1/action-programmes/{programme.pk}/",
        {
            "version": programme.version,
            "needs": [{"key": "n", "category": need.category, "description": "Läsa\x00"}],
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "string_nul"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("field", ["starts_on", "evaluate_on", "guardian_informed_on"])
def test_extreme_dates_in_the_adaptation_api_are_422_not_500(
    world: World, field: str, day: str
) -> None:
    response = _post(
        world.client_for("mentor_a"),
        "/api/v1/adaptations/",
        {
            "pupil": str(world.pupils["x"].pk),
            "need_description": "Behöver mer tid.",
            "measure": "Inlästa läromedel",
            field: day,
        },
    )
    assert response.status_code == 422, response.content
    error = _errors(response)[field]
    assert (error["type"], error["msg"]) == (
        "date_out_of_range",
        "Ange ett datum mellan 1900-01-01 och 2199-12-31.",
    )
    assert not Adaptation.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_extreme_dates_in_an_adaptation_evaluation_are_422_not_500(world: World, day: str) -> None:
    adaptation = builders.adaptation(world)
    response = _post(
        world.client_for("mentor_a"),
        f"/api/v1/adaptations/{adaptation.pk}/evaluations/",
        {"effect": "partly", "next_step": "continue", "next_evaluation_on": day},
    )
    assert response.status_code == 422, response.content
    assert _errors(response)["next_evaluation_on"]["type"] == "date_out_of_range"


def test_an_unexpected_error_answers_json_500_and_logs_no_data(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    quoted = "".join(("Kanarie", "qx"))  # as a database error quotes the value it refused

    def broken(**_kwargs: Any) -> Concern:
        raise RuntimeError(quoted)

    monkeypatch.setattr(services, "concern_create", broken)
    with caplog.at_level(logging.ERROR, logger="elevstod.api.support"):
        response = _post(
            world.client_for("mentor_a"),
            "/api/v1/concerns/",
            {"pupil": str(world.pupils["x"].pk), "description": "Oro"},
        )
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "code": "server_error",
        "message": "Ett oväntat fel inträffade. Försök igen senare.",
    }
    assert "RuntimeError" in caplog.text
    assert quoted not in caplog.text


def test_a_missing_record_answers_json_404_with_a_code(world: World) -> None:
    response = world.client_for("principal_a").get(f"/api/v1/decisions/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message"}
    assert response.json()["code"] == "not_found"


# --------------------------------------------------------------------------- 15. timing


@pytest.mark.parametrize("endpoint", ["pupils", "action-programmes", "decisions"])
def test_a_forbidden_and_a_missing_id_run_the_same_queries(world: World, endpoint: str) -> None:
    """Not a timing assertion: the two paths do the same work, statement for statement, so
    that the answer's time does not tell a forbidden record from a missing one (item 15)."""
    chain = chain_for(world, "x")
    forbidden = {
        "pupils": world.pupils["x"].pk,
        "action-programmes": chain.programme.pk,
        "decisions": chain.decision.pk,
    }[endpoint]
    client = world.client_for("teacher_b")  # unit B; pupil x is at unit A
    client.get("/api/v1/schools/")  # the first request after sign-in may refresh the session
    shapes = {}
    for name, record_id in (("forbidden", forbidden), ("missing", uuid.uuid4())):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/{endpoint}/{record_id}/").status_code == 404
        shapes[name] = query_shapes.shapes(queries.captured_queries)
    assert shapes["forbidden"] == shapes["missing"]


def test_an_allowed_record_still_has_its_lists(world: World) -> None:
    """The door loads the record's lists only once it is allowed: they are still there."""
    chain = chain_for(world, "x")
    path = f"/api/v1/action-programmes/{chain.programme.pk}/"
    response = world.client_for("principal_a").get(path)
    assert response.status_code == 200
    assert response.json()["measures"], response.json()
    assert response.json()["needs"]


def test_every_act_has_a_rule_with_a_message_and_a_paragraph() -> None:
    incomplete = [
        act
        for act in SupportAct
        if not all(astuple(ACT_RULES[act])[:3])  # rule, message, paragraph
    ]
    assert incomplete == []


def test_the_adaptation_and_the_evaluation_api_still_accept_ordinary_dates(world: World) -> None:
    today = builders.today()
    response = _post(
        world.client_for("mentor_a"),
        "/api/v1/adaptations/",
        {
            "pupil": str(world.pupils["x"].pk),
            "need_description": "Behöver mer tid.",
            "measure": "Inlästa läromedel",
            "starts_on": today.isoformat(),
            "evaluate_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["evaluate_on"] == (today + timedelta(days=30)).isoformat()
