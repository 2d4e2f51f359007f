"""The first half of the chain through the browser's eyes (views_chain): concern → adaptation →
evaluation → report → receipt → investigation → conflict → conclusion, autosave, refusals,
the family's view, and query counts that do not grow with the data."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from elevstod.audit.models import AccessAction, AccessEvent, AccessOutcome
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    Concern,
    Draft,
    Investigation,
    Referral,
)
from tests.matrix_rows.chain import first_half_for
from tests.matrix_rows.programme import chain_for
from tests.world import CANARIES, World

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _iso(days: int = 0) -> str:
    return (_today() + timedelta(days=days)).isoformat()


def _investigation_post(version: int, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": str(version),
        "needs-TOTAL_FORMS": "1",
        "needs-INITIAL_FORMS": "0",
        "needs-MIN_NUM_FORMS": "0",
        "needs-MAX_NUM_FORMS": "30",
        "needs-0-category": "",
        "needs-0-description": "",
    }
    data.update(fields)
    return data


# ----------------------------------------------------------------------------- the walk


def test_the_first_half_of_the_chain_walks_from_concern_to_concluded_assessment(
    world: World,
) -> None:
    x = world.pupils["x"]
    mentor = world.client_for("mentor_a")
    teacher = world.client_for("teacher_a")
    principal = world.client_for("principal_a")
    educator = world.client_for("special_educator_a")

    # The mentor raises a concern.
    response = mentor.post(
        reverse("support:concern_create", kwargs={"pupil_id": x.pk}),
        {"source": "teaching", "subject": "Svenska", "description": "Skriver nästan ingenting."},
    )
    concern = Concern.objects.get(pupil=x)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "support:concern_detail", kwargs={"concern_id": concern.pk}
    )
    assert concern.created_by == world.users["mentor_a"]

    # …and answers it with an extra adaptation that the maths teacher carries out.
    url = reverse("support:adaptation_create", kwargs={"pupil_id": x.pk})
    form = mentor.get(url, {"oro": concern.pk})
    assert form.status_code == 200
    assert "Skriver nästan" not in form.content.decode()  # the concern is named by date only
    response = mentor.post(
        url,
        {
            "concern": str(concern.pk),
            "need_categories": ["reading_writing"],
            "need_description": "Behöver struktur för att komma igång",
            "measure": "Skrivmall och delmål på tavlan",
            "responsible": str(world.users["teacher_a"].pk),
            "subject": "Svenska",
            "group": "",
            "starts_on": _iso(),
            "evaluate_on": _iso(21),
            "guardian_informed_on": "",
        },
    )
    adaptation = Adaptation.objects.get(pupil=x)
    assert response.status_code == 302
    assert adaptation.concern == concern
    assert adaptation.responsible == world.users["teacher_a"]
    concern.refresh_from_db()
    assert concern.state == wf.ConcernState.ADAPTATIONS

    # The teacher evaluates it: not sufficient, refer to the principal.
    response = teacher.post(
        reverse("support:adaptation_detail", kwargs={"adaptation_id": adaptation.pk}),
        {
            "action": "evaluate",
            "effect": "not_sufficient",
            "pupil_view": "Mallen hjälper lite.",
            "comment": "",
            "next_step": "refer",
            "next_evaluation_on": "",
        },
    )
    assert response.status_code == 302
    refer_url = response["Location"]
    assert refer_url.startswith(reverse("support:referral_create", kwargs={"pupil_id": x.pk}))
    adaptation.refresh_from_db()
    # Extra adaptations continue while the need is investigated: only "end" ends them.
    assert adaptation.state == wf.AdaptationState.ACTIVE

    # The report form has the adaptation chosen, the ground preselected and the evaluation shown.
    page = teacher.get(refer_url)
    body = page.content.decode()
    assert page.status_code == 200
    checkbox = re.search(rf'<input type="checkbox"[^>]*value="{adaptation.pk}"[^>]*>', body)
    assert checkbox is not None
    assert "checked" in checkbox.group(0)
    ground = re.search(r'<input type="radio"[^>]*value="despite_adaptations"[^>]*>', body)
    assert ground is not None
    assert "checked" in ground.group(0)
    assert "Inte tillräcklig" in body

    response = teacher.post(
        refer_url,
        {
            "ground": "despite_adaptations",
            "description": "Risken kvarstår trots skrivmallen.",
            "results": "",
            "adaptations": [str(adaptation.pk)],
            "guardian_informed": "on",
        },
    )
    referral = Referral.objects.get(pupil=x)
    assert response.status_code == 302
    assert list(referral.adaptations.all()) == [adaptation]
    # The author may follow their own report (a participant) although not in the case team.
    assert teacher.get(response["Location"]).status_code == 200

    # The principal receives it: the "skyndsamt" clock starts and the deadline is shown.
    detail = reverse("support:referral_detail", kwargs={"referral_id": referral.pk})
    assert "Kvittera anmälan" in principal.get(detail).content.decode()
    assert principal.post(detail, {"action": "receive"}).status_code == 302
    referral.refresh_from_db()
    assert referral.state == wf.CaseState.RECEIVED
    body = principal.get(detail).content.decode()
    assert "Inled utredning senast" in body
    # The teacher (no unit-wide role) cannot receive or open.
    assert teacher.post(detail, {"action": "open"}).status_code == 404

    # …and opens the investigation with two investigators from the unit's staff.
    response = principal.post(
        detail,
        {
            "action": "open",
            "investigators": [
                str(world.users["special_educator_a"].pk),
                str(world.users["mentor_a"].pk),
            ],
            "target_on": _iso(30),
        },
    )
    investigation = Investigation.objects.get(referral=referral)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "support:investigation_detail", kwargs={"investigation_id": investigation.pk}
    )
    assert set(investigation.investigators.all()) == {
        world.users["special_educator_a"],
        world.users["mentor_a"],
    }

    # Two investigators open the editor at version 1; the first saves.
    edit = reverse("support:investigation_edit", kwargs={"investigation_id": investigation.pk})
    assert mentor.get(edit).status_code == 200
    assert educator.get(edit).status_code == 200
    response = educator.post(
        edit,
        _investigation_post(1, individual_level="Specialpedagogens kartläggning.", action="save"),
    )
    assert response.status_code == 302

    # The second saves on the stale version: a conflict, both texts shown, nothing written.
    response = mentor.post(
        edit, _investigation_post(1, individual_level="Mentorns egen text.", action="save")
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Någon annan har sparat under tiden" in body
    assert "Specialpedagogens kartläggning." in body
    assert "Mentorns egen text." in body
    assert 'name="version" value="2"' in body
    investigation.refresh_from_db()
    assert investigation.individual_level == "Specialpedagogens kartläggning."

    # Concluding without EHT consultation or a reason is refused with the rule, input kept.
    response = mentor.post(
        edit,
        _investigation_post(
            2,
            individual_level="Sammanfogad kartläggning.",
            special_support_needed="yes",
            **{"needs-0-category": "reading_writing", "needs-0-description": "Skrivstöd"},
            action="conclude",
        ),
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Samråd med elevhälsan ska ske" in body
    assert "3 kap. 7 § andra stycket skollagen" in body
    assert "Sammanfogad kartläggning." in body
    investigation.refresh_from_db()
    assert investigation.assessed_on is None

    # With the consultation recorded the assessment is concluded and a programme drafted.
    response = mentor.post(
        edit,
        _investigation_post(
            investigation.version,
            individual_level="Sammanfogad kartläggning.",
            pupil_view="Jag vill ha mallen kvar.",
            guardian_view="Vi ser samma sak hemma.",
            eht_consulted="on",
            eht_consultation="Kuratorn deltog.",
            special_support_needed="yes",
            **{"needs-0-category": "reading_writing", "needs-0-description": "Skrivstöd"},
            action="conclude",
        ),
    )
    assert response.status_code == 302
    investigation.refresh_from_db()
    assert investigation.assessed_on == _today()
    assert [(n.category, n.description) for n in investigation.needs.all()] == [
        ("reading_writing", "Skrivstöd")
    ]
    assert ActionProgramme.objects.filter(
        investigation=investigation, state=wf.ProgrammeState.DRAFT
    ).exists()

    # The read view shows the assessment, never a diagnosis field.
    body = principal.get(response["Location"]).content.decode()
    assert "Ja, eleven är i behov av särskilt stöd." in body
    assert "Skrivstöd" in body
    assert "Kuratorn deltog." in body


# ----------------------------------------------------------------------------- refusals


def test_a_refused_report_shows_the_rule_and_keeps_what_was_typed(world: World) -> None:
    x = world.pupils["x"]
    response = world.client_for("mentor_a").post(
        reverse("support:referral_create", kwargs={"pupil_id": x.pk}),
        {"ground": "despite_adaptations", "description": "Min långa beskrivning av läget."},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Ange vilka extra anpassningar som har prövats" in body
    assert "3 kap. 7 § första stycket 1 skollagen" in body
    assert "Min långa beskrivning av läget." in body
    assert not Referral.objects.exists()


def test_closing_a_concern_without_a_reason_is_refused(world: World) -> None:
    concern = first_half_for(world, "y").concern
    Concern.objects.filter(pk=concern.pk).update(state=wf.ConcernState.OPEN)
    url = reverse("support:concern_detail", kwargs={"concern_id": concern.pk})
    client = world.client_for("principal_b")
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 409
    assert "Ange varför inget mer behöver göras." in response.content.decode()
    assert client.post(url, {"reason": "Löst i samtal."}).status_code == 302
    concern.refresh_from_db()
    assert concern.state == wf.ConcernState.CLOSED


def test_an_adaptation_edit_on_a_stale_version_shows_both_texts(world: World) -> None:
    adaptation = first_half_for(world, "x").adaptation
    url = reverse("support:adaptation_detail", kwargs={"adaptation_id": adaptation.pk})
    base = {
        "action": "edit",
        "version": "1",
        "need_categories": ["reading_writing"],
        "need_description": "Behöver stöd att strukturera texter",
        "responsible": str(world.users["teacher_a"].pk),
        "subject": "Svenska",
        "group": "",
        "starts_on": _iso(),
        "evaluate_on": _iso(30),
        "guardian_informed_on": "",
    }
    first = world.client_for("teacher_a").post(url, {**base, "measure": "Lärarens nya åtgärd"})
    assert first.status_code == 302
    second = world.client_for("mentor_a").post(url, {**base, "measure": "Mentorns åtgärd"})
    body = second.content.decode()
    assert second.status_code == 409
    assert "Lärarens nya åtgärd" in body
    assert "Mentorns åtgärd" in body
    adaptation.refresh_from_db()
    assert adaptation.measure == "Lärarens nya åtgärd"
    assert adaptation.version == 2


# ----------------------------------------------------------------------------- autosave


def test_autosave_keeps_a_draft_and_the_editor_restores_it(world: World) -> None:
    investigation = first_half_for(world, "x").investigation
    client = world.client_for("special_educator_a")
    save = reverse(
        "support:draft_autosave",
        kwargs={"record_type": "investigation", "record_id": investigation.pk},
    )
    response = client.post(
        save,
        _investigation_post(1, individual_level="Text som inte får försvinna", action="save"),
    )
    assert response.status_code == 204
    draft = Draft.objects.get(user=world.users["special_educator_a"], record_id=investigation.pk)
    assert draft.base_version == 1
    assert draft.data["individual_level"] == "Text som inte får försvinna"
    assert "action" not in draft.data
    assert "version" not in draft.data
    investigation.refresh_from_db()
    assert investigation.individual_level == ""  # autosave never writes the document

    edit = reverse("support:investigation_edit", kwargs={"investigation_id": investigation.pk})
    body = client.get(edit).content.decode()
    assert "Text som inte får försvinna" in body
    assert "osparade utkast" in body
    assert "autosave.js" in body
    # Another investigator does not get someone else's draft.
    assert (
        "Text som inte får försvinna" not in world.client_for("mentor_a").get(edit).content.decode()
    )

    # Saving removes the draft; discarding one works too.
    client.post(edit, _investigation_post(1, individual_level="Sparad text", action="save"))
    assert not Draft.objects.filter(record_id=investigation.pk).exists()


def test_the_adaptation_editor_restores_the_users_own_draft(world: World) -> None:
    adaptation = first_half_for(world, "x").adaptation
    client = world.client_for("teacher_a")
    save = reverse(
        "support:draft_autosave", kwargs={"record_type": "adaptation", "record_id": adaptation.pk}
    )
    response = client.post(
        save, {"version": "1", "measure": "Halvskriven ny åtgärd", "action": "edit"}
    )
    assert response.status_code == 204
    url = reverse("support:adaptation_detail", kwargs={"adaptation_id": adaptation.pk})
    body = client.get(url).content.decode()
    assert "Halvskriven ny åtgärd" in body
    assert "Släng utkastet" in body
    assert client.post(url, {"action": "discard_draft"}).status_code == 302
    assert not Draft.objects.filter(record_id=adaptation.pk).exists()
    assert "Halvskriven ny åtgärd" not in client.get(url).content.decode()


def test_autosave_with_an_expired_session_answers_401_and_the_text_is_kept_by_the_browser(
    world: World,
) -> None:
    investigation = first_half_for(world, "x").investigation
    save = reverse(
        "support:draft_autosave",
        kwargs={"record_type": "investigation", "record_id": investigation.pk},
    )
    response = world.client_for("anonymous").post(save, {"individual_level": "Hemlig text"})
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"
    assert not Draft.objects.exists()


def test_autosave_is_refused_to_those_who_may_not_write(world: World) -> None:
    investigation = first_half_for(world, "x").investigation
    save = reverse(
        "support:draft_autosave",
        kwargs={"record_type": "investigation", "record_id": investigation.pk},
    )
    assert world.client_for("teacher_a").post(save, {"pupil_view": "x"}).status_code == 404
    assert world.client_for("guardian_x").post(save, {"pupil_view": "x"}).status_code == 404
    unknown = reverse(
        "support:draft_autosave", kwargs={"record_type": "pupil", "record_id": investigation.pk}
    )
    assert world.client_for("principal_a").post(unknown, {}).status_code == 404
    assert not Draft.objects.exists()


# ----------------------------------------------------------------------------- the family


def test_the_family_sees_a_plain_page_without_work_in_progress(world: World) -> None:
    chain = first_half_for(world, "x")
    investigation = chain.investigation
    educator = world.users["special_educator_a"]
    services.investigation_save(
        actor=educator,
        investigation=investigation,
        expected_version=investigation.version,
        values={
            "individual_level": "Kartläggning",
            "eht_consulted": True,
            "special_support_needed": True,
        },
        needs=[(wf.NeedCategory.READING_WRITING, "Skrivstöd")],
        today=_today(),
    )
    investigation.refresh_from_db()
    services.investigation_conclude(actor=educator, investigation=investigation, today=_today())
    url = reverse("support:pupil_support", kwargs={"pupil_id": world.pupils["x"].pk})

    staff_body = world.client_for("principal_a").get(url).content.decode()
    assert "Utkast till åtgärdsprogram" in staff_body
    assert "Oro anmäld" in staff_body
    assert "Anmälan till rektor" in staff_body

    add_adaptation = reverse("support:adaptation_create", kwargs={"pupil_id": world.pupils["x"].pk})
    for persona in ("guardian_x", "pupil_x"):
        response = world.client_for(persona).get(url)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Skrivmall och tydliga delmål" in body  # the adaptation in force
        assert "Utkast till åtgärdsprogram" not in body
        assert "Risken kvarstår" not in body
        assert "Utredning inledd" not in body
        assert "Anmälan till rektor" not in body
        assert "Det som ska göras härnäst" not in body
        assert "Berätta för skolan om din oro" in body
        assert "Oro anmäld" not in body
        assert add_adaptation not in body
    # The family never reaches the investigation itself.
    detail = reverse("support:investigation_detail", kwargs={"investigation_id": investigation.pk})
    assert world.client_for("guardian_x").get(detail).status_code == 404


def test_a_guardian_submits_a_concern_of_their_own(world: World) -> None:
    x = world.pupils["x"]
    url = reverse("support:concern_create", kwargs={"pupil_id": x.pk})
    client = world.client_for("guardian_x")
    form = client.get(url).content.decode()
    assert "Vad är du orolig för?" in form
    assert 'name="source"' not in form
    response = client.post(url, {"subject": "", "description": "Hen vill inte gå till skolan."})
    assert response.status_code == 302
    assert response["Location"] == reverse("support:pupil_support", kwargs={"pupil_id": x.pk})
    concern = Concern.objects.get(pupil=x)
    assert concern.raised_by_kind == "guardian"
    assert concern.source == wf.ConcernSource.PUPIL_OR_GUARDIAN


def test_the_family_sees_an_adaptation_but_cannot_change_it(world: World) -> None:
    adaptation = first_half_for(world, "x").adaptation
    url = reverse("support:adaptation_detail", kwargs={"adaptation_id": adaptation.pk})
    client = world.client_for("guardian_x")
    body = client.get(url).content.decode()
    assert "Skrivmall och tydliga delmål" in body
    assert "Ändra anpassningen" not in body
    assert client.post(url, {"action": "evaluate"}).status_code == 404


# ----------------------------------------------------------------------------- logging


def test_every_read_is_logged_and_a_refused_one_too(world: World) -> None:
    x = world.pupils["x"]
    url = reverse("support:pupil_support", kwargs={"pupil_id": x.pk})
    before = AccessEvent.objects.count()
    world.client_for("mentor_a").get(url)
    row = AccessEvent.objects.order_by("-id").first()
    assert AccessEvent.objects.count() == before + 1
    assert row is not None
    assert (row.record_type, row.action, row.outcome) == (
        "support_page",
        AccessAction.VIEW,
        AccessOutcome.ALLOWED,
    )
    assert str(row.pupil_id) == str(x.pk)
    world.client_for("teacher_b").get(url)
    denied = AccessEvent.objects.order_by("-id").first()
    assert denied is not None
    assert denied.outcome == AccessOutcome.DENIED


def test_a_teacher_does_not_see_concerns_and_cases_they_have_no_part_in(world: World) -> None:
    first_half_for(world, "x")
    body = (
        world.client_for("teacher_a")
        .get(reverse("support:pupil_support", kwargs={"pupil_id": world.pupils["x"].pk}))
        .content.decode()
    )
    assert "Skrivmall och tydliga delmål" in body  # adaptations: teachers see them
    assert "Kvittera anmälan" not in body  # the principal's task is not the teacher's to see
    assert "Risken kvarstår" not in body
    assert CANARIES["z"] not in body


# ----------------------------------------------------------------------------- query counts


def _count(client: Any, url: str) -> int:
    client.get(url)  # warm: the first request after sign-in may refresh the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _more_records(world: World, key: str, n: int) -> None:
    """n more concerns, adaptations and reports for the pupil, through the services."""
    users = world.users
    unit_id = world.units["a"].pk
    today = _today()
    for i in range(n):
        concern = services.concern_create(
            actor=users["mentor_a"],
            pupil=world.pupils[key],
            school_unit_id=unit_id,
            source=wf.ConcernSource.TEACHING,
            description=f"Oro {i}",
            today=today,
        )
        services.adaptation_create(
            actor=users["mentor_a"],
            pupil=world.pupils[key],
            school_unit_id=unit_id,
            values={
                "need_description": f"Behov {i}",
                "measure": f"Åtgärd {i}",
                "responsible": users["teacher_a"],
                "subject": "" if i % 2 else "Matematik",
                "starts_on": today,
                "evaluate_on": today + timedelta(days=i - 2),
            },
            today=today,
        )
        services.referral_create(
            actor=users["mentor_a"],
            pupil=world.pupils[key],
            school_unit_id=unit_id,
            ground=wf.ReferralGround.OTHER_DIFFICULTIES,
            description=f"Anmälan {i}",
            concern=concern,
            today=today,
        )


@pytest.mark.parametrize("persona", ["principal_a", "teacher_a", "guardian_x"])
def test_the_support_page_query_count_does_not_grow_with_the_chain(
    world: World, persona: str
) -> None:
    first_half_for(world, "x")
    url = reverse("support:pupil_support", kwargs={"pupil_id": world.pupils["x"].pk})
    client = world.client_for(persona)
    one = _count(client, url)
    assert one <= 12  # tests/test_query_counts.py FULL_PAGE_BUDGET
    _more_records(world, "x", 12)
    assert _count(client, url) == one


def test_my_adaptations_query_count_does_not_grow_with_the_data(
    world: World, django_assert_num_queries: Any
) -> None:
    first_half_for(world, "x")
    client = world.client_for("teacher_a")
    url = reverse("support:my_adaptations")
    one = _count(client, url)
    body = client.get(url).content.decode()
    assert "Skrivmall och tydliga delmål" in body
    assert CANARIES["z"] not in body  # z is in the group but protected
    _more_records(world, "x", 12)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert response.content.decode().count("Åtgärd ") == 12


def test_the_support_page_query_count_with_django_assert_num_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    first_half_for(world, "x")
    url = reverse("support:pupil_support", kwargs={"pupil_id": world.pupils["x"].pk})
    client = world.client_for("mentor_a")
    one = _count(client, url)
    _more_records(world, "x", 20)
    with django_assert_num_queries(one):
        client.get(url)


@pytest.mark.parametrize("persona", ["principal_a", "guardian_x", "teacher_a"])
def test_the_support_page_lists_decisions_in_one_query(world: World, persona: str) -> None:
    """Decisions with their service, the family's own receipt and deadline; teachers see none
    (policy.SUPPORT_VIEWERS). With a whole chain the page stays within the budget."""
    chain = chain_for(world, "x")
    url = reverse("support:pupil_support", kwargs={"pupil_id": world.pupils["x"].pk})
    client = world.client_for(persona)
    assert _count(client, url) <= 12  # tests/test_query_counts.py FULL_PAGE_BUDGET
    body = client.get(url).content.decode()
    decision_url = reverse("support:decision_detail", kwargs={"decision_id": chain.decision.pk})
    if persona == "teacher_a":
        assert decision_url not in body
    else:
        assert decision_url in body
    if persona == "guardian_x":
        assert "Sista dag att överklaga" in body
    if persona == "principal_a":
        assert "har fått del" in body
