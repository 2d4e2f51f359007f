"""The chain end to end through the services: each step's rule, its audit rows, its refusals."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.organisation.models import Delegation
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    Appeal,
    ChainEvent,
    Decision,
    DecisionService,
    Investigation,
    Referral,
)
from elevstod.support.tests import builders as b
from elevstod.support.tests.builders import NEED, refused, today
from tests.world import World

pytestmark = pytest.mark.django_db


def test_the_whole_chain_from_concern_to_closed_programme(world: World) -> None:
    mentor, principal = world.users["mentor_a"], world.users["principal_a"]
    concern = services.concern_create(
        actor=world.users["teacher_a"],
        pupil=world.pupils["x"],
        school_unit_id=world.units["a"].pk,
        source=wf.ConcernSource.NATIONAL_ASSESSMENT,
        description="Läsförståelsen ligger under det förväntade.",
        today=today(),
    )
    adaptation = b.adaptation(
        world, concern=concern, measure="Tydlig struktur och uppdelade uppgifter"
    )
    b.evaluate(
        world,
        adaptation,
        wf.AdaptationEffect.NOT_SUFFICIENT,
        wf.AdaptationNextStep.REFER,
        pupil_view="Det hjälper lite.",
    )
    # Extra adaptations continue while the need is investigated: only "end" ends them.
    assert adaptation.state == wf.AdaptationState.ACTIVE
    referral = b.referral(
        world, ground=wf.ReferralGround.DESPITE_ADAPTATIONS, adaptations=[adaptation]
    )
    services.referral_receive(actor=principal, referral=referral, today=today())
    investigation = services.investigation_open(
        actor=principal,
        referral=referral,
        investigator_ids=[world.users["special_educator_a"].pk],
        target_on=today() + timedelta(days=30),
        today=today(),
    )
    # The mapping starts from the adaptations the report names.
    assert "Tydlig struktur" in investigation.adaptations_effect
    b.save(
        world,
        investigation,
        {
            "individual_level": "…",
            "eht_consulted": True,
            "eht_consultation": "Kurator: inget socialt hinder.",
            "special_support_needed": True,
        },
        needs=[(NEED, "Stöd i läsning")],
        persona="special_educator_a",
    )
    investigation.refresh_from_db()
    programme = b.conclude(world, investigation)
    assert programme is not None
    assert [n.description for n in programme.needs.all()] == ["Stöd i läsning"]
    b.fill_programme(world, programme)
    decision = b.decide_programme(world, programme, statement_of_reasons="Utredningen visar…")
    referral.refresh_from_db()
    assert referral.state == wf.CaseState.PROGRAMME_ACTIVE
    assert programme.state == wf.ProgrammeState.IN_FORCE
    assert "Skolväsendets överklagandenämnd" in decision.appeal_instructions
    # One service row per guardian with custody, and one for the pupil.
    recipients = sorted(decision.services.values_list("recipient_kind", flat=True))
    assert recipients == ["guardian", "pupil"]
    with refused("programme.decided_is_locked"):
        services.programme_save(
            actor=principal,
            programme=programme,
            expected_version=programme.version,
            values={},
            needs=[],
            measures=[],
            today=today(),
        )

    b.evaluate_programme(
        world,
        programme,
        wf.FollowUpOutcome.REVISE,
        effect=wf.MeasureEffect.SOME_PROGRESS,
        actor=mentor,
        values={"summary": "Mer tid behövs", "pupil_view": "Bra med inläsning."},
    )
    revision = ActionProgramme.objects.get(previous=programme)
    assert revision.number == 2
    assert revision.state == wf.ProgrammeState.DRAFT
    # A revision is a new programme: participation is offered anew before it is decided.
    with refused("programme.participation_not_offered"):
        b.decide_programme(world, revision, statement_of_reasons="Reviderat.")
    b.fill_programme(world, revision)
    b.decide_programme(world, revision, statement_of_reasons="Reviderat.")
    programme.refresh_from_db()
    revision.refresh_from_db()
    assert programme.state == wf.ProgrammeState.SUPERSEDED
    assert revision.state == wf.ProgrammeState.IN_FORCE

    b.evaluate_programme(
        world, revision, wf.FollowUpOutcome.CLOSE, effect=wf.MeasureEffect.NEED_MET
    )
    services.decide_closure(
        actor=principal, programme=revision, statement_of_reasons="Målen nådda.", today=today()
    )
    referral.refresh_from_db()
    assert referral.state == wf.CaseState.CLOSED
    verbs = list(
        ChainEvent.objects.filter(pupil=world.pupils["x"])
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs[:4] == [
        "concern.created",
        "adaptation.created",
        "adaptation.evaluated",
        "referral.created",
    ]
    assert verbs.count("decision.made") == 3
    # Every change is attributable in the access log too, with the pupil and the unit.
    writes = AccessEvent.objects.filter(
        pupil_id=world.pupils["x"].pk, action__in=[AccessAction.CREATE, AccessAction.UPDATE]
    )
    assert writes.count() == len(verbs)
    assert not writes.filter(school_unit__isnull=True).exists()


def test_investigation_cannot_close_without_a_decision() -> None:
    refusal = wf.case_transition(wf.CaseState.INVESTIGATING, wf.CaseAction.CLOSE_INVESTIGATION)
    assert isinstance(refusal, wf.Refused)
    assert "3 kap. 9 §" in refusal.paragraph


def test_no_programme_decision_by_delegate_then_a_late_appeal_is_dismissed(world: World) -> None:
    investigation = b.investigation(world, needed=False)
    b.conclude(world, investigation)
    # The world's delegation covers "no action programme" for the special educator.
    decision = b.decide_no_programme(
        world,
        investigation,
        persona="special_educator_a",
        instead="Fortsatta extra anpassningar i svenska.",
    )
    assert decision.delegation == world.delegation
    assert decision.decided_by_title == "Specialpedagog"
    investigation.refresh_from_db()
    assert investigation.closed_on == today()
    assert Referral.objects.get(pk=investigation.referral_id).state == wf.CaseState.NO_PROGRAMME

    received = today() - timedelta(days=40)
    Decision.objects.filter(pk=decision.pk).update(decided_on=received)
    decision.refresh_from_db()
    guardian_row = b.serve(world, b.guardian_row(decision), received)
    assert guardian_row.appeal_deadline is not None
    assert guardian_row.appeal_deadline >= received + timedelta(weeks=3)
    appeal = b.register_appeal(
        world, decision, guardian_row, content="Vi anser att hon behöver särskilt stöd."
    )
    assert appeal.is_timely is False
    with refused("appeal.late"):
        b.handle_appeal(world, appeal, wf.AppealAction.FORWARD)
    b.handle_appeal(world, appeal, wf.AppealAction.DISMISS_AS_LATE, note="Kom in efter sista dag.")
    assert Appeal.objects.get(pk=appeal.pk).state == wf.AppealState.DISMISSED_LATE


def test_a_timely_appeal_is_forwarded_and_its_outcome_recorded(world: World) -> None:
    decision = b.decide_no_programme(
        world,
        b.investigation(world, needed=False),
        statement_of_reasons="Inget behov.",
        instead="Ledning och stimulans.",
    )
    row = b.guardian_row(decision)
    services.service_confirm_receipt(actor=world.users["guardian_x"], service=row, today=today())
    assert row.method == "confirmed_in_app"
    appeal = b.register_appeal(world, decision, row)
    assert appeal.is_timely
    appeal = b.handle_appeal(
        world, appeal, wf.AppealAction.FORWARD, wf.AppealAction.RECORD_BOARD_UPHELD
    )
    assert appeal.state == wf.AppealState.BOARD_UPHELD
    assert appeal.forwarded_on == today()


def test_no_programme_is_refused_when_the_assessment_found_a_need(world: World) -> None:
    investigation = b.investigation(world, needed=True)
    with refused("decision.support_needed"):
        b.decide_no_programme(world, investigation, statement_of_reasons="…")


def test_delegate_is_refused_distance_teaching_citing_3_kap_9(world: World) -> None:
    b.delegate_programmes(world)
    programme = b.concluded_programme(
        world,
        **b.distance_teaching(today(), wf.term_end(today())),
    )
    with refused("decision.reserved_for_principal") as refusal:
        b.decide_programme(world, programme, persona="special_educator_a")
    assert "3 kap. 9 §" in refusal.value.refusal.text()
    # The rektor may; the programme is then in force.
    b.decide_programme(world, programme)


def test_delegation_outside_its_dates_does_not_cover_the_decision(world: World) -> None:
    Delegation.objects.filter(pk=world.delegation.pk).update(
        valid_from=today() - timedelta(days=100), valid_until=today() - timedelta(days=1)
    )
    investigation = b.investigation(world, needed=False)
    with refused("decision.no_delegation"):
        b.decide_no_programme(
            world, investigation, persona="special_educator_a", statement_of_reasons="…"
        )
    assert not Decision.objects.exists()


def test_distance_teaching_over_one_term_is_refused(world: World) -> None:
    programme = b.concluded_programme(
        world, **b.distance_teaching(today(), wf.term_end(today()) + timedelta(days=1))
    )
    with refused("programme.distance_over_one_term"):
        b.decide_programme(world, programme)


def test_two_people_saving_the_same_investigation_get_a_conflict(world: World) -> None:
    investigation = b.investigation(world)
    opened_version = investigation.version
    b.save(world, investigation, {"group_level": "Mentorns text"}, version=opened_version)
    with pytest.raises(services.EditConflictError) as conflict:
        b.save(
            world,
            investigation,
            {"group_level": "Specialpedagogens text"},
            persona="special_educator_a",
            version=opened_version,
        )
    assert conflict.value.theirs == {"group_level": "Mentorns text"}
    assert conflict.value.mine == {"group_level": "Specialpedagogens text"}
    investigation.refresh_from_db()
    assert investigation.group_level == "Mentorns text"


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_on_two_connections_lose_nothing(world: World) -> None:
    """security.md: two connections edit one document; the second gets a conflict."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the PostgreSQL run covers two connections.")
    investigation = b.investigation(world)
    version = investigation.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(persona: str) -> None:
        from django.db import connections

        try:
            barrier.wait()
            b.save(
                world,
                Investigation.objects.get(pk=investigation.pk),
                {"school_level": f"text från {persona}"},
                persona=persona,
                version=version,
            )
            outcomes[persona] = "saved"
        except services.EditConflictError as conflict:
            outcomes[persona] = f"conflict:{conflict.value if hasattr(conflict, 'value') else ''}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(p,)) for p in ("mentor_a", "principal_a")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.split(":")[0] for o in outcomes.values()) == ["conflict", "saved"]
    investigation.refresh_from_db()
    assert investigation.version == version + 1
    winner = next(p for p, o in outcomes.items() if o == "saved")
    assert investigation.school_level == f"text från {winner}"


def test_service_dates_cannot_be_in_the_future(world: World) -> None:
    decision = b.decide_no_programme(
        world, b.investigation(world, needed=False), statement_of_reasons="Inget behov."
    )
    row = DecisionService.objects.filter(decision=decision).first()
    assert row is not None
    with pytest.raises(wf.RefusalError):
        b.serve(world, row, today() + timedelta(days=1), sent_on=today())
