"""Partsinsyn (FL 10 § via SL 29 kap. 10 §; issue 10 item 4a, decision 0014): the pupil and a
guardian with custody read the concluded investigation, pages and API, every read logged; never
one being written, never its staff-only working notes, which need a recorded ground and reason.
Also the pages that record kommunicering before an adverse decision (FL 25 §, item 4b)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from elevstod.audit.models import AccessEvent, AccessOutcome
from elevstod.documents import rendering
from elevstod.support.models import Communication, Investigation, ParticipantView
from elevstod.support.tests import builders as b
from elevstod.support.tests.builders import refused, today
from elevstod.support.workflow.investigations import WithheldGround
from tests.factories import GuardianFactory, guardian_of
from tests.world import World

pytestmark = pytest.mark.django_db

MAPPING = "KARTLAGGNING: läser långsamt men förstår muntligt."
NOTES = "ARBETSANTECKNING: samtal med syskonets lärare."
REASON = "Uppgiften rör syskonets förhållanden."


def _concluded(world: World, *, needed: bool = False, notes: bool = True) -> Investigation:
    investigation = b.investigation(world, needed=needed)
    values = {"individual_level": MAPPING}
    if notes:
        values |= {
            "working_notes": NOTES,
            "working_notes_withheld_ground": WithheldGround.OTHERS_CIRCUMSTANCES,
            "working_notes_withheld_reason": REASON,
        }
    b.save(world, investigation, values, persona="special_educator_a")
    investigation.refresh_from_db()
    b.conclude(world, investigation)
    investigation.refresh_from_db()
    return investigation


def _page(investigation: Investigation) -> str:
    return reverse("support:investigation_detail", args=[investigation.pk])


@pytest.mark.parametrize("persona", ["guardian_x", "pupil_x"])
def test_the_family_reads_the_concluded_investigation_and_the_read_is_logged(
    world: World, persona: str
) -> None:
    investigation = _concluded(world)
    response = world.client_for(persona).get(_page(investigation))
    assert response.status_code == 200
    assert MAPPING in response.content.decode()
    logged = AccessEvent.objects.filter(
        record_type="investigation", record_id=str(investigation.pk), actor=world.users[persona]
    ).get()
    assert logged.outcome == AccessOutcome.ALLOWED
    assert logged.acting_role in {"guardian_with_custody", "pupil_self"}


def test_the_family_does_not_read_an_investigation_being_written(world: World) -> None:
    investigation = b.investigation(world, needed=False)
    response = world.client_for("guardian_x").get(_page(investigation))
    assert response.status_code == 404
    logged = AccessEvent.objects.filter(
        record_type="investigation", actor=world.users["guardian_x"]
    ).get()
    assert logged.outcome == AccessOutcome.DENIED


def test_a_guardian_without_custody_does_not_read_the_concluded_investigation(
    world: World,
) -> None:
    investigation = _concluded(world)
    response = world.client_for("guardian_x_no_custody").get(_page(investigation))
    assert response.status_code == 404


def test_the_family_does_not_see_working_notes_but_sees_that_and_why_they_are_withheld(
    world: World,
) -> None:
    investigation = _concluded(world)
    family = world.client_for("guardian_x").get(_page(investigation)).content.decode()
    assert NOTES not in family
    assert REASON in family
    staff = world.client_for("special_educator_a").get(_page(investigation)).content.decode()
    assert NOTES in staff


def test_working_notes_are_never_in_the_page_title(world: World) -> None:
    investigation = _concluded(world)
    staff = world.client_for("special_educator_a").get(_page(investigation)).content.decode()
    title = staff.split("<title>", 1)[1].split("</title>", 1)[0]
    assert NOTES not in title
    assert "csrf" not in title
    assert NOTES in staff  # in the page, for the staff who write it


def test_staff_who_are_the_pupils_guardian_neither_see_nor_write_the_working_notes(
    world: World,
) -> None:
    """Jäv (FL 16 §): the specialpedagog who is also x's guardian reads as family."""
    investigation = _concluded(world)
    guardian_of(GuardianFactory(user=world.users["special_educator_a"]), world.pupils["x"])
    client = world.client_for("special_educator_a")
    assert NOTES not in client.get(_page(investigation)).content.decode()
    edit = reverse("support:investigation_edit", args=[investigation.pk])
    assert client.get(edit).status_code == 404


class _DocumentHTML:
    """Stands in for weasyprint.HTML: the "PDF" is the HTML the document was made from, so
    its text can be read (as in tests/test_authorization_matrix.py)."""

    def __init__(self, *, string: str, **_options: Any) -> None:
        self.string = string

    def write_pdf(self, *_args: Any, **_options: Any) -> bytes:
        return self.string.encode()


def test_the_investigation_pdf_the_family_prints_has_no_working_notes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    investigation = _concluded(world)
    monkeypatch.setattr(rendering, "HTML", _DocumentHTML)
    pdf = reverse("support:investigation_pdf", args=[investigation.pk])
    response = world.client_for("guardian_x").get(pdf)
    assert response.status_code == 200
    text = response.content.decode()
    assert MAPPING in text
    assert NOTES not in text


def test_working_notes_without_a_recorded_reason_are_refused(world: World) -> None:
    investigation = b.investigation(world, needed=False)
    with refused("investigation.withheld_without_reason"):
        b.save(world, investigation, {"working_notes": NOTES}, persona="special_educator_a")
    investigation.refresh_from_db()
    assert investigation.working_notes == ""


def test_the_family_reads_the_concluded_investigation_through_the_api_without_working_notes(
    world: World,
) -> None:
    investigation = _concluded(world)
    open_one = b.investigation(world, needed=False)
    client = world.client_for("guardian_x")
    response = client.get(f"/api/v1/investigations/{investigation.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["individual_level"] == MAPPING
    assert NOTES not in json.dumps(body, ensure_ascii=False)
    assert client.get(f"/api/v1/investigations/{open_one.pk}/").status_code == 404
    listed = {row["id"] for row in client.get("/api/v1/investigations/").json()["items"]}
    assert str(investigation.pk) in listed
    assert str(open_one.pk) not in listed
    channels = set(
        AccessEvent.objects.filter(
            record_type="investigation",
            record_id=str(investigation.pk),
            actor=world.users["guardian_x"],
        ).values_list("channel", flat=True)
    )
    assert "api" in channels


# ----------------------------------------------------------------------------- communicating


def test_the_principal_records_the_communication_before_deciding_not_to_draw_up_a_programme(
    world: World,
) -> None:
    investigation = _concluded(world, notes=False)
    url = reverse("support:investigation_communicate", args=[investigation.pk])
    response = world.client_for("principal_a").post(
        url,
        {
            "sent_on": today().isoformat(),
            "recipients": "Vårdnadshavare och eleven",
            "material": "Utredningen och förslaget till beslut",
            "answer_by": (today() + timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    communication = Communication.objects.get(investigation=investigation)
    assert communication.answer_by == today() + timedelta(days=10)
    page = world.client_for("principal_a").get(_page(investigation)).content.decode()
    assert "Utredningen och förslaget till beslut" in page


def test_a_communication_without_a_time_to_answer_keeps_what_was_typed(world: World) -> None:
    investigation = _concluded(world, notes=False)
    url = reverse("support:investigation_communicate", args=[investigation.pk])
    response = world.client_for("principal_a").post(
        url,
        {"sent_on": today().isoformat(), "recipients": "Vårdnadshavare", "material": "UNDERLAG"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "25 § förvaltningslagen" in body
    assert "UNDERLAG" in body
    assert not Communication.objects.exists()


def test_the_family_cannot_record_a_communication(world: World) -> None:
    investigation = _concluded(world, notes=False)
    url = reverse("support:investigation_communicate", args=[investigation.pk])
    response = world.client_for("guardian_x").post(url, {"exception_ground": "cannot_wait"})
    assert response.status_code == 404
    assert not Communication.objects.exists()


def test_the_programme_close_page_shows_the_communication_state(world: World) -> None:
    programme = b.concluded_programme(world)
    b.decide_programme(world, programme)  # closure concerns the programme in force
    programme.refresh_from_db()
    ParticipantView.objects.create(
        pupil=programme.pupil,
        author=world.users["guardian_x"],
        author_kind="guardian",
        programme=programme,
        text="Vi vill att programmet fortsätter.",
    )
    url = reverse("support:programme_communicate", args=[programme.pk])
    principal = world.client_for("principal_a")
    assert principal.get(url).status_code == 200
    response = principal.post(
        url,
        {
            "sent_on": today().isoformat(),
            "recipients": "Vårdnadshavare",
            "material": "Utvärderingen",
            "answer_by": (today() + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    answer = principal.post(
        reverse("support:programme_communication_answer", args=[programme.pk]),
        {"answered_on": today().isoformat(), "answer": "SVAR: vi vill fortsätta."},
    )
    assert answer.status_code == 302
    assert "SVAR: vi vill fortsätta." in principal.get(url).content.decode()


def test_the_familys_support_page_links_to_the_concluded_investigation(world: World) -> None:
    investigation = _concluded(world, notes=False)
    page = world.client_for("guardian_x").get(
        reverse("support:pupil_support", args=[world.pupils["x"].pk])
    )
    assert page.status_code == 200
    assert _page(investigation) in page.content.decode()
