"""The pages: status codes, forms without JavaScript, 400 with what the user typed, the access
log, and who sees what (the authorization matrix covers every persona; these follow the flows)."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from elevstod.audit.models import AccessAction, AccessEvent, AccessOutcome
from elevstod.specialed.models import (
    CompetencePlan,
    Goal,
    Intervention,
    Period,
    PlanFollowUp,
    PlannedActivity,
    Report,
    ReportState,
)
from tests.factories import UserFactory, current_academic_year, duty
from tests.matrix_rows.specialed import goal, intervention, period, plan, report
from tests.world import CANARIES, World


def _html(response: HttpResponse) -> str:
    return response.content.decode()


def _entry_data(world: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "performed_on": timezone.localdate().isoformat(),
        "level": "individual",
        "kind": "assessment",
        "group": "",
        "pupil": str(world.pupils["x"].pk),
        "minutes": "50",
        "description": "Pedagogisk bedömning av läsningen tillsammans med mentor.",
        "hinders": "Långa genomgångar utan bildstöd.",
        "supports": "Inläst läromedel.",
        "goal": "",
    }
    data.update(changes)
    return data


# ----------------------------------------------------------------------------- entry page


def test_entry_page_shows_goals_recent_work_and_reports_waiting(world: World) -> None:
    running = period(world, name="HT Test")
    goal(world, running, "Bildstöd i alla klassrum")
    intervention(world, pupil="x")
    report(world, state="submitted")
    html = _html(world.client_for("principal_a").get(reverse("specialed:index")))
    assert "Björkskolan" in html
    assert "HT Test" in html
    assert "Bildstöd i alla klassrum" in html
    assert "Rapporter som väntar på uppföljning" in html
    assert reverse("specialed:intervention_list", args=[world.units["a"].pk]) in html
    # The entry page shows the work, never the pupils.
    assert CANARIES["x"] not in html


def test_entry_page_tells_the_special_educator_what_to_do(world: World) -> None:
    html = _html(world.client_for("special_educator_a").get(reverse("specialed:index")))
    assert "Dokumentera insats" in html
    assert "Du har ingen kompetensplan för läsåret." in html
    assert reverse("specialed:plan_create", args=[world.units["a"].pk]) in html


def test_entry_page_is_not_for_teachers_the_huvudman_or_families(world: World) -> None:
    for persona in ("teacher_a", "mentor_a", "huvudman_admin", "guardian_x", "pupil_x"):
        assert world.client_for(persona).get(reverse("specialed:index")).status_code == 404


# ----------------------------------------------------------------------------- interventions


def test_recording_an_intervention_without_javascript(world: World) -> None:
    client = world.client_for("special_educator_a")
    url = reverse("specialed:intervention_create", args=[world.units["a"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _entry_data(world))
    assert response.status_code == 302
    entry = Intervention.objects.get()
    assert entry.pupil == world.pupils["x"]
    assert entry.created_by == world.users["special_educator_a"]
    logged = AccessEvent.objects.filter(pupil_id=world.pupils["x"].pk)
    # The access check (the one door) and the change, both naming the acting role.
    assert set(logged.values_list("action", flat=True)) == {AccessAction.VIEW, AccessAction.CREATE}
    assert set(logged.values_list("acting_role", flat=True)) == {"special_education"}


def test_bad_input_is_400_and_keeps_what_was_typed(world: World) -> None:
    client = world.client_for("special_educator_a")
    url = reverse("specialed:intervention_create", args=[world.units["a"].pk])
    response = client.post(
        url,
        _entry_data(
            world,
            level="organisation",
            minutes="900",
            hinders="Ljudnivån i matsalen",
            description="",
        ),
    )
    assert response.status_code == 400
    html = _html(response)
    assert "Ljudnivån i matsalen" in html
    assert 'value="900"' in html
    assert "Beskriv vad som gjordes." in html
    assert "En elev kan bara anges för en insats på individnivå" in html
    assert "Längre arbete dokumenteras per dag" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_description_error"' in html
    assert not Intervention.objects.exists()


def test_a_date_in_the_future_is_refused(world: World) -> None:
    client = world.client_for("special_educator_a")
    url = reverse("specialed:intervention_create", args=[world.units["a"].pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, _entry_data(world, performed_on=tomorrow))
    assert response.status_code == 400
    assert "Datumet kan inte ligga i framtiden." in _html(response)


def test_a_pupil_at_another_unit_cannot_be_chosen(world: World) -> None:
    client = world.client_for("special_educator_a")
    url = reverse("specialed:intervention_create", args=[world.units["a"].pk])
    response = client.post(url, _entry_data(world, pupil=str(world.pupils["y"].pk)))
    assert response.status_code == 400
    assert "Välj en elev i listan." in _html(response)
    assert CANARIES["y"] not in _html(response)
    assert not Intervention.objects.exists()


def test_the_rektor_cannot_record_and_a_post_changes_nothing(world: World) -> None:
    url = reverse("specialed:intervention_create", args=[world.units["a"].pk])
    response = world.client_for("principal_a").post(url, _entry_data(world))
    assert response.status_code == 404
    assert not Intervention.objects.exists()


def test_list_filters_totals_and_is_one_list_row_in_the_log(world: World) -> None:
    intervention(world, pupil="x", kind="teaching", minutes=30)
    intervention(world, pupil="w", kind="teaching", minutes=60)
    intervention(world, level="group", kind="staff_guidance", minutes=90)
    client = world.client_for("principal_a")
    url = reverse("specialed:intervention_list", args=[world.units["a"].pk])
    before = AccessEvent.objects.count()
    response = client.get(url, {"niva": "individual"})
    assert response.status_code == 200
    html = _html(response)
    assert CANARIES["x"] in html
    assert CANARIES["w"] in html
    assert "Handledning av personal" in html  # in the totals table, with zero
    assert '<tfoot><tr><th scope="row">Totalt</th><td>2</td><td>1,5</td></tr></tfoot>' in html
    events = AccessEvent.objects.order_by("-id")[: AccessEvent.objects.count() - before]
    assert [(e.action, e.school_unit_id) for e in events] == [
        (AccessAction.LIST, world.units["a"].pk)
    ]


def test_a_bad_filter_is_400_and_keeps_the_typed_value(world: World) -> None:
    client = world.client_for("special_educator_a")
    url = reverse("specialed:intervention_list", args=[world.units["a"].pk])
    response = client.get(url, {"fran": "2026-10-10", "till": "2026-09-01"})
    assert response.status_code == 400
    html = _html(response)
    assert "Slutdatumet kan inte ligga före startdatumet." in html
    assert 'value="2026-09-01"' in html


def test_list_is_paginated_newest_first(world: World) -> None:
    for days_ago in range(1, 28):
        intervention(world, days_ago=days_ago, description=f"Insats {days_ago} dagar sedan")
    client = world.client_for("special_educator_a")
    url = reverse("specialed:intervention_list", args=[world.units["a"].pk])
    first = _html(client.get(url))
    assert "Insats 1 dagar sedan" in first
    assert "Insats 27 dagar sedan" not in first
    assert first.index("Insats 1 dagar sedan") < first.index("Insats 2 dagar sedan")
    assert "Sida 1 av 2" in first
    second = _html(client.get(url, {"sida": 2}))
    assert "Insats 27 dagar sedan" in second


def test_an_entry_about_a_protected_pupil_is_hidden_from_the_rektor(world: World) -> None:
    entry = intervention(world, pupil="z", description="Anteckning om skyddad elev")
    principal = world.client_for("principal_a")
    listing = _html(
        principal.get(reverse("specialed:intervention_list", args=[world.units["a"].pk]))
    )
    assert CANARIES["z"] not in listing
    assert "Anteckning om skyddad elev" not in listing
    assert "En elev du inte har tillgång till" in listing
    detail = principal.get(reverse("specialed:intervention_detail", args=[entry.pk]))
    assert detail.status_code == 404
    assert AccessEvent.objects.filter(
        pupil_id=world.pupils["z"].pk,
        outcome=AccessOutcome.DENIED,
        actor_id=world.users["principal_a"].pk,
    ).exists()
    # The assigned special educator reads it, and the read is logged.
    own = world.client_for("special_educator_a").get(
        reverse("specialed:intervention_detail", args=[entry.pk])
    )
    assert own.status_code == 200
    assert CANARIES["z"] in _html(own)
    assert AccessEvent.objects.filter(
        pupil_id=world.pupils["z"].pk,
        action=AccessAction.VIEW,
        outcome=AccessOutcome.ALLOWED,
        actor_id=world.users["special_educator_a"].pk,
    ).exists()


def test_only_the_author_edits_and_a_colleague_only_reads(world: World) -> None:
    colleague = UserFactory(username="special_teacher_a")
    duty(colleague, world.units["a"], "special_teacher")
    world.users["special_teacher_a"] = colleague
    world.devices["special_teacher_a"] = TOTPDevice.objects.create(
        user=colleague, name="app", confirmed=True
    )
    entry = intervention(world, pupil="x")
    client = world.client_for("special_teacher_a")
    assert client.get(reverse("specialed:intervention_detail", args=[entry.pk])).status_code == 200
    edit = reverse("specialed:intervention_edit", args=[entry.pk])
    assert client.post(edit, _entry_data(world, description="Kollegans text")).status_code == 404
    entry.refresh_from_db()
    assert entry.description != "Kollegans text"

    author = world.client_for("special_educator_a")
    assert author.get(edit).status_code == 200
    response = author.post(edit, _entry_data(world, description="Rättad text", minutes="55"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.description, entry.minutes) == ("Rättad text", 55)
    assert entry.updated_by == world.users["special_educator_a"]


# ----------------------------------------------------------------------------- periods and goals


def test_the_rektor_sets_up_a_period_and_goals(world: World) -> None:
    client = world.client_for("principal_a")
    url = reverse("specialed:period_list", args=[world.units["a"].pk])
    page = _html(client.get(url))
    assert 'name="name"' in page  # prefilled with the running or the next term
    response = client.post(
        url,
        {
            "name": "VT 2027",
            "kind": "term",
            "starts_on": "2027-01-08",
            "ends_on": "2027-06-11",
            "assignment": "Förebyggande arbete i åk 4–6.",
            "dialogue_on": "",
        },
    )
    assert response.status_code == 302
    created = Period.objects.get(name="VT 2027")
    assert created.created_by == world.users["principal_a"]
    goal_url = reverse("specialed:goal_create", args=[created.pk])
    bad = client.post(goal_url, {"text": "Fler handledningar", "indicator": ""})
    assert bad.status_code == 400
    assert "Fler handledningar" in _html(bad)
    assert "Beskriv hur ni ska veta att målet nås." in _html(bad)
    good = client.post(
        goal_url,
        {
            "text": "Fler handledningar",
            "indicator": "Två per arbetslag",
            "special_educator": str(world.users["special_educator_a"].pk),
        },
    )
    assert good.status_code == 302
    made = Goal.objects.get(period=created)
    assert made.special_educator == world.users["special_educator_a"]


def test_a_bad_period_is_400_and_keeps_the_text(world: World) -> None:
    client = world.client_for("deputy_a")
    url = reverse("specialed:period_list", args=[world.units["a"].pk])
    response = client.post(
        url,
        {
            "name": "HT Fel",
            "kind": "term",
            "starts_on": "2026-12-01",
            "ends_on": "2026-08-01",
            "assignment": "Text som inte får försvinna",
        },
    )
    assert response.status_code == 400
    html = _html(response)
    assert "Text som inte får försvinna" in html
    assert 'value="HT Fel"' in html
    assert "Slutdatumet kan inte ligga före startdatumet." in html
    period(world, name="HT Dubblett")
    duplicate = client.post(
        url,
        {"name": "HT Dubblett", "kind": "term", "starts_on": "2026-08-01", "ends_on": "2026-12-20"},
    )
    assert duplicate.status_code == 400
    assert "Det finns redan en period med det namnet" in _html(duplicate)


def test_special_educators_read_periods_but_do_not_write_them(world: World) -> None:
    running = period(world)
    client = world.client_for("special_educator_a")
    url = reverse("specialed:period_list", args=[world.units["a"].pk])
    assert 'name="starts_on"' not in _html(client.get(url))
    assert client.post(url, {"name": "Smygperiod"}).status_code == 404
    assert client.get(reverse("specialed:period_edit", args=[running.pk])).status_code == 404
    assert client.get(reverse("specialed:period_detail", args=[running.pk])).status_code == 200


# ----------------------------------------------------------------------------- reports


def test_the_report_flow_from_draft_to_new_goals(world: World) -> None:
    running = period(world, name="HT Rapport")
    the_goal = goal(world, running)
    intervention(world, pupil="x", minutes=60)
    author = world.client_for("special_educator_a")
    rektor = world.client_for("principal_a")

    start = author.post(reverse("specialed:report_create", args=[running.pk]))
    draft = Report.objects.get(period=running)
    assert start.status_code == 302
    assert start["Location"] == reverse("specialed:report_edit", args=[draft.pk])
    # A draft is the author's: the rektor does not see it yet.
    assert rektor.get(reverse("specialed:report_detail", args=[draft.pk])).status_code == 404

    edit = reverse("specialed:report_edit", args=[draft.pk])
    hand_in = reverse("specialed:report_submit", args=[draft.pk])
    assert f'formaction="{hand_in}"' in _html(author.get(edit))
    result_field = f"result_{the_goal.pk}"
    analysis_field = f"analysis_{the_goal.pk}"
    refused = author.post(
        hand_in,
        {
            result_field: "Sju av tio klassrum",
            analysis_field: "",
            "overall_analysis": "",
            "improvements": "Samplanering\nÖvergångar",
        },
    )
    assert refused.status_code == 400
    assert "Sju av tio klassrum" in _html(refused)
    assert "Skriv en samlad analys" in _html(refused)
    draft.refresh_from_db()
    assert draft.state == ReportState.DRAFT

    sent = author.post(
        hand_in,
        {
            result_field: "Sju av tio klassrum",
            analysis_field: "Samplaneringen gav effekt",
            "overall_analysis": "Gruppnivån har ökat.",
            "improvements": "Samplanering\nÖvergångar",
        },
    )
    assert sent.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ReportState.SUBMITTED
    assert draft.figures["count"] == 1
    assert author.get(edit).status_code == 404  # no longer editable

    review = reverse("specialed:report_review", args=[draft.pk])
    assert rektor.get(review).status_code == 200
    missing = rektor.post(review, {"comment": "Bra rapport"})
    assert missing.status_code == 400
    assert "Bra rapport" in _html(missing)
    assert "Ange om målet är uppnått" in _html(missing)
    done = rektor.post(
        review,
        {"comment": "Bra rapport", f"attainment_{the_goal.pk}": "partly"},
    )
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ReportState.REVIEWED
    assert draft.reviewed_by == world.users["principal_a"]

    detail = _html(rektor.get(reverse("specialed:report_detail", args=[draft.pk])))
    assert "Delvis uppnått" in detail
    assert "Det finns ingen senare period ännu." in detail
    start_next = running.ends_on + timedelta(days=1)
    later = period(world, name="VT Nästa", starts_on=start_next, ends_on=start_next + timedelta(90))
    adopt = reverse("specialed:report_adopt", args=[draft.pk])
    assert rektor.post(adopt, {"period": ""}).status_code == 400
    adopted = rektor.post(adopt, {"period": str(later.pk)})
    assert adopted.status_code == 302
    assert list(Goal.objects.filter(period=later).values_list("text", flat=True)) == [
        "Samplanering",
        "Övergångar",
    ]
    again = rektor.post(adopt, {"period": str(later.pk)})
    assert again.status_code == 302  # refused with a message, nothing added
    assert Goal.objects.filter(period=later).count() == 2


def test_the_rektor_returns_a_report_with_a_reason(world: World) -> None:
    submitted = report(world, state="submitted")
    client = world.client_for("deputy_a")
    review = reverse("specialed:report_review", args=[submitted.pk])
    send_back = reverse("specialed:report_return", args=[submitted.pk])
    assert f'formaction="{send_back}"' in _html(client.get(review))
    assert client.get(send_back).status_code == 405
    empty = client.post(send_back, {"comment": ""})
    assert empty.status_code == 400
    assert "Skriv vad som behöver kompletteras." in _html(empty)
    response = client.post(send_back, {"comment": "Analysen saknas för mål 1."})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ReportState.DRAFT
    page = world.client_for("special_educator_a").get(
        reverse("specialed:report_edit", args=[submitted.pk])
    )
    assert "Analysen saknas för mål 1." in _html(page)


# ----------------------------------------------------------------------------- competence plans


def test_the_special_educator_makes_a_plan_and_the_rektor_agrees(world: World) -> None:
    client = world.client_for("special_educator_a")
    url = reverse("specialed:plan_create", args=[world.units["a"].pk])
    assert client.get(url).status_code == 200
    data = {
        "academic_year": str(current_academic_year().pk),
        "assignment_description": "Åk 7–9",
        "development_needs": "Språkutvecklande arbetssätt",
    }
    bad = client.post(url, {**data, "development_needs": ""})
    assert bad.status_code == 400
    assert "Åk 7–9" in _html(bad)
    assert "Beskriv behoven av kompetensutveckling." in _html(bad)
    good = client.post(url, data)
    assert good.status_code == 302
    the_plan = CompetencePlan.objects.get()
    rektor = world.client_for("principal_a")
    assert rektor.post(reverse("specialed:plan_agree", args=[the_plan.pk])).status_code == 302
    the_plan.refresh_from_db()
    assert the_plan.agreed_by == world.users["principal_a"]
    # Once agreed, a second agreement is refused with the reason.
    again = rektor.post(reverse("specialed:plan_agree", args=[the_plan.pk]))
    assert again.status_code == 400
    assert "Planen är redan överenskommen." in _html(again)
    # The special educator cannot agree their own plan.
    assert client.post(reverse("specialed:plan_agree", args=[the_plan.pk])).status_code == 404


def test_plan_follow_ups_and_activities_keep_typed_text_on_errors(world: World) -> None:
    the_plan = plan(world)
    rektor = world.client_for("principal_a")
    follow_up = reverse("specialed:plan_follow_up", args=[the_plan.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    bad = rektor.post(follow_up, {"on_date": tomorrow, "text": "Avstämning i december"})
    assert bad.status_code == 400
    assert "Avstämning i december" in _html(bad)
    assert (
        rektor.post(
            follow_up, {"on_date": timezone.localdate().isoformat(), "text": "Avstämning"}
        ).status_code
        == 302
    )
    assert PlanFollowUp.objects.get().created_by == world.users["principal_a"]

    owner = world.client_for("special_educator_a")
    add = reverse("specialed:activity_create", args=[the_plan.pk])
    assert rektor.get(add).status_code == 404
    refused = owner.post(add, {"kind": "course", "title": "Läsa-skriva-räkna", "done_on": tomorrow})
    assert refused.status_code == 400
    assert "Läsa-skriva-räkna" in _html(refused)
    assert "Ett genomfört datum kan inte ligga i framtiden." in _html(refused)
    assert owner.post(add, {"kind": "course", "title": "Läsa-skriva-räkna"}).status_code == 302
    activity = PlannedActivity.objects.get()
    edit = reverse("specialed:activity_edit", args=[activity.pk])
    response = owner.post(
        edit,
        {
            "kind": "course",
            "title": "Läsa-skriva-räkna",
            "done_on": timezone.localdate().isoformat(),
            "outcome": "Används i handledningen",
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.updated_by == world.users["special_educator_a"]
    assert activity.done_on == timezone.localdate()


def test_editing_an_agreed_plan_shows_the_earlier_version(world: World) -> None:
    the_plan = plan(world)
    world.client_for("principal_a").post(reverse("specialed:plan_agree", args=[the_plan.pk]))
    owner = world.client_for("special_educator_a")
    edit = reverse("specialed:plan_edit", args=[the_plan.pk])
    assert "sparas den överenskomna versionen" in _html(owner.get(edit))
    owner.post(
        edit,
        {"assignment_description": the_plan.assignment_description, "development_needs": "Nytt"},
    )
    page = _html(owner.get(reverse("specialed:plan_detail", args=[the_plan.pk])))
    assert "Tidigare överenskomna versioner" in page
    assert "Fördjupning i språkutvecklande arbetssätt." in page  # the agreed text, kept
    assert "behöver överenskommas på nytt" in page


def test_another_units_leader_sees_no_plans_or_reports_of_unit_a(world: World) -> None:
    the_plan = plan(world)
    submitted = report(world, state="submitted")
    client = world.client_for("principal_b")
    assert client.get(reverse("specialed:plan_detail", args=[the_plan.pk])).status_code == 404
    assert client.get(reverse("specialed:report_detail", args=[submitted.pk])).status_code == 404
    listing = _html(client.get(reverse("specialed:plan_list", args=[world.units["b"].pk])))
    assert "Inga kompetensplaner att visa." in listing


def test_a_goal_added_after_the_draft_started_can_be_reported_on(world: World) -> None:
    draft = report(world)
    added = goal(world, draft.period, "Ett mål som kom till senare")
    author = world.client_for("special_educator_a")
    edit = reverse("specialed:report_edit", args=[draft.pk])
    assert "Ett mål som kom till senare" in _html(author.get(edit))
    first = draft.goal_entries.get()
    response = author.post(
        edit,
        {
            f"result_{first.goal_id}": "Första resultatet",
            f"result_{added.pk}": "Resultat för det nya målet",
            "overall_analysis": "",
            "improvements": "",
        },
    )
    assert response.status_code == 302
    saved = draft.goal_entries.get(goal=added)
    assert saved.result == "Resultat för det nya målet"
