"""Correct at the edges (issue 10): standing and the pupil's receipt (SL 29 kap. 12 §), receipt
before the decision (FL 44 §), dates nobody checked (SL 3 kap. 5 §, 9 §), absurd days in the
receipt form and the adaptation API. The rules first, as tables; then the services; then the
pages and the API. Decision 0013 gives the readings chosen."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import reverse

from elevstod.people.models import Placement, Pupil
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.calendar import days_off_around
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    Appeal,
    Decision,
    DecisionService,
)
from elevstod.support.tests import builders as b
from elevstod.support.tests.builders import refused, today
from elevstod.support.workflow.adaptations import may_date_adaptation
from elevstod.support.workflow.appeals import AppealClock, Receipt, appeal_clock
from elevstod.support.workflow.decisions import programme_dates_in_order
from elevstod.support.workflow.standing import age_on, standing_on
from tests.world import World

DAY = date(2025, 3, 3)  # a Monday
ABSURD = (date(1, 1, 1), date(9999, 12, 31))


def _rule(outcome: wf.Outcome) -> str | None:
    return outcome.rule if isinstance(outcome, wf.Refused) else None


def _years_ago(years: int, day: date | None = None) -> date:
    """The day `years` before `day` (today); 29 February becomes 28 February."""
    day = day or today()
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# --------------------------------------------------------------------------- rules: standing


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2010, 3, 3), date(2026, 3, 2), 15),
        (date(2010, 3, 3), date(2026, 3, 3), 16),  # from the birthday itself
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
        # Born on 29 February: in a year without it, 16 only from 1 March.
        (date(2012, 2, 29), date(2028, 2, 28), 15),
        (date(2011, 2, 28), date(2027, 2, 28), 16),
        (date(2011, 2, 28), date(2027, 2, 27), 15),
    ],
)
def test_age_counts_whole_years_from_the_birthday(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age


@pytest.mark.parametrize(
    ("age", "school_form", "acts_alone"),
    [
        (15, "grundskola", False),
        (15, None, False),
        (16, "grundskola", True),
        (17, None, True),
        # SL 29 kap. 12 § andra stycket: gymnasium matters also under 16.
        (15, "gymnasieskola", True),
        (15, "anpassad_gymnasieskola", True),
        (15, "anpassad_grundskola", False),
    ],
)
def test_a_pupil_acts_alone_from_16_or_in_a_gymnasium_matter(
    age: int, school_form: str | None, acts_alone: bool
) -> None:
    standing = standing_on(_years_ago(age, DAY), DAY, school_form)
    assert standing.acts_alone is acts_alone
    assert standing.age == age


G1 = Receipt(DAY, wf.appeal_deadline(DAY))
G2 = Receipt(DAY + timedelta(days=7), wf.appeal_deadline(DAY + timedelta(days=7)))
UNSERVED = Receipt(None, None)
PUPIL = Receipt(DAY + timedelta(days=14), None)  # received, but started no time


@pytest.mark.parametrize(
    ("own", "acts_alone", "guardians", "expected"),
    [
        (G1, True, (), AppealClock(G1.deadline, False)),
        (UNSERVED, True, (), AppealClock(None, True)),
        # The pupil who may not act alone: the guardians' receipt, the last of them.
        (PUPIL, False, (G1, G2), AppealClock(G2.deadline, False, True)),
        (PUPIL, False, (G1,), AppealClock(G1.deadline, False, True)),
        # While one guardian has not received it, the time has not begun.
        (PUPIL, False, (G1, UNSERVED), AppealClock(None, True, True)),
        (UNSERVED, False, (), AppealClock(None, True, True)),
    ],
)
def test_the_appeal_clock_of_a_pupil_who_may_not_act_alone_runs_from_the_guardians(
    own: Receipt, acts_alone: bool, guardians: tuple[Receipt, ...], expected: AppealClock
) -> None:
    assert appeal_clock(own, acts_alone=acts_alone, guardians=guardians) == expected


def test_no_appeal_is_judged_against_a_deadline_before_the_decisions_own() -> None:
    wrong = Receipt(DAY - timedelta(days=30), wf.appeal_deadline(DAY - timedelta(days=30)))
    floor = wf.appeal_deadline(DAY)
    assert appeal_clock(wrong, earliest_deadline=floor).deadline == floor
    assert appeal_clock(G2, earliest_deadline=floor).deadline == G2.deadline


# --------------------------------------------------------------------------- rules: service days


@pytest.mark.parametrize(
    ("received", "sent", "rule"),
    [
        (DAY, DAY, None),  # received on the day of the decision
        (DAY - timedelta(days=1), None, "service.received_before_decision"),
        (DAY - timedelta(days=1), DAY - timedelta(days=2), "service.received_before_decision"),
        (None, DAY - timedelta(days=1), "service.sent_before_decision"),
        (None, DAY + timedelta(days=30), "service.sent_in_future"),
        (DAY + timedelta(days=30), DAY, "service.received_in_future"),
        (ABSURD[0], None, "service.received_before_decision"),
        (ABSURD[1], None, "service.received_in_future"),
        (None, ABSURD[0], "service.sent_before_decision"),
        (None, ABSURD[1], "service.sent_in_future"),
    ],
)
def test_a_receipt_before_the_decision_or_in_the_future_is_refused(
    received: date | None, sent: date | None, rule: str | None
) -> None:
    today_ = DAY + timedelta(days=10)
    outcome = wf.may_record_service(
        recorded_received_on=None,
        received_on=received,
        sent_on=sent,
        today=today_,
        decided_on=DAY,
    )
    assert _rule(outcome) == rule
    if isinstance(outcome, wf.Refused):
        assert "44 § förvaltningslagen" in outcome.text()
        if rule and rule.endswith("before_decision"):
            assert DAY.isoformat() in outcome.text()


@pytest.mark.parametrize("received", [DAY - timedelta(days=1), *ABSURD])
def test_a_correction_to_a_day_before_the_decision_or_absurd_is_refused(received: date) -> None:
    outcome = wf.may_correct_service(
        recorded_received_on=DAY + timedelta(days=2),
        received_on=received,
        sent_on=None,
        reason="Fel dag skrevs in.",
        appeals_counted_from_it=0,
        today=DAY + timedelta(days=10),
        decided_on=DAY,
    )
    assert _rule(outcome) in {"service.received_before_decision", "service.received_in_future"}


# --------------------------------------------------------------------------- rules: programme days


@pytest.mark.parametrize(
    ("follow_up", "evaluation", "rule"),
    [
        (DAY, DAY, None),  # on the decision day, both on one day: allowed
        (DAY + timedelta(days=30), DAY + timedelta(days=90), None),
        (DAY - timedelta(days=1), DAY + timedelta(days=90), "programme.follow_up_before_decision"),
        (DAY + timedelta(days=30), DAY - timedelta(days=1), "programme.evaluation_before_decision"),
        (
            DAY + timedelta(days=90),
            DAY + timedelta(days=30),
            "programme.evaluation_before_follow_up",
        ),
    ],
)
def test_a_programme_is_not_decided_with_its_follow_up_or_evaluation_in_the_past_or_reversed(
    follow_up: date, evaluation: date, rule: str | None
) -> None:
    outcome = programme_dates_in_order(follow_up, evaluation, DAY)
    assert _rule(outcome) == rule
    if isinstance(outcome, wf.Refused):
        assert outcome.paragraph == "3 kap. 9 § första stycket skollagen"
        assert "%(" not in outcome.text()


# --------------------------------------------------------------------------- rules: adaptations

BORN = date(2013, 5, 17)


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({}, None),
        ({"starts_on": BORN}, None),
        ({"starts_on": BORN - timedelta(days=1)}, "adaptation.starts_before_birth"),
        ({"starts_on": ABSURD[0]}, "adaptation.starts_before_birth"),
        ({"starts_on": ABSURD[1], "evaluate_on": None}, "adaptation.starts_too_late"),
        ({"evaluate_on": ABSURD[1]}, "adaptation.evaluation_out_of_range"),
        ({"evaluate_on": ABSURD[0]}, "adaptation.evaluation_out_of_range"),
        ({"guardian_informed_on": ABSURD[0]}, "adaptation.informed_out_of_range"),
        ({"guardian_informed_on": ABSURD[1]}, "adaptation.informed_out_of_range"),
    ],
)
def test_an_adaptation_starts_after_the_pupil_was_born_and_its_days_are_days_that_can_be(
    changes: dict[str, Any], rule: str | None
) -> None:
    days = {
        "starts_on": DAY,
        "evaluate_on": DAY + timedelta(days=42),
        "guardian_informed_on": DAY,
    } | changes
    outcome = may_date_adaptation(**days, born_on=BORN, today=DAY)
    assert _rule(outcome) == rule
    if isinstance(outcome, wf.Refused):
        assert outcome.paragraph == "3 kap. 5 § skollagen"


def test_a_next_adaptation_evaluation_a_year_away_is_refused() -> None:
    step = wf.AdaptationNextStep.CONTINUE
    assert wf.may_plan_next_evaluation(step, DAY + timedelta(days=300), DAY).ok
    outcome = wf.may_plan_next_evaluation(step, ABSURD[1], DAY)
    assert _rule(outcome) == "adaptation.next_evaluation_too_late"


# --------------------------------------------------------------------------- services


def _pupil_row(decision: Decision) -> DecisionService:
    return decision.services.get(recipient_kind="pupil")


def _born(world: World, born: date) -> None:
    Pupil.objects.filter(pk=world.pupils["x"].pk).update(birth_date=born)


@pytest.mark.django_db
def test_a_receipt_before_the_decision_is_refused_and_nothing_is_written(world: World) -> None:
    decision = b.no_programme_decision(world)  # decided 40 days ago
    row = b.guardian_row(decision)
    with refused("service.received_before_decision") as refusal:
        b.serve(world, row, decision.decided_on - timedelta(days=1))
    assert decision.decided_on.isoformat() in refusal.value.refusal.text()
    row.refresh_from_db()
    assert (row.received_on, row.appeal_deadline) == (None, None)
    b.serve(world, row, decision.decided_on + timedelta(days=2))
    with refused("service.received_before_decision"):
        services.service_correct(
            actor=world.users["principal_a"],
            service=row,
            received_on=decision.decided_on - timedelta(days=3),
            reason="Fel dag.",
            today=today(),
        )


@pytest.mark.django_db
def test_an_appeal_lodged_on_the_decisions_own_day_is_never_judged_late(world: World) -> None:
    decision = b.no_programme_decision(world)
    row = b.serve(world, b.guardian_row(decision), decision.decided_on)
    appeal = b.register_appeal(world, decision, row, lodged_on=decision.decided_on)
    assert appeal.is_timely is True
    # A receipt recorded before the decision in an older version of the system: the appeal is
    # still judged from no earlier than the decision's day.
    other = b.no_programme_decision(world)
    old = b.guardian_row(other)
    wrong = other.decided_on - timedelta(days=60)
    DecisionService.objects.filter(pk=old.pk).update(
        received_on=wrong, appeal_deadline=wf.appeal_deadline(wrong)
    )
    old.refresh_from_db()
    appeal = b.register_appeal(world, other, old, lodged_on=other.decided_on)
    assert appeal.is_timely is True
    assert appeal.deadline is not None
    assert appeal.deadline >= other.decided_on + timedelta(weeks=3)


@pytest.mark.django_db
def test_a_pupil_under_16_confirming_receipt_starts_no_appeal_time(world: World) -> None:
    decision = b.no_programme_decision(world)
    row = _pupil_row(decision)
    services.service_confirm_receipt(actor=world.users["pupil_x"], service=row, today=today())
    row.refresh_from_db()
    assert row.received_on == today()  # the pupil was informed, and that is kept
    assert row.appeal_deadline is None  # but no time of her own runs from it


@pytest.mark.django_db
def test_the_appeal_of_a_pupil_under_16_is_counted_from_the_guardians_receipt(
    world: World,
) -> None:
    decision = b.no_programme_decision(world)
    pupil = _pupil_row(decision)
    services.service_confirm_receipt(actor=world.users["pupil_x"], service=pupil, today=today())
    pupil.refresh_from_db()
    # The guardian has not received it: the time has not begun, so the appeal is in time.
    waiting = b.register_appeal(world, decision, pupil, appellant_name="")
    assert (waiting.not_served, waiting.deadline, waiting.is_timely) == (True, None, True)
    # Once the guardian got it five weeks ago, the pupil's appeal today is late, although she
    # confirmed only today: her receipt started nothing.
    guardian = b.serve(world, b.guardian_row(decision), today() - timedelta(days=35))
    late = b.register_appeal(world, decision, pupil, appellant_name="")
    assert late.deadline == guardian.appeal_deadline
    assert (late.not_served, late.is_timely) == (False, False)
    with refused("appeal.late"):
        b.handle_appeal(world, late, wf.AppealAction.FORWARD)


@pytest.mark.django_db
def test_a_pupil_of_16_acts_alone_and_her_receipt_starts_her_own_time(world: World) -> None:
    _born(world, _years_ago(16))  # her sixteenth birthday is today
    decision = b.no_programme_decision(world)
    b.serve(world, b.guardian_row(decision), today() - timedelta(days=35))
    pupil = _pupil_row(decision)
    services.service_confirm_receipt(actor=world.users["pupil_x"], service=pupil, today=today())
    pupil.refresh_from_db()
    assert pupil.appeal_deadline == wf.appeal_deadline(today(), days_off_around(today()))
    appeal = b.register_appeal(world, decision, pupil, appellant_name="")
    assert (appeal.deadline, appeal.is_timely) == (pupil.appeal_deadline, True)


@pytest.mark.django_db
def test_a_gymnasium_pupil_under_16_acts_alone(world: World) -> None:
    Placement.objects.filter(pupil=world.pupils["x"]).update(school_form="gymnasieskola")
    decision = b.no_programme_decision(world)
    pupil = _pupil_row(decision)
    services.service_confirm_receipt(actor=world.users["pupil_x"], service=pupil, today=today())
    pupil.refresh_from_db()
    assert pupil.appeal_deadline is not None


@pytest.mark.django_db
def test_a_programme_decided_with_its_follow_up_in_the_past_is_refused(world: World) -> None:
    programme = b.concluded_programme(world)
    ActionProgramme.objects.filter(pk=programme.pk).update(follow_up_on=today() - timedelta(days=1))
    programme.refresh_from_db()
    with refused("programme.follow_up_before_decision"):
        b.decide_programme(world, programme)
    ActionProgramme.objects.filter(pk=programme.pk).update(
        follow_up_on=today() + timedelta(days=60), evaluation_on=today() + timedelta(days=30)
    )
    programme.refresh_from_db()
    with refused("programme.evaluation_before_follow_up"):
        b.decide_programme(world, programme)
    assert not Decision.objects.filter(programme=programme).exists()


@pytest.mark.django_db
def test_an_adaptation_starting_before_the_pupil_was_born_is_refused(world: World) -> None:
    born = world.pupils["x"].birth_date
    with refused("adaptation.starts_before_birth") as refusal:
        services.adaptation_create(
            actor=world.users["mentor_a"],
            pupil=world.pupils["x"],
            school_unit_id=world.units["a"].pk,
            values={
                "need_categories": [b.NEED],
                "need_description": "Behöver stöd",
                "measure": "Uppdelade uppgifter",
                "responsible": world.users["teacher_a"],
                "starts_on": born - timedelta(days=1),
                "evaluate_on": today(),
            },
            today=today(),
        )
    assert born.isoformat() in refusal.value.refusal.text()
    assert not Adaptation.objects.exists()
    adaptation = b.adaptation(world)
    with refused("adaptation.starts_before_birth"):
        services.adaptation_update(
            actor=world.users["mentor_a"],
            adaptation=adaptation,
            expected_version=adaptation.version,
            values={"starts_on": date(1, 1, 1)},
            today=today(),
        )


# --------------------------------------------------------------------------- pages


def _text(response: HttpResponse) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["serve", "correct"])
@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"])
def test_absurd_days_in_the_receipt_form_give_a_swedish_message_not_a_500(
    world: World, form: str, typed: str
) -> None:
    decision = b.no_programme_decision(world)
    row = b.guardian_row(decision)
    if form == "correct":
        row = b.serve(world, row, decision.decided_on + timedelta(days=1))
    principal = world.client_for("principal_a")
    principal.raise_request_exception = False
    on_row = {"decision_id": decision.pk, "service_id": row.pk}
    prefix = ("s" if form == "serve" else "c") + row.pk.hex[:8]
    posted = {f"{prefix}-received_on": typed, f"{prefix}-reason": "Fel dag."}
    if form == "serve":
        posted[f"{prefix}-method"] = "letter"
    url = reverse(
        "support:decision_serve" if form == "serve" else "support:decision_correct_receipt",
        kwargs=on_row,
    )
    response = principal.post(url, posted)
    assert response.status_code == 200
    page = _text(response)
    assert "44 § förvaltningslagen" in page
    assert ("före beslutsdagen" if typed.startswith("0001") else "i framtiden") in page
    assert typed in page  # what was typed stays
    # The sent day too.
    if form == "serve":
        sent = principal.post(url, {f"{prefix}-method": "letter", f"{prefix}-sent_on": typed})
        assert sent.status_code == 200
        assert "skickats före beslutsdagen" in _text(sent) or "i framtiden" in _text(sent)


@pytest.mark.django_db
def test_registration_and_forwarding_show_that_a_guardian_is_needed(world: World) -> None:
    decision = b.no_programme_decision(world)
    pupil = _pupil_row(decision)
    principal = world.client_for("principal_a")
    register = reverse("support:appeal_register", kwargs={"decision_id": decision.pk})
    page = _text(principal.get(register))
    assert 'id="guardian-needed"' in page
    assert "29 kap. 12 § skollagen" in page
    assert "räknas från vårdnadshavarnas delgivning" in page
    response = principal.post(
        register,
        {"service": pupil.pk, "lodged_on": today().isoformat(), "content": "Jag överklagar."},
    )
    assert response.status_code == 302  # registered all the same: the board judges standing
    appeal = Appeal.objects.get(service=pupil)
    detail = reverse("support:appeal_detail", kwargs={"appeal_id": appeal.pk})
    page = _text(principal.get(detail))
    assert "Vårdnadshavare behövs." in page
    assert "Vårdnadshavarna hade inte alla fått del av beslutet" in page
    handle = reverse("support:appeal_handle", kwargs={"appeal_id": appeal.pk})
    forwarded = principal.post(handle, {"action": "forward", "note": ""}, follow=True)
    assert forwarded.status_code == 200
    assert "får inte själv föra sin talan" in _text(forwarded)
    assert Appeal.objects.get(pk=appeal.pk).state == wf.AppealState.FORWARDED


@pytest.mark.django_db
def test_a_guardians_appeal_shows_no_guardian_note(world: World) -> None:
    decision = b.no_programme_decision(world)
    row = b.serve(world, b.guardian_row(decision), today())
    appeal = b.register_appeal(world, decision, row)
    page = _text(
        world.client_for("principal_a").get(
            reverse("support:appeal_detail", kwargs={"appeal_id": appeal.pk})
        )
    )
    assert "Vårdnadshavare behövs." not in page


@pytest.mark.django_db
def test_the_pupils_and_the_guardians_views_say_who_acts_for_a_pupil_under_16(
    world: World,
) -> None:
    decision = b.no_programme_decision(world)
    url = reverse("support:decision_detail", kwargs={"decision_id": decision.pk})
    pupil_page = _text(world.client_for("pupil_x").get(url))
    assert "Du har inte fyllt 16 år" in pupil_page
    assert "startar din bekräftelse ingen tid för att överklaga" in pupil_page
    assert "börjar din tid att överklaga: tre veckor från i dag" not in pupil_page
    guardian_page = _text(world.client_for("guardian_x").get(url))
    assert "Det är ni vårdnadshavare som för talan" in guardian_page
    # Once the pupil has confirmed, her own page says the time runs from the guardians'.
    services.service_confirm_receipt(
        actor=world.users["pupil_x"], service=_pupil_row(decision), today=today()
    )
    assert "tiden för att överklaga räknas från den dag dina vårdnadshavare" in _text(
        world.client_for("pupil_x").get(url)
    )
    staff_page = _text(world.client_for("principal_a").get(url))
    assert "räknas från vårdnadshavarnas delgivning (29 kap. 12 § skollagen)" in staff_page


@pytest.mark.django_db
def test_the_familys_support_page_says_who_appeals_for_a_pupil_under_16(world: World) -> None:
    _born(world, _years_ago(14))
    b.no_programme_decision(world)
    url = reverse("support:pupil_support", kwargs={"pupil_id": world.pupils["x"].pk})
    pupil_page = _text(world.client_for("pupil_x").get(url))
    assert "Du har inte fyllt 16 år" in pupil_page
    assert "Du kan överklaga ett beslut inom tre veckor" not in pupil_page
    guardian_page = _text(world.client_for("guardian_x").get(url))
    assert "Det är ni vårdnadshavare som för talan" in guardian_page
    _born(world, _years_ago(17))
    assert "Du får själv överklaga beslutet" in _text(world.client_for("pupil_x").get(url))


@pytest.mark.django_db
def test_a_pupil_of_16_is_told_she_may_appeal_herself(world: World) -> None:
    _born(world, _years_ago(17))
    decision = b.no_programme_decision(world)
    url = reverse("support:decision_detail", kwargs={"decision_id": decision.pk})
    page = _text(world.client_for("pupil_x").get(url))
    assert "Du får själv överklaga beslutet" in page
    assert "börjar din tid att överklaga: tre veckor från i dag" in page


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["0001-01-01", "1999-01-01"])
def test_the_adaptation_form_refuses_a_start_before_the_pupil_was_born(
    world: World, typed: str
) -> None:
    mentor = world.client_for("mentor_a")
    url = reverse("support:adaptation_create", kwargs={"pupil_id": world.pupils["x"].pk})
    response = mentor.post(
        url,
        {
            "need_categories": [b.NEED],
            "need_description": "Behöver stöd",
            "measure": "Uppdelade uppgifter",
            "responsible": str(world.users["mentor_a"].pk),
            "starts_on": typed,
            "evaluate_on": today().isoformat(),
        },
    )
    assert response.status_code == 200
    page = _text(response)
    assert "Startdatumet ligger före elevens födelsedag" in page
    assert typed in page
    assert not Adaptation.objects.exists()


# --------------------------------------------------------------------------- the API


def _post(client: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


@pytest.mark.django_db
def test_the_api_confirmation_of_a_pupil_under_16_starts_no_appeal_time(world: World) -> None:
    decision = b.no_programme_decision(world)
    row = _pupil_row(decision)
    response = _post(
        world.client_for("pupil_x"), f"/api/v1/decisions/{decision.pk}/services/{row.pk}/receipt"
    )
    assert response.status_code == 200, response.json()
    own = next(s for s in response.json()["services"] if s["id"] == str(row.pk))
    assert own["received_on"] == today().isoformat()
    assert own["appeal_deadline"] is None


def _clear_refusal(response: Any) -> str:
    """A 409 naming the rule, or a 422 naming the field: JSON with a Swedish message, never a
    500 (the API may bound dates in its schema before the rules see them)."""
    assert response.status_code in (409, 422), response.content
    body = response.json()
    if response.status_code == 409:
        assert body["paragraph"]
        return str(body["message"])
    return " ".join(str(error["msg"]) for error in body["detail"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("0001-01-01", None),
        ("9999-12-31", None),
        ("before", "service.received_before_decision"),
        ("future", "service.received_in_future"),
    ],
)
def test_the_api_refuses_a_receipt_before_the_decision_or_absurd(
    world: World, typed: str, rule: str | None
) -> None:
    decision = b.no_programme_decision(world)
    row = b.guardian_row(decision)
    day = {
        "before": (decision.decided_on - timedelta(days=1)).isoformat(),
        "future": (today() + timedelta(days=30)).isoformat(),
    }.get(typed, typed)
    client = world.client_for("principal_a")
    client.raise_request_exception = False
    response = _post(
        client,
        f"/api/v1/decisions/{decision.pk}/services/{row.pk}/",
        {"method": "letter", "received_on": day},
    )
    assert "datum" in _clear_refusal(response).lower() or response.status_code == 409
    if rule is not None:
        assert response.status_code == 409
        assert response.json()["code"] == rule
        assert "44 § förvaltningslagen" in response.json()["paragraph"]
    row.refresh_from_db()
    assert row.received_on is None


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["starts_on", "evaluate_on", "guardian_informed_on"])
@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"])
def test_absurd_days_in_the_adaptation_api_give_a_clear_message_not_a_500(
    world: World, field: str, typed: str
) -> None:
    client = world.client_for("mentor_a")
    client.raise_request_exception = False
    body = {
        "pupil": str(world.pupils["x"].pk),
        "need_categories": ["reading_writing"],
        "need_description": "Behöver stöd.",
        "measure": "Inlästa läromedel",
        field: typed,
    }
    message = _clear_refusal(_post(client, "/api/v1/adaptations/", body))
    assert "datum" in message.lower() or "utvärdering" in message.lower()
    assert not Adaptation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "years", "rule"),
    [
        ("starts_on", -60, "adaptation.starts_before_birth"),
        ("starts_on", 2, "adaptation.starts_too_late"),
        ("evaluate_on", 2, "adaptation.evaluation_out_of_range"),
        ("guardian_informed_on", 1, "adaptation.informed_out_of_range"),
    ],
)
def test_the_adaptation_api_refuses_days_that_cannot_be_with_the_rule(
    world: World, field: str, years: int, rule: str
) -> None:
    client = world.client_for("mentor_a")
    body = {
        "pupil": str(world.pupils["x"].pk),
        "need_categories": ["reading_writing"],
        "need_description": "Behöver stöd.",
        "measure": "Inlästa läromedel",
        field: (today() + timedelta(days=366 * years)).isoformat(),
    }
    response = _post(client, "/api/v1/adaptations/", body)
    assert response.status_code == 409, response.content
    assert response.json()["code"] == rule
    assert response.json()["paragraph"] == "3 kap. 5 § skollagen"
    assert not Adaptation.objects.exists()
