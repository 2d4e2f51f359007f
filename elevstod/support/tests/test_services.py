"""The chain end to end through the services: each step's rule, its audit rows, its refusals."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

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
from tests.world import World

pytestmark = pytest.mark.django_db

NEED = wf.NeedCategory.READING_WRITING


def _today():
    return timezone.localdate()


def _referral(world: World, **extra) -> Referral:
    return services.referral_create(
        actor=world.users["mentor_a"],
        pupil=world.pupils["x"],
        school_unit_id=world.units["a"].pk,
        ground=extra.pop("ground", wf.ReferralGround.OTHER_DIFFICULTIES),
        description="Svårt att komma igång med skrivuppgifter.",
        today=_today(),
        **extra,
    )


def _investigation(world: World, *, needed: bool = True) -> Investigation:
    referral = _referral(world)
    principal = world.users["principal_a"]
    services.referral_receive(actor=principal, referral=referral, today=_today())
    investigation = services.investigation_open(
        actor=principal,
        referral=referral,
        investigator_ids=[world.users["special_educator_a"].pk, world.users["mentor_a"].pk],
        target_on=_today() + timedelta(days=30),
        today=_today(),
    )
    services.investigation_save(
        actor=world.users["special_educator_a"],
        investigation=investigation,
        expected_version=investigation.version,
        values={
            "individual_level": "Läser långsamt men förstår muntligt.",
            "pupil_view": "Jag vill ha mer tid.",
            "eht_consulted": False,
            "eht_skip_reason": "Inga tecken på annat än läs- och skrivsvårigheter.",
            "special_support_needed": needed,
        },
        needs=[(NEED, "Stöd i att läsa längre texter")] if needed else [],
        today=_today(),
    )
    investigation.refresh_from_db()
    return investigation


def _fill_programme(world: World, programme: ActionProgramme, **measure) -> None:
    need = programme.needs.first()
    services.programme_save(
        actor=world.users["special_educator_a"],
        programme=programme,
        expected_version=programme.version,
        values={
            "follow_up_on": _today() + timedelta(days=30),
            "follow_up_responsible": world.users["mentor_a"],
            "evaluation_on": _today() + timedelta(days=60),
            "evaluation_responsible": world.users["special_educator_a"],
            "pupil_participation_offered": True,
            "guardian_participation_offered": True,
        },
        needs=[services.NeedInput(key=str(need.pk), category=need.category, description="Läsa")],
        measures=[
            services.MeasureInput(
                need_key=str(need.pk),
                description="Inläsningstjänst och lästräning 3 × 20 min/vecka",
                responsible_id=world.users["teacher_a"].pk,
                extent="3 × 20 minuter i veckan",
                **measure,
            )
        ],
        today=_today(),
    )
    programme.refresh_from_db()


def test_the_whole_chain_from_concern_to_closed_programme(world: World) -> None:
    today = _today()
    mentor, principal = world.users["mentor_a"], world.users["principal_a"]
    concern = services.concern_create(
        actor=world.users["teacher_a"],
        pupil=world.pupils["x"],
        school_unit_id=world.units["a"].pk,
        source=wf.ConcernSource.NATIONAL_ASSESSMENT,
        description="Läsförståelsen ligger under det förväntade.",
        today=today,
    )
    adaptation = services.adaptation_create(
        actor=mentor,
        pupil=world.pupils["x"],
        school_unit_id=world.units["a"].pk,
        concern=concern,
        values={
            "need_categories": [NEED],
            "need_description": "Behöver stöd att komma igång",
            "measure": "Tydlig struktur och uppdelade uppgifter",
            "responsible": world.users["teacher_a"],
            "starts_on": today,
            "evaluate_on": today + timedelta(days=42),
        },
        today=today,
    )
    services.adaptation_evaluate(
        actor=world.users["teacher_a"],
        adaptation=adaptation,
        effect=wf.AdaptationEffect.NOT_SUFFICIENT,
        next_step=wf.AdaptationNextStep.REFER,
        pupil_view="Det hjälper lite.",
        today=today,
    )
    # Extra adaptations continue while the need is investigated: only "end" ends them.
    assert adaptation.state == wf.AdaptationState.ACTIVE
    referral = _referral(
        world, ground=wf.ReferralGround.DESPITE_ADAPTATIONS, adaptations=[adaptation]
    )
    services.referral_receive(actor=principal, referral=referral, today=today)
    investigation = services.investigation_open(
        actor=principal,
        referral=referral,
        investigator_ids=[world.users["special_educator_a"].pk],
        target_on=today + timedelta(days=30),
        today=today,
    )
    # The mapping starts from the adaptations the report names.
    assert "Tydlig struktur" in investigation.adaptations_effect
    services.investigation_save(
        actor=world.users["special_educator_a"],
        investigation=investigation,
        expected_version=investigation.version,
        values={
            "individual_level": "…",
            "eht_consulted": True,
            "eht_consultation": "Kurator: inget socialt hinder.",
            "special_support_needed": True,
        },
        needs=[(NEED, "Stöd i läsning")],
        today=today,
    )
    investigation.refresh_from_db()
    programme = services.investigation_conclude(
        actor=world.users["special_educator_a"], investigation=investigation, today=today
    )
    assert programme is not None
    assert [n.description for n in programme.needs.all()] == ["Stöd i läsning"]
    _fill_programme(world, programme)
    decision = services.decide_programme(
        actor=principal, programme=programme, statement_of_reasons="Utredningen visar…", today=today
    )
    referral.refresh_from_db()
    assert referral.state == wf.CaseState.PROGRAMME_ACTIVE
    assert programme.state == wf.ProgrammeState.IN_FORCE
    assert "Skolväsendets överklagandenämnd" in decision.appeal_instructions
    # One service row per guardian with custody, and one for the pupil.
    recipients = sorted(decision.services.values_list("recipient_kind", flat=True))
    assert recipients == ["guardian", "pupil"]
    with pytest.raises(wf.RefusalError) as refused:
        services.programme_save(
            actor=principal,
            programme=programme,
            expected_version=programme.version,
            values={},
            needs=[],
            measures=[],
            today=today,
        )
    assert refused.value.refusal.rule == "programme.decided_is_locked"

    measure = programme.measures.get()
    review = services.ReviewInput(
        measure_id=measure.pk,
        carried_out=wf.CarriedOut.YES,
        effect=wf.MeasureEffect.SOME_PROGRESS,
    )
    services.follow_up_record(
        actor=mentor,
        programme=programme,
        kind=wf.FollowUpKind.EVALUATION,
        reviews=[review],
        outcome=wf.FollowUpOutcome.REVISE,
        values={"summary": "Mer tid behövs", "pupil_view": "Bra med inläsning."},
        next_on=None,
        today=today,
    )
    revision = ActionProgramme.objects.get(previous=programme)
    assert revision.number == 2
    assert revision.state == wf.ProgrammeState.DRAFT
    # A revision is a new programme: participation is offered anew before it is decided.
    with pytest.raises(wf.RefusalError) as refused:
        services.decide_programme(
            actor=principal, programme=revision, statement_of_reasons="Reviderat.", today=today
        )
    assert refused.value.refusal.rule == "programme.participation_not_offered"
    _fill_programme(world, revision)
    services.decide_programme(
        actor=principal, programme=revision, statement_of_reasons="Reviderat.", today=today
    )
    programme.refresh_from_db()
    revision.refresh_from_db()
    assert programme.state == wf.ProgrammeState.SUPERSEDED
    assert revision.state == wf.ProgrammeState.IN_FORCE

    revision_measure = revision.measures.get()
    services.follow_up_record(
        actor=world.users["special_educator_a"],
        programme=revision,
        kind=wf.FollowUpKind.EVALUATION,
        reviews=[
            services.ReviewInput(
                measure_id=revision_measure.pk,
                carried_out=wf.CarriedOut.YES,
                effect=wf.MeasureEffect.NEED_MET,
            )
        ],
        outcome=wf.FollowUpOutcome.CLOSE,
        values={},
        next_on=None,
        today=today,
    )
    services.decide_closure(
        actor=principal, programme=revision, statement_of_reasons="Målen nådda.", today=today
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
    today = _today()
    investigation = _investigation(world, needed=False)
    services.investigation_conclude(
        actor=world.users["special_educator_a"], investigation=investigation, today=today
    )
    # The world's delegation covers "no action programme" for the special educator.
    decision = services.decide_no_programme(
        actor=world.users["special_educator_a"],
        investigation=investigation,
        statement_of_reasons="Utredningen visar inget behov av särskilt stöd.",
        instead="Fortsatta extra anpassningar i svenska.",
        today=today,
    )
    assert decision.delegation == world.delegation
    assert decision.decided_by_title == "Specialpedagog"
    investigation.refresh_from_db()
    assert investigation.closed_on == today
    assert Referral.objects.get(pk=investigation.referral_id).state == wf.CaseState.NO_PROGRAMME

    guardian_row = decision.services.get(recipient_kind="guardian")
    received = today - timedelta(days=40)
    Decision.objects.filter(pk=decision.pk).update(decided_on=received)
    decision.refresh_from_db()
    services.service_record(
        actor=world.users["principal_a"],
        service=guardian_row,
        method="letter",
        sent_on=received,
        received_on=received,
        today=today,
    )
    assert guardian_row.appeal_deadline is not None
    assert guardian_row.appeal_deadline >= received + timedelta(weeks=3)
    appeal = services.appeal_register(
        actor=world.users["principal_a"],
        decision=decision,
        service=guardian_row,
        appellant_name="Vårdnadshavare",
        lodged_on=today,
        content="Vi anser att hon behöver särskilt stöd.",
        today=today,
    )
    assert appeal.is_timely is False
    with pytest.raises(wf.RefusalError) as refused:
        services.appeal_handle(
            actor=world.users["principal_a"],
            appeal=appeal,
            action=wf.AppealAction.FORWARD,
            note="",
            today=today,
        )
    assert refused.value.refusal.rule == "appeal.late"
    services.appeal_handle(
        actor=world.users["principal_a"],
        appeal=appeal,
        action=wf.AppealAction.DISMISS_AS_LATE,
        note="Kom in efter sista dag.",
        today=today,
    )
    assert Appeal.objects.get(pk=appeal.pk).state == wf.AppealState.DISMISSED_LATE


def test_a_timely_appeal_is_forwarded_and_its_outcome_recorded(world: World) -> None:
    today = _today()
    investigation = _investigation(world, needed=False)
    decision = services.decide_no_programme(
        actor=world.users["principal_a"],
        investigation=investigation,
        statement_of_reasons="Inget behov.",
        instead="Ledning och stimulans.",
        today=today,
    )
    row = decision.services.get(recipient_kind="guardian")
    services.service_confirm_receipt(actor=world.users["guardian_x"], service=row, today=today)
    assert row.method == "confirmed_in_app"
    appeal = services.appeal_register(
        actor=world.users["principal_a"],
        decision=decision,
        service=row,
        appellant_name="Vårdnadshavare",
        lodged_on=today,
        content="Vi överklagar.",
        today=today,
    )
    assert appeal.is_timely
    for action in (wf.AppealAction.FORWARD, wf.AppealAction.RECORD_BOARD_UPHELD):
        appeal = services.appeal_handle(
            actor=world.users["principal_a"], appeal=appeal, action=action, note="", today=today
        )
    assert appeal.state == wf.AppealState.BOARD_UPHELD
    assert appeal.forwarded_on == today


def test_no_programme_is_refused_when_the_assessment_found_a_need(world: World) -> None:
    investigation = _investigation(world, needed=True)
    with pytest.raises(wf.RefusalError) as refused:
        services.decide_no_programme(
            actor=world.users["principal_a"],
            investigation=investigation,
            statement_of_reasons="…",
            instead="",
            today=_today(),
        )
    assert refused.value.refusal.rule == "decision.support_needed"


def _concluded_programme(world: World, **measure) -> ActionProgramme:
    investigation = _investigation(world, needed=True)
    programme = services.investigation_conclude(
        actor=world.users["special_educator_a"], investigation=investigation, today=_today()
    )
    assert programme is not None
    _fill_programme(world, programme, **measure)
    return programme


def test_delegate_is_refused_distance_teaching_citing_3_kap_9(world: World) -> None:
    today = _today()
    Delegation.objects.create(
        school_unit=world.units["a"],
        delegated_by=world.users["principal_a"],
        delegate=world.users["special_educator_a"],
        decision_type="action_programme",
        valid_from=today - timedelta(days=1),
        valid_until=today + timedelta(days=30),
    )
    programme = _concluded_programme(
        world,
        setting=wf.MeasureSetting.DISTANCE_TEACHING,
        special_reasons="Eleven kan inte vistas i skolan under en period.",
        starts_on=today,
        ends_on=wf.term_end(today),
    )
    with pytest.raises(wf.RefusalError) as refused:
        services.decide_programme(
            actor=world.users["special_educator_a"],
            programme=programme,
            statement_of_reasons="…",
            today=today,
        )
    assert refused.value.refusal.rule == "decision.reserved_for_principal"
    assert "3 kap. 9 §" in refused.value.refusal.text()
    # The rektor may; the programme is then in force.
    services.decide_programme(
        actor=world.users["principal_a"], programme=programme, statement_of_reasons="…", today=today
    )


def test_delegation_outside_its_dates_does_not_cover_the_decision(world: World) -> None:
    today = _today()
    Delegation.objects.filter(pk=world.delegation.pk).update(
        valid_from=today - timedelta(days=100), valid_until=today - timedelta(days=1)
    )
    investigation = _investigation(world, needed=False)
    with pytest.raises(wf.RefusalError) as refused:
        services.decide_no_programme(
            actor=world.users["special_educator_a"],
            investigation=investigation,
            statement_of_reasons="…",
            instead="",
            today=today,
        )
    assert refused.value.refusal.rule == "decision.no_delegation"
    assert not Decision.objects.exists()


def test_distance_teaching_over_one_term_is_refused(world: World) -> None:
    today = _today()
    programme = _concluded_programme(
        world,
        setting=wf.MeasureSetting.DISTANCE_TEACHING,
        special_reasons="Särskilda skäl.",
        starts_on=today,
        ends_on=wf.term_end(today) + timedelta(days=1),
    )
    with pytest.raises(wf.RefusalError) as refused:
        services.decide_programme(
            actor=world.users["principal_a"],
            programme=programme,
            statement_of_reasons="…",
            today=today,
        )
    assert refused.value.refusal.rule == "programme.distance_over_one_term"


def test_two_people_saving_the_same_investigation_get_a_conflict(world: World) -> None:
    investigation = _investigation(world)
    opened_version = investigation.version
    services.investigation_save(
        actor=world.users["mentor_a"],
        investigation=investigation,
        expected_version=opened_version,
        values={"group_level": "Mentorns text"},
        today=_today(),
    )
    with pytest.raises(services.EditConflictError) as conflict:
        services.investigation_save(
            actor=world.users["special_educator_a"],
            investigation=investigation,
            expected_version=opened_version,
            values={"group_level": "Specialpedagogens text"},
            today=_today(),
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
    investigation = _investigation(world)
    version = investigation.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(persona: str) -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.investigation_save(
                actor=world.users[persona],
                investigation=Investigation.objects.get(pk=investigation.pk),
                expected_version=version,
                values={"school_level": f"text från {persona}"},
                today=_today(),
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
    investigation = _investigation(world, needed=False)
    decision = services.decide_no_programme(
        actor=world.users["principal_a"],
        investigation=investigation,
        statement_of_reasons="Inget behov.",
        instead="",
        today=_today(),
    )
    row = DecisionService.objects.filter(decision=decision).first()
    with pytest.raises(wf.RefusalError):
        services.service_record(
            actor=world.users["principal_a"],
            service=row,
            method="letter",
            sent_on=_today(),
            received_on=_today() + timedelta(days=1),
            today=_today(),
        )
