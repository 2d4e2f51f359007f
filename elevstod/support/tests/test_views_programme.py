"""The programme half of the chain through the browser: decision → programme → follow-up.

Each test drives the pages with the test client as the personas of tests/world.py would, and
checks what the page shows, what the services wrote and what the access log holds.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.organisation.models import Delegation, UnitDuty
from elevstod.people.models import Pupil
from elevstod.support import services
from elevstod.support import workflow as wf
from elevstod.support.calendar import days_off_around
from elevstod.support.forms.programmes import editor_data
from elevstod.support.models import (
    ActionProgramme,
    Appeal,
    Decision,
    DecisionService,
    FollowUp,
    ParticipantView,
    RecipientKind,
    Referral,
)
from elevstod.support.selectors import programmes as selectors
from elevstod.support.tests import builders
from elevstod.support.tests.builders import today as _today
from tests.matrix_rows.programme import chain_for, investigation_for
from tests.world import CANARIES, World

pytestmark = pytest.mark.django_db


def _url(name: str, record: Any) -> str:
    kwarg = {
        "decision_create": "investigation_id",
        "investigation_pdf": "investigation_id",
        "decision_detail": "decision_id",
        "decision_view_add": "decision_id",
        "decision_pdf": "decision_id",
        "appeal_register": "decision_id",
        "appeal_detail": "appeal_id",
        "appeal_handle": "appeal_id",
        "follow_up_detail": "follow_up_id",
        "follow_up_pdf": "follow_up_id",
    }.get(name, "programme_id")
    return reverse(f"support:{name}", kwargs={kwarg: record.pk})


def _service_url(name: str, service: DecisionService) -> str:
    """An act on one recipient's service row (serve, correct or confirm the receipt)."""
    return reverse(
        f"support:{name}", kwargs={"decision_id": service.decision_id, "service_id": service.pk}
    )


def _editor_post(programme: ActionProgramme, **fields: Any) -> dict[str, list[str]]:
    """The editor's form data as the page would post it, with `fields` changed."""
    data = editor_data(
        programme,
        selectors.programme_content(programme.pk),
        follow_up_default=None,
        evaluation_default=None,
        blank_rows=0,
    )
    for name, value in fields.items():
        data[name.replace("__", "-")] = [] if value is None else [str(value)]
    return data


def _measure(index: int, *, need: object, responsible: object, text: str, **extra: Any) -> dict:
    fields = {
        f"measures__{index}__need_key": need,
        f"measures__{index}__description": text,
        f"measures__{index}__responsible": responsible,
        f"measures__{index}__extent": extra.pop("extent", "2 × 20 minuter i veckan"),
        f"measures__{index}__setting": extra.pop("setting", wf.MeasureSetting.OWN_GROUP),
    }
    fields |= {f"measures__{index}__{name}": value for name, value in extra.items()}
    return fields


def _ready(world: World, programme: ActionProgramme, **more: Any) -> dict[str, list[str]]:
    """A complete draft: participation offered, follow-up and evaluation planned."""
    educator = world.users["special_educator_a"].pk
    today = _today()
    ready: dict[str, Any] = {
        "pupil_participation_offered": "on",
        "guardian_participation_offered": "on",
        "follow_up_on": (today + timedelta(days=30)).isoformat(),
        "follow_up_responsible": educator,
        "evaluation_on": (today + timedelta(days=60)).isoformat(),
        "evaluation_responsible": educator,
    }
    return _editor_post(programme, **(ready | more))


def _draft_for_x(world: World) -> ActionProgramme:
    """x's investigation concluded through decision_create: a draft with the needs carried over."""
    investigation = investigation_for(world, "x", needed=True)
    client = world.client_for("principal_a")
    response = client.post(_url("decision_create", investigation), {"choice": "draw_up"})
    programme = ActionProgramme.objects.get(investigation=investigation)
    assert response.status_code == 302
    assert response["Location"] == _url("programme_edit", programme)
    return programme


def _text(response: Any) -> str:
    return response.content.decode()


def _refused_keeping(response: Any, *texts: str) -> None:
    """The page again (200) with the rule's message, its paragraph and what was typed."""
    body = _text(response)
    assert response.status_code == 200
    for text in texts:
        assert text in body


# ----------------------------------------------------------------------------- the whole chain


def test_programme_from_decision_to_closure(world: World) -> None:
    today = _today()
    principal = world.client_for("principal_a")
    educator = world.client_for("special_educator_a")
    mentor = world.client_for("mentor_a")

    # Decide to draw up a programme: a draft with the investigation's need, editable.
    programme = _draft_for_x(world)
    need = programme.needs.get()
    page = educator.get(_url("programme_edit", programme))
    assert page.status_code == 200
    assert "Stöd i läsförståelse" in _text(page)

    # Two people open the editor at the same version; the second save is a conflict.
    opened = _ready(
        world,
        programme,
        pupil_view="Jag vill läsa med en vuxen.",
        **_measure(0, need=need.pk, responsible=world.users["teacher_a"].pk, text="Läsfixare"),
    )
    theirs = dict(opened, pupil_view=["Eleven vill läsa högt för en vuxen."])
    assert educator.post(_url("programme_save", programme), theirs).status_code == 302
    conflict = mentor.post(_url("programme_save", programme), opened)
    assert conflict.status_code == 200
    body = _text(conflict)
    assert "Någon annan har sparat under tiden" in body
    assert "Eleven vill läsa högt för en vuxen." in body  # theirs
    assert "Jag vill läsa med en vuxen." in body  # mine, still in the form
    programme.refresh_from_db()
    assert programme.pupil_view == "Eleven vill läsa högt för en vuxen."
    # The re-rendered form carries the new version, so saving again resolves the conflict.
    version = re.search(r'name="version" value="(\d+)"', body)
    assert version is not None
    assert int(version.group(1)) == programme.version
    resolved = dict(opened, version=[version.group(1)])
    assert mentor.post(_url("programme_save", programme), resolved).status_code == 302
    programme.refresh_from_db()
    assert programme.pupil_view == "Jag vill läsa med en vuxen."
    assert programme.measures.get().description == "Läsfixare"

    # Decide the draft.
    response = principal.post(
        _url("programme_decide", programme),
        {"statement_of_reasons": "Utredningen visar behov av stöd i läsförståelse."},
    )
    decision = Decision.objects.get(programme=programme)
    assert response["Location"] == _url("decision_detail", decision)
    programme.refresh_from_db()
    assert programme.state == wf.ProgrammeState.IN_FORCE
    # A decided programme is never edited in place: the editor says so and offers a revision.
    locked = educator.get(_url("programme_edit", programme))
    assert "Ett beslutat åtgärdsprogram ändras inte" in _text(locked)

    # Service: staff record the pupil's receipt; the guardian confirms their own.
    pupil_service = decision.services.get(recipient_kind=RecipientKind.PUPIL)
    guardian_service = decision.services.get(recipient_kind=RecipientKind.GUARDIAN)
    prefix = f"s{pupil_service.pk.hex[:8]}"
    # No one gets a decision before it is made (FL 44 §): the letter went out and came today.
    received = today
    response = principal.post(
        _service_url("decision_serve", pupil_service),
        {
            f"{prefix}-method": "letter",
            f"{prefix}-sent_on": today.isoformat(),
            f"{prefix}-received_on": received.isoformat(),
        },
    )
    assert response.status_code == 302
    guardian = world.client_for("guardian_x")
    assert "Jag har tagit del av beslutet" in _text(guardian.get(_url("decision_detail", decision)))
    response = guardian.post(_service_url("decision_confirm_receipt", guardian_service))
    assert response.status_code == 302
    pupil_service.refresh_from_db()
    guardian_service.refresh_from_db()
    assert guardian_service.received_on == today
    # Pupil x is under 16: her receipt is recorded but starts no appeal time of her own; the
    # guardians' receipt does (SL 29 kap. 12 §).
    assert pupil_service.received_on == received
    assert pupil_service.appeal_deadline is None
    assert guardian_service.appeal_deadline == wf.appeal_deadline(today, days_off_around(today))
    page = _text(principal.get(_url("decision_detail", decision)))
    assert "räknas från vårdnadshavarnas delgivning" in page
    # One heading over the instructions, which begin "Hur man överklagar:" themselves.
    assert "<h3>Överklagandehänvisning</h3>" in page
    assert "<h3>Hur man överklagar</h3>" not in page
    assert guardian_service.appeal_deadline.isoformat() in page
    # The guardian may not confirm for the pupil.
    other = guardian.post(_service_url("decision_confirm_receipt", pupil_service))
    assert other.status_code == 404

    # Follow-up with "revise": a revision draft is started.
    response = educator.post(
        _url("follow_up_create", programme),
        {
            "kind": "evaluation",
            "carried_out_0": "yes",
            "effect_0": "some_progress",
            "outcome": "revise",
            "summary": "Behöver också stöd i matematik.",
        },
    )
    follow_up = FollowUp.objects.get(programme=programme)
    assert response["Location"] == _url("follow_up_detail", follow_up)
    revision = ActionProgramme.objects.get(previous=programme)
    assert revision.state == wf.ProgrammeState.DRAFT
    assert revision.number == 2
    detail = _text(educator.get(_url("follow_up_detail", follow_up)))
    assert _url("programme_edit", revision) in detail
    assert "Utvärderingen är sparad." in detail  # an evaluation, not a follow-up
    assert "Uppföljningen är sparad." not in detail

    # Edit the revision: a new need with a measure, and a changed extent.
    old_need = revision.needs.get()
    data = _ready(
        world,
        revision,
        revision_reason="Behov i matematik har tillkommit.",
        needs__1__key="ny-1",
        needs__1__category=wf.NeedCategory.MATHEMATICS,
        needs__1__description="Stöd i taluppfattning",
        measures__0__extent="3 × 20 minuter i veckan",
        **_measure(
            1, need="ny-1", responsible=world.users["teacher_a"].pk, text="Mattestuga på lunchen"
        ),
    )
    data["needs-TOTAL_FORMS"] = ["2"]
    data["measures-TOTAL_FORMS"] = ["2"]
    assert educator.post(_url("programme_save", revision), data).status_code == 302
    assert revision.needs.count() == 2
    assert revision.needs.get(description="Stöd i läsförståelse").source_id == old_need.source_id

    # The diff shows the change, need by need and measure by measure.
    diff = _text(educator.get(_url("programme_diff", revision)))
    assert "Nytt behov" in diff
    assert "Stöd i taluppfattning" in diff
    assert "Mattestuga på lunchen" in diff
    assert "Ny åtgärd" in diff
    assert "2 × 20 minuter i veckan" in diff
    assert "3 × 20 minuter i veckan" in diff
    assert "Oförändrat" not in diff.split("Stöd i läsförståelse")[1].split("</h3>")[0]

    # Decide the revision: a new decision; the old version is superseded.
    response = principal.post(
        _url("programme_decide", revision),
        {"statement_of_reasons": "Utvärderingen visar behov även i matematik."},
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    revision.refresh_from_db()
    assert programme.state == wf.ProgrammeState.SUPERSEDED
    assert revision.state == wf.ProgrammeState.IN_FORCE
    assert Decision.objects.filter(programme=revision).count() == 1

    # Evaluate with "close", then the closing decision.
    reviews = {f"carried_out_{i}": "yes" for i in range(2)} | {
        f"effect_{i}": "need_met" for i in range(2)
    }
    response = educator.post(
        _url("follow_up_create", revision),
        {"kind": "evaluation", "outcome": "close", "summary": "Behoven är tillgodosedda."}
        | reviews,
    )
    closing = FollowUp.objects.get(programme=revision)
    assert response["Location"] == _url("follow_up_detail", closing)
    assert _url("programme_close", revision) in _text(
        principal.get(_url("follow_up_detail", closing))
    )
    form = principal.get(_url("programme_close", revision))
    assert "Hur man överklagar" in _text(form)
    response = principal.post(
        _url("programme_close", revision),
        {"statement_of_reasons": "Utvärderingen visar att behoven är tillgodosedda."},
    )
    closure = Decision.objects.get(kind=wf.DecisionKind.ACTION_PROGRAMME_CLOSURE)
    assert response["Location"] == _url("decision_detail", closure)
    revision.refresh_from_db()
    assert revision.state == wf.ProgrammeState.CLOSED
    assert Referral.objects.get(pk=revision.referral_id).state == wf.CaseState.CLOSED
    assert "28 kap. 16 §" in _text(principal.get(_url("decision_detail", closure)))


def test_refusal_keeps_what_was_typed(world: World) -> None:
    """A refused decision re-renders the form with the rule's message and the typed reasons."""
    programme = _draft_for_x(world)
    response = world.client_for("principal_a").post(
        _url("programme_decide", programme), {"statement_of_reasons": "Mina skäl"}
    )
    _refused_keeping(
        response,
        "Åtgärdsprogrammet ska ange hur behoven ska tillgodoses.",
        "3 kap. 9 § första stycket skollagen",
        "Mina skäl",
    )
    assert not Decision.objects.filter(programme=programme).exists()


def test_autosaved_editor_text_comes_back_and_a_stale_draft_conflicts(world: World) -> None:
    """A session that ends mid-sentence loses nothing (process.md rule 7, decision 0006)."""
    programme = _draft_for_x(world)
    educator = world.client_for("special_educator_a")
    typed = _editor_post(programme, pupil_view="Eleven vill sitta längst fram och")
    autosave = reverse(
        "support:draft_autosave",
        kwargs={"record_type": "action_programme", "record_id": programme.pk},
    )
    assert educator.post(autosave, typed).status_code == 204
    programme.refresh_from_db()
    assert programme.pupil_view != "Eleven vill sitta längst fram och"  # a draft, not the document

    page = _text(educator.get(_url("programme_edit", programme)))
    assert "Eleven vill sitta längst fram och" in page
    assert "Ditt osparade utkast från" in page
    assert "Någon annan har sparat programmet" not in page

    # Someone else saves meanwhile: the restored draft says so, and saving it is a conflict.
    mentor = world.client_for("mentor_a")
    assert (
        mentor.post(_url("programme_save", programme), _ready(world, programme)).status_code == 302
    )
    page = _text(educator.get(_url("programme_edit", programme)))
    assert "Någon annan har sparat programmet" in page

    discard = reverse(
        "support:draft_discard",
        kwargs={"record_type": "action_programme", "record_id": programme.pk},
    )
    discarded = educator.post(discard)
    assert discarded.status_code == 302
    page = _text(educator.get(_url("programme_edit", programme)))
    assert "Ditt osparade utkast från" not in page
    assert "Eleven vill sitta längst fram och" not in page


def test_rows_can_be_added_with_and_without_javascript(world: World) -> None:
    programme = _draft_for_x(world)
    client = world.client_for("special_educator_a")
    data = _editor_post(programme, needs__0__description="Ändrad text")
    full = client.post(_url("programme_add_need", programme), data)
    assert full.status_code == 200
    assert "<html" in _text(full)
    assert 'name="needs-1-description"' in _text(full)
    assert "Ändrad text" in _text(full)  # typed text kept, nothing saved
    programme.refresh_from_db()
    assert programme.needs.get().description == "Stöd i läsförståelse"

    fragment = client.post(
        _url("programme_add_measure", programme),
        _editor_post(programme),
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200
    assert "<html" not in _text(fragment)
    assert 'id="measures"' in _text(fragment)
    assert 'name="measures-0-description"' in _text(fragment)


# ----------------------------------------------------------------------------- who is named


WRONG_PERSON = "Välj en person som arbetar på elevens skola."


def _option(user: Any) -> str:
    return f'value="{user.pk}"'


def test_programme_editor_refuses_a_responsible_from_another_school(world: World) -> None:
    """Another school's rektor is never offered, and posting their id anyway is a field error
    with everything else typed kept; nothing is saved (issue 9)."""
    programme = _draft_for_x(world)
    need = programme.needs.get()
    educator = world.client_for("special_educator_a")
    outsider = world.users["principal_b"]
    assert _option(outsider) not in _text(educator.get(_url("programme_edit", programme)))
    data = _ready(
        world,
        programme,
        follow_up_responsible=outsider.pk,
        pupil_view="Eleven vill läsa med sin mentor.",
        **_measure(0, need=need.pk, responsible=outsider.pk, text="Läsfixare på morgonen"),
    )
    response = educator.post(_url("programme_save", programme), data)
    body = _text(response)
    assert response.status_code == 200
    assert body.count(WRONG_PERSON) == 2  # the follow-up's responsible and the measure's
    assert "Eleven vill läsa med sin mentor." in body
    assert "Läsfixare på morgonen" in body
    assert _option(outsider) not in body
    programme.refresh_from_db()
    assert programme.follow_up_responsible_id is None
    assert programme.pupil_view != "Eleven vill läsa med sin mentor."
    assert not programme.measures.exists()


def test_programme_editor_gives_a_message_not_a_500_for_a_garbled_person(world: World) -> None:
    programme = _draft_for_x(world)
    need = programme.needs.get()
    data = _ready(
        world,
        programme,
        evaluation_responsible="1; DROP TABLE users",
        guardian_view="Vi vill vara med på uppföljningen.",
        **_measure(0, need=need.pk, responsible="inte-ett-id", text="Bildstöd i matematik"),
    )
    client = world.client_for("special_educator_a")
    for name in ("programme_save", "programme_add_measure"):
        response = client.post(_url(name, programme), data)
        body = _text(response)
        assert response.status_code == 200
        assert body.count(WRONG_PERSON) == 2
        assert "Vi vill vara med på uppföljningen." in body
        assert "Bildstöd i matematik" in body
    programme.refresh_from_db()
    assert programme.evaluation_responsible_id is None
    assert not programme.measures.exists()


def test_programme_editor_of_a_protected_pupil_offers_only_assigned_staff(world: World) -> None:
    """Only staff assigned to a pupil with protected identity may see them (security.md P6), so
    no one else at the unit is offered or accepted as responsible."""
    draft = chain_for(world, "z").draft
    assigned = world.users["special_educator_a"]
    colleague = world.users["mentor_a"]  # a duty at the same unit, not assigned to z
    client = world.client_for("special_educator_a")
    page = _text(client.get(_url("programme_edit", draft)))
    assert _option(assigned) in page
    assert _option(colleague) not in page
    assert _option(world.users["principal_a"]) not in page
    response = client.post(
        _url("programme_save", draft), _editor_post(draft, follow_up_responsible=colleague.pk)
    )
    assert response.status_code == 200
    assert WRONG_PERSON in _text(response)
    draft.refresh_from_db()
    assert draft.follow_up_responsible_id == assigned.pk


def test_programme_editor_keeps_a_saved_responsible_whose_duty_has_ended(world: World) -> None:
    """A person already named on the programme stays a choice after their duty ends, marked
    as earlier staff, so opening and saving the draft loses nobody."""
    draft = chain_for(world, "x").draft
    teacher = world.users["teacher_a"]  # responsible for the measure carried over
    UnitDuty.objects.filter(user=teacher).update(ends_on=_today() - timedelta(days=1))
    client = world.client_for("special_educator_a")
    page = _text(client.get(_url("programme_edit", draft)))
    assert f"{teacher.display_name} (tidigare personal)" in page
    response = client.post(_url("programme_save", draft), _editor_post(draft))
    assert response.status_code == 302
    assert draft.measures.get().responsible_id == teacher.pk


# ----------------------------------------------------------------------------- no programme


def test_no_programme_decision_with_late_and_timely_appeals(world: World) -> None:
    today = _today()
    principal = world.client_for("principal_a")
    investigation = investigation_for(world, "x", needed=False)
    builders.communicated(world, investigation=investigation)  # FL 25 §
    response = principal.post(
        _url("decision_create", investigation),
        {
            "choice": "not_draw_up",
            "statement_of_reasons": "Utredningen visar inget behov av särskilt stöd.",
            "instead": "Fortsatta extra anpassningar i svenska.",
        },
    )
    decision = Decision.objects.get(investigation=investigation)
    assert decision.kind == wf.DecisionKind.NO_ACTION_PROGRAMME
    assert response["Location"] == _url("decision_detail", decision)
    # Made some weeks ago, so that a receipt weeks ago is possible (FL 44 §); and pupil x is 17,
    # so her own receipt starts her own time (SL 29 kap. 12 §).
    Decision.objects.filter(pk=decision.pk).update(decided_on=today - timedelta(days=41))
    Pupil.objects.filter(pk=world.pupils["x"].pk).update(
        birth_date=today - timedelta(days=17 * 366)
    )

    guardian_service = decision.services.get(recipient_kind=RecipientKind.GUARDIAN)
    pupil_service = decision.services.get(recipient_kind=RecipientKind.PUPIL)
    for service, received in (
        (guardian_service, today - timedelta(days=40)),
        (pupil_service, today),
    ):
        prefix = f"s{service.pk.hex[:8]}"
        response = principal.post(
            _service_url("decision_serve", service),
            {
                f"{prefix}-method": "in_person",
                f"{prefix}-received_on": received.isoformat(),
            },
        )
        assert response.status_code == 302

    # The guardian's appeal comes in after their three weeks: it cannot be forwarded.
    form = _text(principal.get(_url("appeal_register", decision)))
    guardian_service.refresh_from_db()
    assert guardian_service.appeal_deadline.isoformat() in form
    response = principal.post(
        _url("appeal_register", decision),
        {
            "service": guardian_service.pk,
            "lodged_on": today.isoformat(),
            "content": "Vi vill att ett åtgärdsprogram upprättas.",
        },
    )
    late = Appeal.objects.get(service=guardian_service)
    assert response["Location"] == _url("appeal_detail", late)
    assert late.is_timely is False
    refused = principal.post(_url("appeal_handle", late), {"action": "forward", "note": "x"})
    assert refused.status_code == 200
    assert "45 § förvaltningslagen" in _text(refused)
    assert "ska avvisas, inte överlämnas" in _text(refused)
    late.refresh_from_db()
    assert late.state == wf.AppealState.REGISTERED
    dismissed = principal.post(
        _url("appeal_handle", late), {"action": "dismiss_as_late", "note": "Kom in för sent."}
    )
    assert dismissed.status_code == 302
    late.refresh_from_db()
    assert late.state == wf.AppealState.DISMISSED_LATE

    # The pupil's appeal is in time and is forwarded to the board.
    principal.post(
        _url("appeal_register", decision),
        {
            "service": pupil_service.pk,
            "lodged_on": today.isoformat(),
            "content": "Jag vill ha mer hjälp.",
        },
    )
    timely = Appeal.objects.get(service=pupil_service)
    assert timely.is_timely is True
    refused = principal.post(_url("appeal_handle", timely), {"action": "dismiss_as_late"})
    assert "kom in i tid och ska prövas" in _text(refused)
    forwarded = principal.post(_url("appeal_handle", timely), {"action": "forward", "note": ""})
    assert forwarded.status_code == 302
    timely.refresh_from_db()
    assert timely.state == wf.AppealState.FORWARDED
    assert timely.forwarded_on == today
    # The family sees the appeal but cannot handle it.
    family = world.client_for("guardian_x")
    assert family.get(_url("appeal_detail", timely)).status_code == 200
    assert family.post(_url("appeal_handle", timely), {"action": "forward"}).status_code == 404


def test_delegate_is_refused_a_decision_reserved_for_the_principal(world: World) -> None:
    """A delegation for programmes does not cover a special teaching group (3 kap. 9 §)."""
    today = _today()
    Delegation.objects.create(
        school_unit=world.units["a"],
        delegated_by=world.users["principal_a"],
        delegate=world.users["special_educator_a"],
        decision_type="action_programme",
        valid_from=today - timedelta(days=1),
        valid_until=today + timedelta(days=30),
    )
    programme = _draft_for_x(world)
    need = programme.needs.get()
    educator = world.client_for("special_educator_a")
    data = _ready(
        world,
        programme,
        **_measure(
            0,
            need=need.pk,
            responsible=world.users["special_educator_a"].pk,
            text="Undervisning i liten grupp",
            setting=wf.MeasureSetting.SPECIAL_TEACHING_GROUP,
            special_reasons="Eleven behöver en lugn miljö för att kunna lära.",
        ),
    )
    assert educator.post(_url("programme_save", programme), data).status_code == 302

    page = _text(educator.get(_url("programme_decide", programme)))
    assert "fattas alltid av rektorn själv" in page
    response = educator.post(
        _url("programme_decide", programme), {"statement_of_reasons": "Mina skäl för beslutet"}
    )
    _refused_keeping(
        response,
        "fattas av rektorn och får inte delegeras",
        "3 kap. 9 § andra stycket 1 skollagen",
        "Mina skäl för beslutet",
    )
    assert not Decision.objects.filter(programme=programme).exists()
    # The rektor may.
    response = world.client_for("principal_a").post(
        _url("programme_decide", programme), {"statement_of_reasons": "Särskilda skäl finns."}
    )
    assert response.status_code == 302


def test_decision_create_shows_who_may_decide(world: World) -> None:
    investigation = investigation_for(world, "x", needed=False)
    page = _text(world.client_for("special_educator_a").get(_url("decision_create", investigation)))
    principal = world.users["principal_a"].display_name
    delegate = world.users["special_educator_a"].display_name
    assert f"{principal} – rektor" in page
    assert f"{delegate} – delegat" in page


# ----------------------------------------------------------------------------- the family


def test_family_reads_the_programme_and_adds_a_view(world: World) -> None:
    chain = chain_for(world, "x")
    guardian = world.client_for("guardian_x")
    page = _text(guardian.get(_url("programme_detail", chain.programme)))
    assert "Ett åtgärdsprogram beskriver vilket stöd skolan ger" in page
    assert _url("programme_detail", chain.draft) not in page  # drafts are not the family's
    response = guardian.post(
        _url("programme_view_add", chain.programme), {"text": "Vi tycker att stödet hjälper."}
    )
    assert response.status_code == 302
    view = ParticipantView.objects.get(programme=chain.programme)
    assert view.author_kind == RecipientKind.GUARDIAN
    assert "Vi tycker att stödet hjälper." in _text(
        world.client_for("mentor_a").get(_url("programme_detail", chain.programme))
    )
    # Staff do not write the family's voice for them.
    staff = world.client_for("mentor_a").post(
        _url("programme_view_add", chain.programme), {"text": "Inte min röst"}
    )
    assert staff.status_code == 404


# ----------------------------------------------------------------------------- PDFs


@pytest.mark.parametrize(
    ("name", "record"),
    [
        ("programme_pdf", "programme"),
        ("decision_pdf", "decision"),
        ("investigation_pdf", "investigation"),
        ("follow_up_pdf", "follow_up"),
    ],
)
def test_pdf_is_an_attachment_without_personal_data_and_logs_a_print(
    world: World, name: str, record: str
) -> None:
    target = getattr(chain_for(world, "x"), record)
    response = world.client_for("principal_a").get(_url(name, target))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    pupil = world.pupils["x"]
    for personal in (CANARIES["x"], pupil.first_name, pupil.identity_number):
        assert not personal or personal not in disposition
    assert AccessEvent.objects.filter(
        action=AccessAction.PRINT,
        record_id=str(target.pk),
        pupil_id=pupil.pk,
        actor_id=world.users["principal_a"].pk,
    ).exists()


def test_refused_pdf_is_logged_as_denied(world: World) -> None:
    target = chain_for(world, "x").decision
    response = world.client_for("teacher_a").get(_url("decision_pdf", target))
    assert response.status_code == 404
    assert AccessEvent.objects.filter(
        action=AccessAction.PRINT, record_id=str(target.pk), outcome="denied"
    ).exists()


# ----------------------------------------------------------------------------- query counts


def _programme_with(world: World, needs: int) -> ActionProgramme:
    """A draft for x with `needs` needs and two measures on each."""
    investigation = investigation_for(world, "x", needed=True)
    programme = services.investigation_conclude(
        actor=world.users["special_educator_a"], investigation=investigation, today=_today()
    )
    assert programme is not None
    services.programme_save(
        actor=world.users["special_educator_a"],
        programme=programme,
        expected_version=programme.version,
        values={"follow_up_responsible_id": world.users["mentor_a"].pk},
        needs=[
            services.NeedInput(f"n{i}", wf.NeedCategory.READING_WRITING, f"Behov {i}")
            for i in range(needs)
        ],
        measures=[
            services.MeasureInput(
                need_key=f"n{i}",
                description=f"Åtgärd {i}.{j}",
                responsible_id=world.users["teacher_a"].pk,
                extent="1 lektion",
            )
            for i in range(needs)
            for j in range(2)
        ],
        today=_today(),
    )
    # Each programme in its own case, so that both drafts can stand side by side.
    return programme


@pytest.mark.parametrize("name", ["programme_edit", "programme_detail", "programme_decide"])
def test_programme_pages_query_count_does_not_grow(
    world: World, django_assert_num_queries: Any, name: str
) -> None:
    one = _programme_with(world, 1)
    many = _programme_with(world, 12)
    client = world.client_for("principal_a")
    client.get(_url(name, one))  # warm the session and the content types
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(_url(name, one)).status_code == 200
    with django_assert_num_queries(len(baseline)):
        response = client.get(_url(name, many))
    assert response.status_code == 200
    assert "Åtgärd 11.1" in _text(response)


def test_decision_page_query_count_does_not_grow_with_recipients(
    world: World, django_assert_num_queries: Any
) -> None:
    decision = chain_for(world, "x").decision
    client = world.client_for("principal_a")
    client.get(_url("decision_detail", decision))
    with CaptureQueriesContext(connection) as baseline:
        client.get(_url("decision_detail", decision))
    for index in range(5):
        DecisionService.objects.create(
            decision=decision,
            recipient_kind=RecipientKind.GUARDIAN,
            recipient_name=f"Extra {index}",
        )
    with django_assert_num_queries(len(baseline)):
        assert client.get(_url("decision_detail", decision)).status_code == 200
