"""The first half of the chain through the browser's eyes (support/views/): concern → adaptation →
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

from elevstod.audit.models import AccessAction, AccessEvent, AccessOutcome
from elevstod.people.models import ProtectedPupilAssignment
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
from elevstod.support.tests.builders import today as _today
from tests.matrix_rows.chain import first_half_for
from tests.matrix_rows.programme import chain_for
from tests.world import CANARIES, World

pytestmark = pytest.mark.django_db


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
        reverse("support:adaptation_evaluate", kwargs={"adaptation_id": adaptation.pk}),
        {
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
    receive = reverse("support:referral_receive", kwargs={"referral_id": referral.pk})
    assert principal.post(receive).status_code == 302
    referral.refresh_from_db()
    assert referral.state == wf.CaseState.RECEIVED
    body = principal.get(detail).content.decode()
    assert "Inled utredning senast" in body
    # The teacher (no unit-wide role) cannot receive or open.
    open_url = reverse("support:investigation_open", kwargs={"referral_id": referral.pk})
    assert teacher.post(receive).status_code == 404
    assert teacher.post(open_url).status_code == 404

    # …and opens the investigation with two investigators from the unit's staff.
    response = principal.post(
        open_url,
        {
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
    conclude = reverse(
        "support:investigation_conclude", kwargs={"investigation_id": investigation.pk}
    )
    response = mentor.post(
        conclude,
        _investigation_post(
            2,
            individual_level="Sammanfogad kartläggning.",
            special_support_needed="yes",
            **{"needs-0-category": "reading_writing", "needs-0-description": "Skrivstöd"},
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
        conclude,
        _investigation_post(
            investigation.version,
            individual_level="Sammanfogad kartläggning.",
            pupil_view="Jag vill ha mallen kvar.",
            guardian_view="Vi ser samma sak hemma.",
            eht_consulted="on",
            eht_consultation="Kuratorn deltog.",
            special_support_needed="yes",
            **{"needs-0-category": "reading_writing", "needs-0-description": "Skrivstöd"},
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
    url = reverse("support:concern_close", kwargs={"concern_id": concern.pk})
    client = world.client_for("principal_b")
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 409
    assert "Ange varför inget mer behöver göras." in response.content.decode()
    assert client.post(url, {"reason": "Löst i samtal."}).status_code == 302
    concern.refresh_from_db()
    assert concern.state == wf.ConcernState.CLOSED


def test_an_adaptation_edit_on_a_stale_version_shows_both_texts(world: World) -> None:
    adaptation = first_half_for(world, "x").adaptation
    url = reverse("support:adaptation_update", kwargs={"adaptation_id": adaptation.pk})
    base = {
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
    discard = reverse(
        "support:draft_discard", kwargs={"record_type": "adaptation", "record_id": adaptation.pk}
    )
    assert client.post(discard).status_code == 302
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
    # The concluded investigation is the family's to read (FL 10 §; decision 0014), without
    # the school's own links onward (the decision form, the draft programme).
    detail = reverse("support:investigation_detail", kwargs={"investigation_id": investigation.pk})
    family_detail = world.client_for("guardian_x").get(detail)
    assert family_detail.status_code == 200
    assert "Utkast till åtgärdsprogram" not in family_detail.content.decode()


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
    evaluate = reverse("support:adaptation_evaluate", kwargs={"adaptation_id": adaptation.pk})
    assert client.post(evaluate).status_code == 404


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
    today = _today()
    # Who records, about whom, where and when: the same for every record here.
    common: dict[str, Any] = {
        "actor": users["mentor_a"],
        "pupil": world.pupils[key],
        "school_unit_id": world.units["a"].pk,
        "today": today,
    }
    for i in range(n):
        concern = services.concern_create(
            **common, source=wf.ConcernSource.TEACHING, description=f"Oro {i}"
        )
        services.adaptation_create(
            **common,
            values={
                "need_description": f"Behov {i}",
                "measure": f"Åtgärd {i}",
                "responsible": users["teacher_a"],
                "subject": "" if i % 2 else "Matematik",
                "starts_on": today,
                "evaluate_on": today + timedelta(days=i - 2),
            },
        )
        services.referral_create(
            **common,
            ground=wf.ReferralGround.OTHER_DIFFICULTIES,
            description=f"Anmälan {i}",
            concern=concern,
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


# ----------------------------------------------------------------------------- one act, one URL


def test_each_act_on_a_record_posts_to_a_url_of_its_own(world: World) -> None:
    """The pages are read with GET; their forms post to the act's own URL, which takes no GET."""
    chain = first_half_for(world, "x")
    Concern.objects.filter(pk=chain.concern.pk).update(state=wf.ConcernState.OPEN)
    acts = {
        ("support:concern_detail", "concern_id", chain.concern.pk): ["support:concern_close"],
        ("support:adaptation_detail", "adaptation_id", chain.adaptation.pk): [
            "support:adaptation_evaluate",
            "support:adaptation_update",
        ],
    }
    client = world.client_for("principal_a")
    for (page, kwarg, pk), names in acts.items():
        url = reverse(page, kwargs={kwarg: pk})
        body = client.get(url).content.decode()
        assert client.post(url).status_code == 405
        for name in names:
            act = reverse(name, kwargs={kwarg: pk})
            assert f'action="{act}"' in body, (page, name)
            assert client.get(act).status_code == 405
    referral = reverse("support:referral_receive", kwargs={"referral_id": chain.referral.pk})
    assert client.get(referral).status_code == 405


def test_a_refused_conclusion_keeps_saving_on_the_editors_own_url(world: World) -> None:
    """The page re-rendered at the conclusion's URL still saves to the editor, never concludes
    again by a plain "Spara"."""
    investigation = first_half_for(world, "x").investigation
    kwargs = {"investigation_id": investigation.pk}
    conclude = reverse("support:investigation_conclude", kwargs=kwargs)
    response = world.client_for("special_educator_a").post(
        conclude, _investigation_post(1, individual_level="Halv kartläggning.")
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert f'action="{reverse("support:investigation_edit", kwargs=kwargs)}"' in body
    assert f'formaction="{conclude}"' in body
    assert "Halv kartläggning." in body


def test_discarding_an_investigation_draft_goes_back_to_the_editor(world: World) -> None:
    investigation = first_half_for(world, "x").investigation
    client = world.client_for("special_educator_a")
    target = {"record_type": "investigation", "record_id": investigation.pk}
    client.post(reverse("support:draft_autosave", kwargs=target), {"pupil_view": "Halvskrivet"})
    assert (
        world.client_for("teacher_a")
        .post(reverse("support:draft_discard", kwargs=target))
        .status_code
        == 404
    )
    response = client.post(reverse("support:draft_discard", kwargs=target))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "support:investigation_edit", kwargs={"investigation_id": investigation.pk}
    )
    assert not Draft.objects.filter(record_id=investigation.pk).exists()


# ----------------------------------------------------------------------------- person fields
# Only staff who may carry the responsibility at the pupil's unit; anything else posted is a
# Swedish message on the field with everything else typed kept, never an error page.

RESPONSIBLE_REFUSED = "Välj en person som arbetar på elevens skola."
INVESTIGATOR_REFUSED = "Välj utredare bland personalen på elevens skolenhet."


def _adaptation_post(responsible: str) -> dict[str, Any]:
    return {
        "need_categories": ["reading_writing"],
        "need_description": "Behöver struktur",
        "measure": "Skrivmall som inte får försvinna",
        "responsible": responsible,
        "subject": "Svenska",
        "group": "",
        "starts_on": _iso(),
        "evaluate_on": _iso(21),
        "guardian_informed_on": "",
    }


def _refused_on_the_form(response: Any, message: str, typed: str) -> None:
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert typed in body


def test_adaptation_refuses_a_responsible_from_another_school(world: World) -> None:
    url = reverse("support:adaptation_create", kwargs={"pupil_id": world.pupils["x"].pk})
    other_principal = str(world.users["principal_b"].pk)
    response = world.client_for("mentor_a").post(url, _adaptation_post(other_principal))
    _refused_on_the_form(response, RESPONSIBLE_REFUSED, "Skrivmall som inte får försvinna")
    assert not Adaptation.objects.filter(pupil=world.pupils["x"]).exists()


@pytest.mark.parametrize("posted", ["inte-ett-id", "12345", "6e1d5250-b120-40b7-8761-28b9c1a55264"])
def test_adaptation_refuses_a_responsible_that_is_not_a_person_offered(
    world: World, posted: str
) -> None:
    url = reverse("support:adaptation_create", kwargs={"pupil_id": world.pupils["x"].pk})
    response = world.client_for("mentor_a").post(url, _adaptation_post(posted))
    _refused_on_the_form(response, RESPONSIBLE_REFUSED, "Skrivmall som inte får försvinna")
    assert not Adaptation.objects.filter(pupil=world.pupils["x"]).exists()


def test_changing_an_adaptation_refuses_a_responsible_from_another_school(world: World) -> None:
    adaptation = first_half_for(world, "x").adaptation
    url = reverse("support:adaptation_update", kwargs={"adaptation_id": adaptation.pk})
    data = {**_adaptation_post(str(world.users["principal_b"].pk)), "version": "1"}
    response = world.client_for("teacher_a").post(url, data)
    _refused_on_the_form(response, RESPONSIBLE_REFUSED, "Skrivmall som inte får försvinna")
    adaptation.refresh_from_db()
    assert adaptation.responsible == world.users["teacher_a"]
    assert adaptation.version == 1


def _received_referral(world: World, key: str, author: str, principal: str) -> Referral:
    unit = world.units["a"]
    referral = services.referral_create(
        actor=world.users[author],
        pupil=world.pupils[key],
        school_unit_id=unit.pk,
        ground=wf.ReferralGround.OTHER_DIFFICULTIES,
        description="Svårigheter i flera ämnen.",
        today=_today(),
    )
    return services.referral_receive(
        actor=world.users[principal], referral=referral, today=_today()
    )


def _open_post(*investigators: str) -> dict[str, Any]:
    return {"investigators": list(investigators), "target_on": _iso(17)}


def test_opening_an_investigation_refuses_an_investigator_from_another_school(
    world: World,
) -> None:
    referral = _received_referral(world, "x", "mentor_a", "principal_a")
    url = reverse("support:investigation_open", kwargs={"referral_id": referral.pk})
    posted = _open_post(
        str(world.users["special_educator_a"].pk), str(world.users["principal_b"].pk)
    )
    response = world.client_for("principal_a").post(url, posted)
    _refused_on_the_form(response, INVESTIGATOR_REFUSED, _iso(17))
    assert not Investigation.objects.filter(referral=referral).exists()


@pytest.mark.parametrize("posted", ["inte-ett-id", "6e1d5250-b120-40b7-8761-28b9c1a55264"])
def test_opening_an_investigation_refuses_an_investigator_that_is_not_a_person_offered(
    world: World, posted: str
) -> None:
    referral = _received_referral(world, "x", "mentor_a", "principal_a")
    url = reverse("support:investigation_open", kwargs={"referral_id": referral.pk})
    response = world.client_for("principal_a").post(url, _open_post(posted))
    _refused_on_the_form(response, INVESTIGATOR_REFUSED, _iso(17))
    assert not Investigation.objects.filter(referral=referral).exists()


def test_a_protected_pupils_investigation_is_given_only_to_staff_assigned_to_the_pupil(
    world: World,
) -> None:
    """Staff not assigned to a pupil with protected identity may not see the pupil at all
    (security.md P6), so they cannot be named to investigate."""
    z = world.pupils["z"]
    ProtectedPupilAssignment.objects.create(
        pupil=z, user=world.users["principal_a"], reason="Rektor för ärendet"
    )
    referral = _received_referral(world, "z", "special_educator_a", "principal_a")
    principal = world.client_for("principal_a")
    page = principal.get(reverse("support:referral_detail", kwargs={"referral_id": referral.pk}))
    offered = set(re.findall(r'name="investigators" value="([^"]+)"', page.content.decode()))
    assigned = {str(world.users[name].pk) for name in ("principal_a", "special_educator_a")}
    assert offered == assigned
    url = reverse("support:investigation_open", kwargs={"referral_id": referral.pk})
    response = principal.post(url, _open_post(str(world.users["mentor_a"].pk)))
    _refused_on_the_form(response, INVESTIGATOR_REFUSED, _iso(17))
    assert not Investigation.objects.filter(referral=referral).exists()
