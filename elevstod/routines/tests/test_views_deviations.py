"""The deviation pages: reporting (with and without a pupil), handling, the lists, the
huvudman's overview and the exports for the BUS secretariat."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.routines import services
from elevstod.routines.models import (
    Counterpart,
    DeviationReport,
    DeviationStatus,
)
from elevstod.routines.tests.handling import handle
from tests.matrix_rows.routines import report
from tests.world import CANARIES, World

LIST = reverse("routines:deviation_list")
CREATE = reverse("routines:deviation_create")
PUPILS = reverse("routines:deviation_pupils")
OVERVIEW = reverse("routines:deviation_overview")
CSV = reverse("routines:deviation_export_csv")
PDF = reverse("routines:deviation_export_pdf")


def _html(response: HttpResponse) -> str:
    return response.content.decode()


def _data(world: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "school_unit": str(world.units["a"].pk),
        "occurred_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "counterparts": [Counterpart.CHILD_PSYCHIATRY, Counterpart.SOCIAL_SERVICES],
        "natures": ["principled"],
        "description": "BUP och socialtjänsten hänvisar till varandra.",
        "tried_locally": "Gemensamt möte har begärts två gånger.",
        "with_pupil": "False",
    }
    data.update(changes)
    return data


def _events(record_type: str) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(record_type=record_type).order_by("id"))


# ----------------------------------------------------------------------------- reporting


def test_a_report_without_a_pupil_reads_no_pupil_data(world: World) -> None:
    client = world.client_for("teacher_a")
    page = client.get(CREATE)
    assert page.status_code == 200
    html = _html(page)
    assert 'name="pupil"' not in html
    assert CANARIES["x"] not in html
    assert 'name="show_pupils"' in html
    assert f'formaction="{PUPILS}"' in html  # the button's own URL: one POST action per view
    assert client.get(PUPILS).status_code == 405
    response = client.post(CREATE, _data(world))
    assert response.status_code == 302
    created = DeviationReport.objects.get()
    assert created.school_unit == world.units["a"]
    assert created.counterparts == [Counterpart.SOCIAL_SERVICES, Counterpart.CHILD_PSYCHIATRY]
    assert created.principled
    assert not created.not_solvable_locally
    assert not created.concerns_pupil
    assert created.created_by == world.users["teacher_a"]
    assert not AccessEvent.objects.filter(pupil__isnull=False).exists()


def test_asking_for_a_pupil_lists_only_visible_pupils_and_keeps_the_text(world: World) -> None:
    client = world.client_for("mentor_a")
    response = client.post(PUPILS, {**_data(world), "show_pupils": "1"})
    assert response.status_code == 200
    html = _html(response)
    assert 'name="pupil"' in html
    assert "Kanarieqx, ElevX" in html
    assert "Kanarieqm, ElevM" in html
    assert CANARIES["w"] not in html  # not in the mentor's group
    assert CANARIES["z"] not in html  # protected
    assert "BUP och socialtjänsten hänvisar till varandra.</textarea>" in html
    assert 'value="child_psychiatry" id="id_counterparts_1" checked' in html
    [listed] = _events("deviation_pupil_choice")
    assert listed.action == AccessAction.LIST
    assert listed.school_unit_id == world.units["a"].pk
    # Taking the pupil away again keeps the text and reads no names.
    hidden = client.post(PUPILS, {**_data(world), "with_pupil": "True", "hide_pupils": "1"})
    assert 'name="pupil"' not in _html(hidden)
    assert "BUP och socialtjänsten hänvisar till varandra." in _html(hidden)
    assert len(_events("deviation_pupil_choice")) == 1


def test_a_report_with_a_pupil_needs_the_reason_and_is_logged(world: World) -> None:
    client = world.client_for("mentor_a")
    pupil = world.pupils["x"]
    data = _data(world, with_pupil="True", pupil=str(pupil.pk), pupil_reason="")
    response = client.post(CREATE, data)
    assert response.status_code == 400
    html = _html(response)
    assert "Ange varför rapporten behöver uppgifter om eleven." in html
    assert f'<option value="{pupil.pk}" selected>' in html
    assert not DeviationReport.objects.exists()
    data["pupil_reason"] = "Socialtjänsten behöver veta vilket ärende det gäller."
    assert client.post(CREATE, data).status_code == 302
    created = DeviationReport.objects.get()
    assert created.pupil == pupil
    assert created.concerns_pupil
    [event] = _events(services.DEVIATION_RECORD)
    assert (event.action, event.pupil_id, event.acting_role) == (
        AccessAction.CREATE,
        pupil.pk,
        "mentor",
    )


def test_a_pupil_the_reporter_may_not_see_is_refused(world: World) -> None:
    data = _data(world, with_pupil="True", pupil=str(world.pupils["w"].pk), pupil_reason="Behövs.")
    response = world.client_for("teacher_a").post(CREATE, data)
    assert response.status_code == 400
    assert "Välj en elev på den valda skolenheten." in _html(response)
    assert not DeviationReport.objects.exists()


def test_bad_input_is_a_400_with_linked_errors_and_the_text_kept(world: World) -> None:
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    data = _data(world, counterparts=[], occurred_on=future, description="Min beskrivning")
    response = world.client_for("teacher_a").post(CREATE, data)
    assert response.status_code == 400
    html = _html(response)
    assert "Ange vilken eller vilka verksamheter samverkansproblemet gäller." in html
    assert "Dagen då det inträffade kan inte ligga i framtiden." in html
    assert "Min beskrivning</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_occurred_on_error"' in html
    assert "id_counterparts_error" in html  # the checkbox group's fieldset is described by it
    assert not DeviationReport.objects.exists()


# ----------------------------------------------------------------------------- one report


def test_every_view_of_a_pupil_report_writes_a_log_row(world: World) -> None:
    created = report(world, reporter="mentor_a", pupil="x")
    url = reverse("routines:deviation_detail", args=[created.pk])
    for persona in ("mentor_a", "principal_a"):
        html = _html(world.client_for(persona).get(url))
        assert "ElevX Kanarieqx" in html
    views = [e for e in _events(services.DEVIATION_RECORD) if e.action == AccessAction.VIEW]
    assert [(e.actor_id, e.pupil_id, e.acting_role) for e in views] == [
        (world.users["mentor_a"].pk, world.pupils["x"].pk, "mentor"),
        (world.users["principal_a"].pk, world.pupils["x"].pk, "principal"),
    ]
    plain = report(world)
    before = AccessEvent.objects.count()
    world.client_for("principal_a").get(reverse("routines:deviation_detail", args=[plain.pk]))
    assert AccessEvent.objects.count() == before


def test_the_leader_handles_a_protected_pupils_report_without_seeing_who(world: World) -> None:
    created = report(world, reporter="special_educator_a", pupil="z")
    url = reverse("routines:deviation_detail", args=[created.pk])
    html = _html(world.client_for("principal_a").get(url))
    assert CANARIES["z"] not in html
    assert "ElevZ" not in html
    assert "Du har inte behörighet att se vilken elev det är." in html
    assert "Handlägg rapporten" in html
    assert CANARIES["z"] in _html(world.client_for("special_educator_a").get(url))


def test_a_refused_or_missing_report_is_the_same_404_and_is_logged(world: World) -> None:
    created = report(world, reporter="mentor_a", pupil="x")
    client = world.client_for("teacher_a")
    missing = "00000000-0000-4000-8000-000000000000"
    for report_id in (created.pk, missing):
        response = client.get(reverse("routines:deviation_detail", args=[report_id]))
        assert response.status_code == 404
        assert CANARIES["x"] not in _html(response)
    denied = [e for e in _events(services.DEVIATION_RECORD) if e.outcome == "denied"]
    assert [(e.record_id, e.pupil_id) for e in denied] == [
        (str(created.pk), world.pupils["x"].pk),
        (missing, None),
    ]
    assert {e.actor_id for e in denied} == {world.users["teacher_a"].pk}


def test_the_leader_moves_the_report_on_and_bad_input_keeps_the_text(world: World) -> None:
    created = report(world)
    url = reverse("routines:deviation_status", args=[created.pk])
    client = world.client_for("deputy_a")
    response = client.post(url, {"status": "closed", "note": "Min kommentar"})
    assert response.status_code == 400
    html = _html(response)
    assert "Beskriv utfallet innan rapporten avslutas." in html
    assert "Min kommentar</textarea>" in html
    response = client.post(url, {"status": "reported_to_ksl"})
    assert response.status_code == 400
    assert "Ange dagen då avvikelsen rapporterades till KSL." in _html(response)
    today = timezone.localdate().isoformat()
    response = client.post(url, {"status": "reported_to_ksl", "ksl_reported_on": today})
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.status == DeviationStatus.REPORTED_TO_KSL
    assert created.updated_by == world.users["deputy_a"]
    detail = _html(client.get(reverse("routines:deviation_detail", args=[created.pk])))
    assert "Rapporterad till BUS-sekretariatet (KSL)" in detail
    # The reporter sees the status but cannot change it.
    reporter = world.client_for("teacher_a")
    mine = _html(reporter.get(reverse("routines:deviation_detail", args=[created.pk])))
    assert "Rapporterad till BUS-sekretariatet (KSL)" in mine
    assert "Handlägg rapporten" not in mine
    assert reporter.post(url, {"status": "closed", "outcome": "x"}).status_code == 404
    created.refresh_from_db()
    assert created.status == DeviationStatus.REPORTED_TO_KSL


def test_a_status_that_is_not_next_is_refused(world: World) -> None:
    created = report(world)
    url = reverse("routines:deviation_status", args=[created.pk])
    client = world.client_for("principal_a")
    assert client.post(url, {"status": "under_handling"}).status_code == 302
    response = client.post(url, {"status": "under_handling"})
    assert response.status_code == 400
    assert "Välj en av statusarna i listan." in _html(response)


# ----------------------------------------------------------------------------- lists


def test_leaders_see_the_units_reports_and_reporters_their_own(world: World) -> None:
    by_teacher = report(world, "a", "teacher_a")
    by_mentor = report(world, "a", "mentor_a", pupil="x")
    report(world, "b", "teacher_b")
    leader = _html(world.client_for("principal_a").get(LIST))
    for created in (by_teacher, by_mentor):
        assert reverse("routines:deviation_detail", args=[created.pk]) in leader
    assert "2 nya rapporter väntar på handläggning." in leader
    assert "Lindskolan" not in leader
    assert CANARIES["x"] not in leader  # the list names no pupil
    assert "Gäller en elev" in leader
    teacher = _html(world.client_for("teacher_a").get(LIST))
    assert reverse("routines:deviation_detail", args=[by_teacher.pk]) in teacher
    assert reverse("routines:deviation_detail", args=[by_mentor.pk]) not in teacher
    assert "Rapporter att handlägga" not in teacher
    filtered = _html(world.client_for("principal_a").get(LIST, {"status": "closed"}))
    assert reverse("routines:deviation_detail", args=[by_teacher.pk]) not in filtered


# ----------------------------------------------------------------------------- overview


def test_the_overview_counts_without_descriptions_or_pupils(world: World) -> None:
    report(world, "a", "teacher_a", counterparts=(Counterpart.SOCIAL_SERVICES,))
    handled = report(
        world,
        "a",
        "mentor_a",
        pupil="x",
        counterparts=(Counterpart.SOCIAL_SERVICES, Counterpart.HABILITATION),
    )
    handle(world, handled, DeviationStatus.UNDER_HANDLING)
    report(world, "b", "teacher_b", counterparts=(Counterpart.PAEDIATRICS,))
    report(world, "c", "principal_b")  # another huvudman: never counted
    response = world.client_for("huvudman_admin").get(OVERVIEW)
    assert response.status_code == 200
    html = _html(response)
    assert "3 rapporter." in html
    assert "Socialtjänsten svarar inte" not in html
    assert CANARIES["x"] not in html
    row = html[html.index('<th scope="row">Socialtjänst</th>') :].split("</tr>")[0]
    assert [int(n) for n in row.replace("</td>", "").split("<td>")[1:]] == [1, 1, 0, 0, 2]
    by_unit = html[html.index('id="by-unit"') :]
    assert "Björkskolan" in by_unit
    assert "Lindskolan" in by_unit
    assert "Friskolan" not in by_unit
    assert "kvartal" in html


def test_the_overview_period_filters_and_rejects_a_bad_period(world: World) -> None:
    report(world, occurred_days_ago=100)
    report(world, occurred_days_ago=2)
    client = world.client_for("huvudman_admin")
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert "1 rapport." in _html(client.get(OVERVIEW, {"fran": since}))
    response = client.get(OVERVIEW, {"fran": since, "till": "2000-01-01"})
    assert response.status_code == 400
    assert "Slutdagen kan inte ligga före startdagen." in _html(response)


# ----------------------------------------------------------------------------- exports


def _csv_rows(response: HttpResponse) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_lists_reports_without_pupil_data(world: World) -> None:
    open_report = report(world, "a", "teacher_a", description='=HYPERLINK("x") problem')
    handle(world, open_report, DeviationStatus.CLOSED, outcome="Löst genom nytt samverkansavtal.")
    linked = report(world, "a", "mentor_a", pupil="x", description="Om ElevX Kanarieqx")
    handle(world, linked, DeviationStatus.CLOSED, outcome="Gällde ElevX Kanarieqx")
    report(world, "b", "teacher_b", counterparts=(Counterpart.HABILITATION,))
    response = world.client_for("huvudman_admin").get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0][:3] == ["Skolenhet", "Inträffade", "Rapporterad"]
    assert len(rows) == 4
    body = response.content.decode("utf-8")
    for forbidden in (CANARIES["x"], "ElevX", "Behövs för att följa upp", "mentor_a", "teacher_a"):
        assert forbidden not in body
    by_text = {row[8]: row for row in rows[1:]}
    open_row = by_text['\'=HYPERLINK("x") problem']  # a formula is written as text
    assert open_row[0] == "Björkskolan"
    assert open_row[3] == "Socialtjänst"
    assert open_row[5] == "Avslutad"
    assert open_row[10] == "Löst genom nytt samverkansavtal."
    withheld = by_text["Utelämnad: rapporten gäller en enskild elev."]
    assert withheld[9] == withheld[10] == "Utelämnad: rapporten gäller en enskild elev."
    assert "Lindskolan" in {row[0] for row in rows[1:]}
    [event] = _events(services.DEVIATION_EXPORT_RECORD)
    assert event.action == AccessAction.EXPORT
    assert event.actor_id == world.users["huvudman_admin"].pk
    assert event.purpose == "csv:3"


def test_a_leaders_export_covers_their_unit_only(world: World) -> None:
    report(world, "a", "teacher_a")
    report(world, "b", "teacher_b", description="Lindskolans problem")
    rows = _csv_rows(world.client_for("principal_b").get(CSV))
    assert [row[0] for row in rows[1:]] == ["Lindskolan"]
    client = world.client_for("principal_a")
    assert [row[0] for row in _csv_rows(client.get(CSV))[1:]] == ["Björkskolan"]
    assert client.get(CSV, {"enhet": str(world.units["b"].pk)}).status_code == 404
    assert client.get(CSV, {"huvudman": str(world.units["a"].provider_id)}).status_code == 404
    unit_rows = _csv_rows(
        world.client_for("huvudman_admin").get(CSV, {"enhet": str(world.units["b"].pk)})
    )
    assert [row[0] for row in unit_rows[1:]] == ["Lindskolan"]


def test_a_bad_period_is_a_400_in_swedish(world: World) -> None:
    response = world.client_for("huvudman_admin").get(CSV, {"fran": "igår"})
    assert response.status_code == 400
    assert "Ange datumet som ÅÅÅÅ-MM-DD" in response.content.decode()
    assert not _events(services.DEVIATION_EXPORT_RECORD)


def test_the_pdf_renders_and_is_logged(world: World) -> None:
    report(world, "a", "teacher_a")
    report(world, "a", "mentor_a", pupil="x")
    response = world.client_for("principal_a").get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="avvikelser-' in response["Content-Disposition"]
    [event] = _events(services.DEVIATION_EXPORT_RECORD)
    assert (event.action, event.purpose) == (AccessAction.EXPORT, "pdf:2")


def test_the_pdf_html_is_swedish_and_withholds_pupil_texts(world: World) -> None:
    from elevstod.routines import exports, selectors

    report(world, "a", "mentor_a", pupil="x", description="Om ElevX Kanarieqx")
    report(world, "a", "teacher_a", description="Ett öppet problem")
    reports = selectors.reports_for_export([world.units["a"].pk])
    captured: dict[str, object] = {}

    def fake_render(template: str, context: dict[str, object]) -> bytes:
        from django.template.loader import render_to_string

        captured["html"] = render_to_string(template, context)
        return b"%PDF-fake"

    original = exports.render_pdf
    exports.render_pdf = fake_render  # type: ignore[assignment]
    try:
        exports.deviations_pdf(
            reports, scope="Björkskolan", start=None, end=None, today=timezone.localdate()
        )
    finally:
        exports.render_pdf = original
    html = str(captured["html"])
    assert 'lang="sv"' in html
    assert "Ett öppet problem" in html
    assert CANARIES["x"] not in html
    assert "Utelämnad: rapporten gäller en enskild elev." in html
