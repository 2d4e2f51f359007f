"""API v1 for the support chain: the same policy, services and access log as the pages.

The chain fixture is built through the services (as elevstod/support/tests/test_services.py
does); `test_the_whole_chain_through_the_api` then walks a second case through HTTP only.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from elevstod.accounts.services import api_token_create
from elevstod.audit.models import AccessAction, AccessEvent, AccessOutcome
from elevstod.organisation.models import Delegation
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    Appeal,
    ChainEvent,
    Concern,
    Decision,
    FollowUp,
    Investigation,
    Referral,
)
from elevstod.support.tests import builders
from elevstod.support.tests.builders import today as _today
from tests.world import CANARIES, PERSONAS, VISIBLE, World

pytestmark = pytest.mark.django_db

RESOURCES = (
    "concerns",
    "adaptations",
    "referrals",
    "investigations",
    "decisions",
    "action-programmes",
    "follow-ups",
    "appeals",
)


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def _patch(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.patch(path, json.dumps(body), content_type="application/json")


# --------------------------------------------------------------------------- the chain


@dataclass
class Chain:
    concern: Concern
    adaptation: Adaptation
    referral: Referral
    investigation: Investigation
    programme: ActionProgramme
    decision: Decision
    follow_up: FollowUp
    appeal: Appeal

    def record(self, resource: str) -> Any:
        return {
            "concerns": self.concern,
            "adaptations": self.adaptation,
            "referrals": self.referral,
            "investigations": self.investigation,
            "decisions": self.decision,
            "action-programmes": self.programme,
            "follow-ups": self.follow_up,
            "appeals": self.appeal,
        }[resource]


def _programme_ready(world: World, programme: ActionProgramme, **measure: Any) -> None:
    need = programme.needs.get()
    users = world.users
    services.programme_save(
        actor=users["special_educator_a"],
        programme=programme,
        expected_version=programme.version,
        values={
            "pupil_participation_offered": True,
            "guardian_participation_offered": True,
            "follow_up_on": _today() + timedelta(days=30),
            "follow_up_responsible_id": users["special_educator_a"].pk,
            "evaluation_on": _today() + timedelta(days=60),
            "evaluation_responsible_id": users["special_educator_a"].pk,
        },
        needs=[services.NeedInput(str(need.pk), need.category, need.description)],
        measures=[
            services.MeasureInput(
                need_key=str(need.pk),
                description="Läsfixare två gånger i veckan",
                responsible_id=users["teacher_a"].pk,
                extent="2 × 20 minuter i veckan",
                **measure,
            )
        ],
        today=_today(),
    )
    programme.refresh_from_db()


def _concluded_programme(world: World, **measure: Any) -> tuple[Referral, Investigation, Any]:
    users, x, unit = world.users, world.pupils["x"], world.units["a"].pk
    referral = services.referral_create(
        actor=users["mentor_a"],
        pupil=x,
        school_unit_id=unit,
        ground=wf.ReferralGround.OTHER_DIFFICULTIES,
        description="Svårt att komma igång med skrivuppgifter.",
        today=_today(),
    )
    services.referral_receive(actor=users["principal_a"], referral=referral, today=_today())
    investigation = services.investigation_open(
        actor=users["principal_a"],
        referral=referral,
        investigator_ids=[users["special_educator_a"].pk],
        target_on=_today() + timedelta(days=30),
        today=_today(),
    )
    services.investigation_save(
        actor=users["special_educator_a"],
        investigation=investigation,
        expected_version=investigation.version,
        values={
            "individual_level": "Eleven läser långsamt men förstår texten.",
            "pupil_view": "Jag vill ha mer tid.",
            "guardian_view": "Läxorna tar lång tid.",
            "eht_consulted": True,
            "eht_consultation": "Specialpedagogen har deltagit.",
            "special_support_needed": True,
        },
        needs=[(wf.NeedCategory.READING_WRITING, "Stöd i läsförståelse")],
        today=_today(),
    )
    investigation.refresh_from_db()
    programme = services.investigation_conclude(
        actor=users["special_educator_a"], investigation=investigation, today=_today()
    )
    assert programme is not None
    _programme_ready(world, programme, **measure)
    return referral, investigation, programme


@pytest.fixture
def chain(world: World) -> Chain:
    users, x, unit = world.users, world.pupils["x"], world.units["a"].pk
    concern = services.concern_create(
        actor=users["mentor_a"],
        pupil=x,
        school_unit_id=unit,
        source=wf.ConcernSource.TEACHING,
        description="Läser långsamt.",
        today=_today(),
    )
    adaptation = services.adaptation_create(
        actor=users["mentor_a"],
        pupil=x,
        school_unit_id=unit,
        values={
            "need_categories": [wf.NeedCategory.READING_WRITING],
            "need_description": "Behöver mer tid för läsning.",
            "measure": "Inlästa läromedel",
            "responsible_id": users["teacher_a"].pk,
            "starts_on": _today(),
            "evaluate_on": _today() + timedelta(days=42),
        },
        concern=concern,
        today=_today(),
    )
    referral, investigation, programme = _concluded_programme(world)
    decision = services.decide_programme(
        actor=users["principal_a"],
        programme=programme,
        statement_of_reasons="Utredningen visar behov av särskilt stöd i läsförståelse.",
        today=_today(),
    )
    programme.refresh_from_db()
    follow_up = builders.follow_up(world, programme, values={"summary": "Åtgärden genomförs."})
    appeal = services.appeal_register(
        actor=users["principal_a"],
        decision=decision,
        service=decision.services.get(recipient_kind="guardian"),
        appellant_name="Vårdnadshavare",
        lodged_on=_today(),
        content="Vi vill ha enskild undervisning.",
        today=_today(),
    )
    return Chain(
        concern, adaptation, referral, investigation, programme, decision, follow_up, appeal
    )


# --------------------------------------------------------------------------- the document


def test_openapi_document_lists_every_support_path(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for resource in RESOURCES:
        assert f"/api/v1/{resource}/" in paths, resource
        details = [p for p in paths if p.startswith(f"/api/v1/{resource}/{{") and p.endswith("}/")]
        assert details, resource
    pdf = paths["/api/v1/action-programmes/{programme_id}/pdf"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]
    decide = paths["/api/v1/action-programmes/{programme_id}/decision"]["post"]
    assert {"201", "403", "404", "409", "422"} <= set(decide["responses"])
    for write in (
        "/api/v1/referrals/{referral_id}/receipt",
        "/api/v1/investigations/{investigation_id}/conclusion",
        "/api/v1/investigations/{investigation_id}/no-programme-decision",
        "/api/v1/action-programmes/{programme_id}/closure",
        "/api/v1/decisions/{decision_id}/services/{service_id}/receipt",
        "/api/v1/appeals/{appeal_id}/handling",
    ):
        assert "post" in paths[write], write
    assert "patch" in paths["/api/v1/investigations/{investigation_id}/"]
    for resource in ("concerns", "adaptations", "referrals", "investigations", "follow-ups"):
        assert "post" in paths[f"/api/v1/{resource}/"], resource


def test_anonymous_gets_401_on_support_resources(client: Client) -> None:
    for resource in RESOURCES:
        assert client.get(f"/api/v1/{resource}/").status_code == 401


# --------------------------------------------------------------------------- reads

# Who sees which of x's records, by hand from policy.SUPPORT_VIEWERS and tests/world.py:
# teacher_a teaches x (adaptations, programmes, follow-ups); teacher_b has no relation to x.
TEACHER_SEES = {"adaptations", "action-programmes", "follow-ups"}


@pytest.mark.parametrize("resource", RESOURCES)
def test_list_and_detail_for_an_allowed_caller_are_logged(
    world: World, chain: Chain, resource: str
) -> None:
    record = chain.record(resource)
    client = world.client_for("principal_a")
    before = AccessEvent.objects.count()
    body = client.get(f"/api/v1/{resource}/", {"pupil_id": str(world.pupils["x"].pk)}).json()
    assert str(record.pk) in {item["id"] for item in body["items"]}
    listed = AccessEvent.objects.order_by("-pk").first()
    assert listed is not None
    assert (listed.action, listed.channel) == (AccessAction.LIST, "api")
    assert AccessEvent.objects.count() == before + 1  # once per page

    response = client.get(f"/api/v1/{resource}/{record.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == str(record.pk)
    assert response.json()["pupil"]["last_name"] == CANARIES["x"]
    read = AccessEvent.objects.order_by("-pk").first()
    assert read is not None
    assert (read.action, read.outcome, read.channel) == (
        AccessAction.VIEW,
        AccessOutcome.ALLOWED,
        "api",
    )
    assert (read.record_id, read.pupil_id) == (str(record.pk), world.pupils["x"].pk)


@pytest.mark.parametrize("resource", RESOURCES)
def test_refused_caller_gets_404_logged_as_denied_and_an_empty_list(
    world: World, chain: Chain, resource: str
) -> None:
    record = chain.record(resource)
    for persona in ("teacher_b", "guardian_y", "principal_b"):
        client = world.client_for(persona)
        response = client.get(f"/api/v1/{resource}/{record.pk}/")
        assert response.status_code == 404, persona
        assert CANARIES["x"] not in response.content.decode()
        denied = AccessEvent.objects.order_by("-pk").first()
        assert denied is not None
        assert (denied.outcome, denied.record_id, denied.channel) == (
            AccessOutcome.DENIED,
            str(record.pk),
            "api",
        )
        listing = client.get(f"/api/v1/{resource}/", {"pupil_id": str(world.pupils["x"].pk)})
        assert listing.json()["count"] == 0
        assert CANARIES["x"] not in listing.content.decode()


@pytest.mark.parametrize("resource", RESOURCES)
def test_teacher_sees_only_what_concerns_the_teaching(
    world: World, chain: Chain, resource: str
) -> None:
    response = world.client_for("teacher_a").get(f"/api/v1/{resource}/{chain.record(resource).pk}/")
    assert response.status_code == (200 if resource in TEACHER_SEES else 404)


def test_every_personas_lists_are_the_records_whose_detail_they_may_open(
    world: World, chain: Chain
) -> None:
    """The lists are the twins of the detail check (elevstod.access.records)."""
    draft = services.programme_start_revision(
        actor=world.users["special_educator_a"],
        programme=chain.programme,
        reason="Nya behov",
        today=_today(),
    )
    records = {resource: [chain.record(resource).pk] for resource in RESOURCES}
    records["action-programmes"].append(draft.pk)
    mismatches = []
    for persona in PERSONAS:
        if persona == "anonymous":
            continue
        client = world.client_for(persona)
        for resource, ids in records.items():
            listed = {
                item["id"]
                for item in client.get(f"/api/v1/{resource}/", {"limit": 100}).json()["items"]
            }
            opened = {
                str(pk) for pk in ids if client.get(f"/api/v1/{resource}/{pk}/").status_code == 200
            }
            if listed != opened:
                mismatches.append((persona, resource, listed, opened))
            if "x" not in VISIBLE[persona]:
                assert not opened, (persona, resource)
    assert mismatches == []


def test_family_never_sees_a_programme_draft(world: World, chain: Chain) -> None:
    draft = services.programme_start_revision(
        actor=world.users["special_educator_a"],
        programme=chain.programme,
        reason="Nya behov",
        today=_today(),
    )
    client = world.client_for("guardian_x")
    assert client.get(f"/api/v1/action-programmes/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/action-programmes/{chain.programme.pk}/").status_code == 200


def test_list_query_count_does_not_grow_with_rows(
    world: World, chain: Chain, django_assert_num_queries: Any
) -> None:
    client = world.client_for("principal_a")
    path = "/api/v1/adaptations/"
    client.get(path)  # the first request of a session does its own one-off work
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).json()["count"] == 1
    for index in range(12):
        services.adaptation_create(
            actor=world.users["mentor_a"],
            pupil=world.pupils["x" if index % 2 else "w"],
            school_unit_id=world.units["a"].pk,
            values={
                "need_categories": [wf.NeedCategory.MATHEMATICS],
                "need_description": f"Behov {index}",
                "measure": f"Åtgärd {index}",
                "responsible_id": world.users["mentor_a"].pk,
                "starts_on": _today(),
                "evaluate_on": _today() + timedelta(days=30),
            },
            today=_today(),
        )
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(path).json()["count"] == 13


@pytest.mark.parametrize(
    "resource", ["investigations", "follow-ups", "decisions", "action-programmes"]
)
def test_prefetching_lists_keep_a_constant_query_count(
    world: World, chain: Chain, resource: str, django_assert_num_queries: Any
) -> None:
    client = world.client_for("principal_a")
    client.get(f"/api/v1/{resource}/")  # the first request of a session does one-off work
    with CaptureQueriesContext(connection) as one:
        client.get(f"/api/v1/{resource}/")
    _referral, _investigation, programme = _concluded_programme(world)
    services.decide_programme(
        actor=world.users["principal_a"],
        programme=programme,
        statement_of_reasons="Behov av särskilt stöd.",
        today=_today(),
    )
    programme.refresh_from_db()
    builders.follow_up(
        world,
        programme,
        carried_out=wf.CarriedOut.PARTLY,
        effect=wf.MeasureEffect.NO_PROGRESS,
        next_in_days=20,
    )
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(f"/api/v1/{resource}/").json()["count"] >= 2


# --------------------------------------------------------------------------- the PDF


def test_programme_pdf_is_a_pdf_and_its_print_is_logged(world: World, chain: Chain) -> None:
    response = world.client_for("principal_a").get(
        f"/api/v1/action-programmes/{chain.programme.pk}/pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert CANARIES["x"] not in response["Content-Disposition"]
    event = AccessEvent.objects.order_by("-pk").first()
    assert event is not None
    assert (event.action, event.outcome, event.channel, event.record_id) == (
        AccessAction.PRINT,
        AccessOutcome.ALLOWED,
        "api",
        str(chain.programme.pk),
    )


def test_programme_pdf_is_404_for_unrelated_staff_and_logged(world: World, chain: Chain) -> None:
    response = world.client_for("teacher_b").get(
        f"/api/v1/action-programmes/{chain.programme.pk}/pdf"
    )
    assert response.status_code == 404
    event = AccessEvent.objects.order_by("-pk").first()
    assert event is not None
    assert (event.action, event.outcome) == (AccessAction.PRINT, AccessOutcome.DENIED)


# --------------------------------------------------------------------------- writes


def test_the_whole_chain_through_the_api(world: World) -> None:
    x = str(world.pupils["x"].pk)
    users = world.users
    mentor = world.client_for("mentor_a")
    principal = world.client_for("principal_a")
    educator = world.client_for("special_educator_a")
    events_before = ChainEvent.objects.count()

    concern = _post(mentor, "/api/v1/concerns/", {"pupil": x, "description": "Läser långsamt."})
    assert concern.status_code == 201, concern.json()
    adaptation = _post(
        mentor,
        "/api/v1/adaptations/",
        {
            "pupil": x,
            "concern": concern.json()["id"],
            "need_categories": ["reading_writing"],
            "need_description": "Behöver mer tid.",
            "measure": "Inlästa läromedel",
        },
    )
    assert adaptation.status_code == 201, adaptation.json()
    assert adaptation.json()["responsible"]["id"] == str(users["mentor_a"].pk)
    adaptation_id = adaptation.json()["id"]
    evaluated = _post(
        mentor,
        f"/api/v1/adaptations/{adaptation_id}/evaluations/",
        {"effect": "not_sufficient", "next_step": "refer", "pupil_view": "Det hjälper inte."},
    )
    assert evaluated.status_code == 201, evaluated.json()
    # Extra adaptations continue while the need is investigated: only "end" ends them.
    assert evaluated.json()["state"] == wf.AdaptationState.ACTIVE

    referral = _post(
        mentor,
        "/api/v1/referrals/",
        {
            "pupil": x,
            "ground": "despite_adaptations",
            "description": "Risken kvarstår trots extra anpassningar.",
            "adaptations": [adaptation_id],
            "concern": concern.json()["id"],
        },
    )
    assert referral.status_code == 201, referral.json()
    referral_id = referral.json()["id"]
    received = _post(principal, f"/api/v1/referrals/{referral_id}/receipt")
    assert received.status_code == 200, received.json()
    assert received.json()["received_by"]["id"] == str(users["principal_a"].pk)

    opened = _post(
        principal,
        "/api/v1/investigations/",
        {
            "referral": referral_id,
            "investigators": [str(users["special_educator_a"].pk)],
            "target_on": str(_today() + timedelta(days=30)),
        },
    )
    assert opened.status_code == 201, opened.json()
    investigation_id = opened.json()["id"]
    assert "Inlästa läromedel" in opened.json()["adaptations_effect"]
    saved = _patch(
        educator,
        f"/api/v1/investigations/{investigation_id}/",
        {
            "version": opened.json()["version"],
            "individual_level": "Eleven läser långsamt.",
            "pupil_view": "Jag vill ha mer tid.",
            "guardian_view": "Läxorna tar lång tid.",
            "eht_consulted": True,
            "eht_consultation": "Kuratorn har deltagit.",
            "special_support_needed": True,
            "needs": [{"category": "reading_writing", "description": "Stöd i läsförståelse"}],
        },
    )
    assert saved.status_code == 200, saved.json()
    assert [n["description"] for n in saved.json()["needs"]] == ["Stöd i läsförståelse"]
    concluded = _post(educator, f"/api/v1/investigations/{investigation_id}/conclusion")
    assert concluded.status_code == 200, concluded.json()
    programme_id = concluded.json()["programme_id"]
    assert concluded.json()["investigation"]["state"] == "assessed"

    draft = educator.get(f"/api/v1/action-programmes/{programme_id}/").json()
    need_id = draft["needs"][0]["id"]
    edited = _patch(
        educator,
        f"/api/v1/action-programmes/{programme_id}/",
        {
            "version": draft["version"],
            "pupil_participation_offered": True,
            "guardian_participation_offered": True,
            "follow_up_on": str(_today() + timedelta(days=30)),
            "follow_up_responsible": str(users["special_educator_a"].pk),
            "evaluation_on": str(_today() + timedelta(days=60)),
            "evaluation_responsible": str(users["special_educator_a"].pk),
            "measures": [
                {
                    "need_key": need_id,
                    "description": "Läsfixare två gånger i veckan",
                    "responsible": str(users["teacher_a"].pk),
                    "extent": "2 × 20 minuter",
                }
            ],
        },
    )
    assert edited.status_code == 200, edited.json()
    assert [m["description"] for m in edited.json()["measures"]] == [
        "Läsfixare två gånger i veckan"
    ]
    decided = _post(
        principal,
        f"/api/v1/action-programmes/{programme_id}/decision",
        {"statement_of_reasons": "Utredningen visar behov av särskilt stöd."},
    )
    assert decided.status_code == 201, decided.json()
    decision = decided.json()
    assert decision["kind"] == wf.DecisionKind.ACTION_PROGRAMME

    guardian_service = next(
        row for row in decision["services"] if row["recipient_kind"] == "guardian"
    )
    confirmed = _post(
        world.client_for("guardian_x"),
        f"/api/v1/decisions/{decision['id']}/services/{guardian_service['id']}/receipt",
    )
    assert confirmed.status_code == 200, confirmed.json()
    served = next(
        row for row in confirmed.json()["services"] if row["id"] == guardian_service["id"]
    )
    assert served["received_on"] == str(_today())
    assert served["appeal_deadline"] is not None

    measure_id = edited.json()["measures"][0]["id"]
    evaluation = _post(
        educator,
        "/api/v1/follow-ups/",
        {
            "programme": programme_id,
            "kind": "evaluation",
            "outcome": "close",
            "reviews": [{"measure": measure_id, "carried_out": "yes", "effect": "need_met"}],
            "summary": "Behovet är tillgodosett.",
        },
    )
    assert evaluation.status_code == 201, evaluation.json()
    appeal = _post(
        principal,
        "/api/v1/appeals/",
        {
            "decision": decision["id"],
            "service": guardian_service["id"],
            "appellant_name": guardian_service["recipient_name"],
            "lodged_on": str(_today()),
            "content": "Vi vill ha mer stöd.",
        },
    )
    assert appeal.status_code == 201, appeal.json()
    assert appeal.json()["is_timely"] is True
    forwarded = _post(
        principal, f"/api/v1/appeals/{appeal.json()['id']}/handling", {"action": "forward"}
    )
    assert forwarded.status_code == 200, forwarded.json()
    assert forwarded.json()["state"] == wf.AppealState.FORWARDED

    closed = _post(
        principal,
        f"/api/v1/action-programmes/{programme_id}/closure",
        {"statement_of_reasons": "Utvärderingen visar att behovet är tillgodosett."},
    )
    assert closed.status_code == 201, closed.json()
    assert principal.get(f"/api/v1/referrals/{referral_id}/").json()["state"] == (
        wf.CaseState.CLOSED
    )
    # Every step left its attribution, from the API channel.
    assert ChainEvent.objects.count() - events_before >= 14
    writes = AccessEvent.objects.filter(
        action__in=[AccessAction.CREATE, AccessAction.UPDATE], outcome=AccessOutcome.ALLOWED
    )
    assert set(writes.values_list("channel", flat=True)) == {"api"}


def test_delegate_deciding_a_reserved_setting_gets_403_citing_3_kap_9(world: World) -> None:
    Delegation.objects.create(
        school_unit=world.units["a"],
        delegated_by=world.users["principal_a"],
        delegate=world.users["special_educator_a"],
        decision_type=wf.DecisionKind.ACTION_PROGRAMME,
        valid_from=_today() - timedelta(days=1),
        valid_until=_today() + timedelta(days=100),
    )
    _referral, _investigation, programme = _concluded_programme(
        world,
        setting=wf.MeasureSetting.SPECIAL_TEACHING_GROUP,
        special_reasons="Eleven behöver en lugn miljö under en period.",
    )
    response = _post(
        world.client_for("special_educator_a"),
        f"/api/v1/action-programmes/{programme.pk}/decision",
        {"statement_of_reasons": "Behov av särskild undervisningsgrupp."},
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "decision.reserved_for_principal"
    assert "3 kap. 9 §" in body["paragraph"]
    assert "3 kap. 9 §" in body["message"]
    assert "rektorn" in body["message"]
    assert not Decision.objects.filter(programme=programme).exists()


def test_stale_version_gets_409_edit_conflict_with_the_current_version(world: World) -> None:
    _referral, investigation, _programme = _concluded_programme(world)
    investigation.refresh_from_db()
    # A programme draft exists; the investigation is assessed but still open for text.
    client = world.client_for("special_educator_a")
    path = f"/api/v1/investigations/{investigation.pk}/"
    first = _patch(client, path, {"version": investigation.version, "cause_analysis": "Första."})
    assert first.status_code == 200, first.json()
    stale = _patch(client, path, {"version": investigation.version, "cause_analysis": "Andra."})
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "edit_conflict"
    assert body["version"] == first.json()["version"]
    assert body["conflicts"] == [{"field": "cause_analysis", "theirs": "Första.", "mine": "Andra."}]
    assert body["message"]


def test_invalid_input_gets_422_in_swedish(world: World) -> None:
    client = world.client_for("mentor_a")
    response = _post(client, "/api/v1/concerns/", {"pupil": "inte-ett-id", "source": "rykte"})
    assert response.status_code == 422
    messages = {tuple(e["loc"])[-1]: e["msg"] for e in response.json()["detail"]}
    assert messages["pupil"] == "Ange ett giltigt id (UUID)."
    assert messages["description"] == "Fältet krävs."
    assert messages["source"].startswith("Välj ett av de tillåtna värdena")
    blank = _post(
        client, "/api/v1/concerns/", {"pupil": str(world.pupils["x"].pk), "description": "  "}
    )
    assert blank.status_code == 422
    assert blank.json()["detail"][0]["msg"] == "Fältet får inte vara tomt."


def test_responsible_must_be_staff_at_the_unit(world: World) -> None:
    response = _post(
        world.client_for("mentor_a"),
        "/api/v1/adaptations/",
        {
            "pupil": str(world.pupils["x"].pk),
            "need_description": "Behov",
            "measure": "Åtgärd",
            "responsible": str(world.users["teacher_b"].pk),
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "responsible"
    assert not Adaptation.objects.exists()


def test_staff_who_may_see_but_not_act_get_403_logged_as_denied(world: World, chain: Chain) -> None:
    referral = builders.referral(world)  # mentor_a reports about pupil x
    response = _post(world.client_for("mentor_a"), f"/api/v1/referrals/{referral.pk}/receipt")
    assert response.status_code == 403
    assert response.json()["code"] == "act.principal_receives_referral"
    assert response.json()["paragraph"] == "3 kap. 7 § skollagen"
    event = AccessEvent.objects.order_by("-pk").first()
    assert event is not None
    assert (event.outcome, event.record_id) == (AccessOutcome.DENIED, str(referral.pk))
    referral.refresh_from_db()
    assert referral.received_at is None


def test_writes_on_a_record_the_caller_may_not_see_are_404(world: World, chain: Chain) -> None:
    client = world.client_for("teacher_b")
    assert _post(client, f"/api/v1/referrals/{chain.referral.pk}/receipt").status_code == 404
    response = _post(
        client,
        f"/api/v1/action-programmes/{chain.programme.pk}/closure",
        {"statement_of_reasons": "Avslut"},
    )
    assert response.status_code == 404
    response = _post(
        client, "/api/v1/concerns/", {"pupil": str(world.pupils["x"].pk), "description": "Oro"}
    )
    assert response.status_code == 404
    assert not Concern.objects.exclude(pk=chain.concern.pk).exists()


def test_guardian_submits_a_concern_of_their_own(world: World) -> None:
    response = _post(
        world.client_for("guardian_x"),
        "/api/v1/concerns/",
        {"pupil": str(world.pupils["x"].pk), "source": "teaching", "description": "Orolig."},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["source"] == wf.ConcernSource.PUPIL_OR_GUARDIAN
    assert response.json()["raised_by_kind"] == "guardian"


def test_guardian_cannot_confirm_the_pupils_receipt(world: World, chain: Chain) -> None:
    pupil_row = chain.decision.services.get(recipient_kind="pupil")
    response = _post(
        world.client_for("guardian_x"),
        f"/api/v1/decisions/{chain.decision.pk}/services/{pupil_row.pk}/receipt",
    )
    assert response.status_code == 403
    pupil_row.refresh_from_db()
    assert pupil_row.received_on is None


def test_a_token_caller_reads_and_is_logged_with_the_token_channel(
    world: World, chain: Chain
) -> None:
    raw = api_token_create(user=world.users["principal_a"], name="Integration")
    client = Client()
    response = client.get("/api/v1/decisions/", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["count"] == 1
    event = AccessEvent.objects.order_by("-pk").first()
    assert event is not None
    assert (event.action, event.channel) == (AccessAction.LIST, "api-token")


def test_a_teacher_named_on_a_measure_may_not_edit_or_decide_the_programme(
    world: World, chain: Chain
) -> None:
    """Being responsible for a measure lets a teacher record its follow-up, nothing more: the
    API asks policy.can_act exactly as the pages do (drafting and deciding are the school's
    leadership's, SL 2 kap. 10 §, 3 kap. 9 §)."""
    draft = services.programme_start_revision(
        actor=world.users["principal_a"],
        programme=chain.programme,
        reason="Ny kartläggning.",
        today=_today(),
    )
    teacher = world.client_for("teacher_a")
    edited = _patch(teacher, f"/api/v1/action-programmes/{draft.pk}/", {"version": draft.version})
    decided = _post(
        teacher,
        f"/api/v1/action-programmes/{draft.pk}/decision",
        {"statement_of_reasons": "Läraren beslutar."},
    )
    assert edited.status_code in (403, 404)
    assert decided.status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.state == wf.ProgrammeState.DRAFT
    assert not Decision.objects.filter(programme=draft).exists()
