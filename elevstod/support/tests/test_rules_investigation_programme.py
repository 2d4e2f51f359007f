"""Legal correctness of investigation → programme → decision: the rules as tables (no database),
then the services enforcing them (locks, versions, lapsed drafts, delegates at the unit)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from elevstod.audit.models import AccessEvent
from elevstod.organisation.models import UnitDuty
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    ChainEvent,
    Decision,
    Investigation,
)
from elevstod.support.selectors.programmes import programme_versions
from elevstod.support.tests import builders as b
from elevstod.support.tests.builders import NEED, refused, today
from tests.world import World

D = date(2026, 3, 10)  # a day in the spring term
SPRING_END = date(2026, 6, 15)  # the default last day of the spring term (decision 0015)
DISTANCE = wf.MeasureSetting.DISTANCE_TEACHING


def _rule(outcome: wf.Outcome) -> str | None:
    return outcome.rule if isinstance(outcome, wf.Refused) else None


# ----------------------------------------------------------------------------- rules as tables


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "decided_on", "rule"),
    [
        (D, SPRING_END, D, None),  # from the decision to the end of its term
        (None, D + timedelta(days=30), D, None),  # no start: from the decision
        (D + timedelta(days=7), date(2026, 5, 1), D, None),
        (D, SPRING_END + timedelta(days=1), D, "programme.distance_over_one_term"),
        (D, None, D, "programme.distance_over_one_term"),
        # A later start does not buy a later term: the decision's own term is the limit.
        (date(2026, 6, 1), date(2026, 8, 31), D, "programme.distance_over_one_term"),
        # A period far in the past used to pass, counted from its own start.
        (date(2024, 9, 1), date(2024, 12, 20), D, "programme.distance_starts_before_decision"),
        (D - timedelta(days=1), SPRING_END, D, "programme.distance_starts_before_decision"),
        # No start, but the end has already passed: an expired period decides nothing.
        (None, D - timedelta(days=1), D, "programme.distance_period_expired"),
        (D + timedelta(days=10), D + timedelta(days=5), D, "programme.distance_period_expired"),
        # Autumn: to the default last day, 18 December 2026.
        (date(2026, 9, 1), date(2026, 12, 18), date(2026, 9, 1), None),
        (date(2026, 9, 1), date(2027, 1, 15), date(2026, 9, 1), "programme.distance_over_one_term"),
    ],
)
def test_distance_teaching_period_is_within_the_decisions_term(
    starts_on: date | None, ends_on: date | None, decided_on: date, rule: str | None
) -> None:
    outcome = wf.distance_period_outcome(starts_on, ends_on, decided_on)
    assert _rule(outcome) == rule
    if isinstance(outcome, wf.Refused):
        assert "3 kap. 11 a §" in outcome.paragraph
        assert "%(" not in outcome.text()


def test_the_measure_rule_uses_the_distance_period() -> None:
    measure = wf.MeasureFacts(
        has_need=True,
        has_responsible=True,
        setting=DISTANCE,
        starts_on=date(2025, 9, 1),  # a stale date copied into a revision
        ends_on=date(2025, 12, 19),
        has_special_reasons=True,
    )
    assert _rule(wf.measure_outcome(measure, D)) == "programme.distance_starts_before_decision"


@pytest.mark.parametrize(
    ("assessed", "changed", "rule"),
    [
        (False, False, None),
        (False, True, None),  # before the conclusion everything may change
        (True, False, None),  # other text may still be corrected
        (True, True, "investigation.assessment_locked"),
    ],
)
def test_the_concluded_assessment_is_locked(
    assessed: bool, changed: bool, rule: str | None
) -> None:
    outcome = wf.may_change_assessment(assessed, changed)
    assert _rule(outcome) == rule
    if isinstance(outcome, wf.Refused):
        assert outcome.paragraph == "3 kap. 7 § skollagen"
        assert "ny utredning" in outcome.message


@pytest.mark.parametrize(
    ("needed", "drafted", "reasons", "rule"),
    [
        (False, False, "Inget behov.", None),
        (False, False, "", "decision.reasons_missing"),
        (None, False, "…", "investigation.not_assessed"),
        (True, False, "…", "decision.support_needed"),
        # The concluded assessment found a need and drafted the programme: no "no programme".
        (False, True, "…", "decision.support_needed"),
        (None, True, "…", "decision.support_needed"),
    ],
)
def test_no_programme_is_refused_once_a_need_was_found(
    needed: bool | None, drafted: bool, reasons: str, rule: str | None
) -> None:
    outcome = wf.may_decide_no_programme(needed, reasons, programme_drafted=drafted)
    assert _rule(outcome) == rule


@pytest.mark.parametrize(
    ("principal", "delegated", "at_unit", "rule"),
    [
        (True, False, False, None),  # the rektor (a principal's duty is itself at the unit)
        (False, True, True, None),
        (False, True, False, "decision.delegate_not_at_unit"),
        (False, False, True, "decision.no_delegation"),
        (False, False, False, "decision.no_delegation"),
    ],
)
def test_a_delegate_must_be_at_the_unit_on_the_day(
    principal: bool, delegated: bool, at_unit: bool, rule: str | None
) -> None:
    kind = wf.DecisionKind.NO_ACTION_PROGRAMME
    authority = wf.DecisionAuthority(
        is_principal=principal,
        delegated_types=frozenset({str(kind)} if delegated else set()),
        has_unit_duty=at_unit,
    )
    outcome = wf.may_decide(authority, kind)
    assert _rule(outcome) == rule
    if isinstance(outcome, wf.Refused):
        assert outcome.paragraph == "2 kap. 10 § skollagen"


@pytest.mark.parametrize(
    ("step", "active"),
    [
        (wf.AdaptationNextStep.CONTINUE, True),
        (wf.AdaptationNextStep.CHANGE, True),
        (wf.AdaptationNextStep.REFER, True),  # adaptations continue during the investigation
        (wf.AdaptationNextStep.END, False),
    ],
)
def test_only_end_ends_an_adaptation(step: wf.AdaptationNextStep, active: bool) -> None:
    assert wf.adaptation_stays_active(step) is active


@pytest.mark.parametrize("state", list(wf.ProgrammeState))
@pytest.mark.parametrize("step", list(wf.ProgrammeStep))
def test_only_a_programme_in_force_is_followed_up_revised_or_closed(
    state: wf.ProgrammeState, step: wf.ProgrammeStep
) -> None:
    outcome = wf.may_act_on_programme(state, step)
    if state is wf.ProgrammeState.IN_FORCE:
        assert outcome.ok
    else:
        assert _rule(outcome) == "programme.not_in_force"
        assert isinstance(outcome, wf.Refused)
        assert outcome.paragraph == "3 kap. 9 § skollagen"


@pytest.mark.parametrize(
    ("outcome", "rule", "paragraph"),
    [
        (
            wf.may_set_investigation_target(D - timedelta(days=1), D),
            "investigation.target_in_past",
            "3 kap. 7 § skollagen",
        ),
        (wf.may_set_investigation_target(D, D), None, ""),
        (wf.may_edit_investigation(True), "investigation.closed", "3 kap. 9 § skollagen"),
        (wf.may_edit_investigation(False), None, ""),
        (
            wf.may_record_follow_up(False, False, None, D),
            "follow_up.measure_missing",
            "3 kap. 9 § skollagen",
        ),
        (
            wf.may_record_follow_up(True, True, D, D),
            "follow_up.next_date_missing",
            "3 kap. 9 § skollagen",
        ),
        (wf.may_record_follow_up(True, True, D + timedelta(days=1), D), None, ""),
        (wf.may_record_follow_up(True, False, None, D), None, ""),
    ],
)
def test_moved_refusals_keep_their_names_and_cite_their_paragraph(
    outcome: wf.Outcome, rule: str | None, paragraph: str
) -> None:
    assert _rule(outcome) == rule
    if isinstance(outcome, wf.Refused):
        assert outcome.paragraph == paragraph


def test_lapsed_and_draft_programmes_are_the_undecided_ones() -> None:
    assert {wf.ProgrammeState.DRAFT, wf.ProgrammeState.LAPSED} == wf.UNDECIDED_PROGRAMME_STATES


# ----------------------------------------------------------------------------- services


@pytest.mark.django_db
def test_the_conclusion_cannot_be_changed_once_assessed(world: World) -> None:
    investigation = b.investigation(world, needed=True)
    assert b.conclude(world, investigation) is not None
    investigation.refresh_from_db()
    version = investigation.version
    for values, needs in (
        ({"special_support_needed": False}, None),
        ({}, [(NEED, "Ett helt annat behov")]),
        ({}, []),
    ):
        with refused("investigation.assessment_locked") as refusal:
            b.save(
                world,
                investigation,
                values,
                persona="special_educator_a",
                version=version,
                needs=needs,
            )
        assert "3 kap. 7 §" in refusal.value.refusal.text()
    investigation.refresh_from_db()
    assert investigation.special_support_needed is True
    assert list(investigation.needs.values_list("description", flat=True)) == [
        "Stöd i att läsa längre texter"
    ]
    # The form sends the same conclusion back with corrected text: that is saved.
    b.save(
        world,
        investigation,
        {"special_support_needed": True, "cause_analysis": "Rättad stavning."},
        persona="special_educator_a",
        version=version,
        needs=[(NEED, "Stöd i att läsa längre texter"), (NEED, "  ")],
    )
    investigation.refresh_from_db()
    assert investigation.cause_analysis == "Rättad stavning."


@pytest.mark.django_db
def test_no_programme_is_refused_while_the_concluded_programme_draft_exists(world: World) -> None:
    investigation = b.investigation(world, needed=True)
    b.conclude(world, investigation)
    # Even if the conclusion were flipped behind the services' back, the draft decides.
    Investigation.objects.filter(pk=investigation.pk).update(special_support_needed=False)
    with refused("decision.support_needed"):
        b.decide_no_programme(world, investigation, statement_of_reasons="Inget behov.")
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_no_programme_decision_requires_the_version_the_decider_read(world: World) -> None:
    investigation = b.investigation(world, needed=False)
    seen = investigation.version
    b.save(world, investigation, {"group_level": "Tillägg från mentorn"}, version=seen)
    decide = {"statement_of_reasons": "Inget behov."}
    with pytest.raises(services.EditConflictError) as conflict:
        b.decide_no_programme(world, investigation, expected_version=seen, **decide)
    assert conflict.value.version == seen + 1
    assert not Decision.objects.exists()
    b.decide_no_programme(world, investigation, expected_version=seen + 1, **decide)
    investigation.refresh_from_db()
    assert investigation.closed_on == today()
    # The decision bumps the version: an editor open since before it gets a conflict, and a
    # closed investigation is refused either way.
    assert investigation.version == seen + 2


@pytest.mark.django_db
def test_decide_programme_rechecks_measures_saved_after_the_page_was_read(world: World) -> None:
    b.delegate_programmes(world)
    programme = b.concluded_programme(world)
    seen = programme.version
    stale = ActionProgramme.objects.get(pk=programme.pk)  # the decider's copy
    # Someone saves a distance-teaching measure after the decider opened the page.
    b.fill_programme(
        world,
        ActionProgramme.objects.get(pk=programme.pk),
        **b.distance_teaching(today(), wf.term_end(today())),
    )
    with pytest.raises(services.EditConflictError):
        b.decide_programme(world, stale, persona="special_educator_a", expected_version=seen)
    # Without a version the current one is taken, and its measures are what is checked.
    with refused("decision.reserved_for_principal"):
        b.decide_programme(world, stale, persona="special_educator_a")
    assert not Decision.objects.exists()
    assert ActionProgramme.objects.get(pk=programme.pk).state == wf.ProgrammeState.DRAFT


@pytest.mark.django_db
def test_decided_programme_version_moves_on_so_a_late_save_conflicts(world: World) -> None:
    programme = b.concluded_programme(world)
    seen = programme.version
    b.decide_programme(
        world,
        programme,
        statement_of_reasons="Utredningen visar behov.",
        expected_version=seen,
    )
    assert programme.state == wf.ProgrammeState.IN_FORCE
    assert programme.version == seen + 1


@pytest.mark.django_db
def test_distance_teaching_with_a_past_period_is_refused(world: World) -> None:
    programme = b.concluded_programme(
        world,
        **b.distance_teaching(today() - timedelta(days=400), today() - timedelta(days=300)),
    )
    with refused("programme.distance_starts_before_decision"):
        b.decide_programme(world, programme)


def _in_force_with_revision_draft(world: World) -> tuple[ActionProgramme, ActionProgramme]:
    programme = b.concluded_programme(world)
    b.decide_programme(world, programme, statement_of_reasons="Behov.")
    b.evaluate_programme(
        world,
        programme,
        wf.FollowUpOutcome.REVISE,
        effect=wf.MeasureEffect.NEED_MET,
        values={"summary": "Ändra omfattningen"},
    )
    return programme, ActionProgramme.objects.get(previous=programme)


@pytest.mark.django_db
def test_closing_keeps_a_pending_revision_draft_as_lapsed_and_logs_it(world: World) -> None:
    programme, draft = _in_force_with_revision_draft(world)
    principal = world.users["principal_a"]
    services.decide_closure(
        actor=principal, programme=programme, statement_of_reasons="Målen nådda.", today=today()
    )
    draft.refresh_from_db()  # kept, not deleted (process.md rule 5)
    assert draft.state == wf.ProgrammeState.LAPSED
    event = ChainEvent.objects.get(verb="programme.draft_lapsed")
    assert (event.record_id, event.actor_id) == (draft.pk, principal.pk)
    assert AccessEvent.objects.filter(
        record_id=draft.pk, purpose="programme.draft_lapsed", actor_id=principal.pk
    ).exists()
    # Never decided, so like a draft it is not shown to the family and cannot be decided.
    family_versions = programme_versions(draft.referral_id, with_drafts=False)
    assert draft.pk not in {row.id for row in family_versions}
    with refused("programme.decided_is_locked"):
        b.decide_programme(world, draft)


@pytest.mark.django_db
def test_closing_twice_is_refused_inside_the_lock(world: World) -> None:
    programme, _draft = _in_force_with_revision_draft(world)
    stale = ActionProgramme.objects.get(pk=programme.pk)
    close = {"actor": world.users["principal_a"], "statement_of_reasons": "Klart."}
    services.decide_closure(programme=programme, today=today(), **close)
    with refused("programme.not_in_force") as refusal:
        services.decide_closure(programme=stale, today=today(), **close)
    assert refusal.value.refusal.paragraph == "3 kap. 9 § skollagen"


@pytest.mark.django_db
def test_referring_keeps_the_adaptation_active(world: World) -> None:
    adaptation = b.adaptation(world)
    b.evaluate(world, adaptation, wf.AdaptationEffect.NOT_SUFFICIENT, wf.AdaptationNextStep.REFER)
    adaptation.refresh_from_db()
    assert adaptation.state == wf.AdaptationState.ACTIVE
    assert adaptation.ended_on is None
    assert adaptation.evaluate_on == today() + timedelta(days=42)  # kept as planned
    assert Adaptation.objects.filter(pupil=world.pupils["x"], state="active").count() == 1
    b.evaluate(world, adaptation, wf.AdaptationEffect.SUFFICIENT, wf.AdaptationNextStep.END)
    adaptation.refresh_from_db()
    assert adaptation.state == wf.AdaptationState.ENDED


@pytest.mark.django_db
def test_a_delegate_without_a_duty_at_the_unit_is_refused(world: World) -> None:
    investigation = b.investigation(world, needed=False)
    educator = world.users["special_educator_a"]
    UnitDuty.objects.filter(user=educator, school_unit=world.units["a"]).update(
        ends_on=today() - timedelta(days=1)
    )
    with refused("decision.delegate_not_at_unit") as refusal:
        b.decide_no_programme(
            world, investigation, persona="special_educator_a", statement_of_reasons="Inget behov."
        )
    assert "2 kap. 10 §" in refusal.value.refusal.text()
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_investigation_target_in_the_past_cites_its_paragraph(world: World) -> None:
    referral = b.referral(world)
    principal = world.users["principal_a"]
    services.referral_receive(actor=principal, referral=referral, today=today())
    with refused("investigation.target_in_past") as refusal:
        services.investigation_open(
            actor=principal,
            referral=referral,
            investigator_ids=[world.users["mentor_a"].pk],
            target_on=today() - timedelta(days=1),
            today=today(),
        )
    assert refusal.value.refusal.paragraph == "3 kap. 7 § skollagen"


# ----------------------------------------------------------------------------- pages

# A save made by someone else between reading a page and posting it: the post shows this,
# keeps what was typed, offers the version the record now has, and decides nothing.
CONFLICT = "har sparats av någon annan"


@pytest.mark.django_db
def test_the_decide_page_decides_the_version_it_showed(world: World) -> None:
    programme = b.concluded_programme(world)
    client = world.client_for("principal_a")
    url = reverse("support:programme_decide", kwargs={"programme_id": programme.pk})
    page = client.get(url).content.decode()
    assert f'name="version" value="{programme.version}"' in page
    seen = programme.version
    b.fill_programme(world, ActionProgramme.objects.get(pk=programme.pk))  # someone saves
    response = client.post(url, {"statement_of_reasons": "Mina skäl", "version": seen})
    body = response.content.decode()
    assert response.status_code == 200
    assert CONFLICT in body
    assert "Mina skäl" in body  # nothing typed is lost
    assert f'name="version" value="{seen + 1}"' in body
    assert not Decision.objects.exists()
    response = client.post(url, {"statement_of_reasons": "Mina skäl", "version": seen + 1})
    assert response.status_code == 302
    assert Decision.objects.filter(programme=programme).exists()


@pytest.mark.django_db
def test_the_no_programme_decision_page_decides_the_version_it_showed(world: World) -> None:
    investigation = b.investigation(world, needed=False)
    b.communicated(world, investigation=investigation)  # FL 25 §
    client = world.client_for("principal_a")
    url = reverse("support:decision_create", kwargs={"investigation_id": investigation.pk})
    seen = investigation.version
    assert f'name="version" value="{seen}"' in client.get(url).content.decode()
    b.save(world, investigation, {"group_level": "Tillägg"}, version=seen)
    data = {
        "choice": "not_draw_up",
        "statement_of_reasons": "Inget behov enligt utredningen.",
        "instead": "Ledning och stimulans.",
        "version": seen,
    }
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert CONFLICT in body
    assert "Inget behov enligt utredningen." in body
    assert not Decision.objects.exists()
    response = client.post(url, {**data, "version": seen + 1})
    assert response.status_code == 302
    assert Decision.objects.filter(investigation=investigation).exists()


@pytest.mark.django_db
def test_the_edit_page_refuses_a_changed_conclusion_and_keeps_the_text(world: World) -> None:
    investigation = b.investigation(world, needed=True)
    b.conclude(world, investigation)
    investigation.refresh_from_db()
    client = world.client_for("special_educator_a")
    url = reverse("support:investigation_edit", kwargs={"investigation_id": investigation.pk})
    page = client.get(url).content.decode()
    assert "Bedömningen är slutförd" in page
    response = client.post(
        url,
        {
            "version": investigation.version,
            "special_support_needed": "no",
            "cause_analysis": "Min nya analys",
            "needs-TOTAL_FORMS": "0",
            "needs-INITIAL_FORMS": "0",
            "action": "save",
        },
    )
    body = response.content.decode()
    assert response.status_code != 302
    assert "3 kap. 7 § skollagen" in body
    assert "Min nya analys" in body
    investigation.refresh_from_db()
    assert investigation.special_support_needed is True
