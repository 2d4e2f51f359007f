"""Every filter value of the log review goes through the access policy (issue 10, item 9): a value
outside the reviewer's scope shows nothing, answers the 404 of a missing page and leaves a denied
row, which the leaders it concerns see in their own review."""

from django.urls import reverse

from elevstod.audit.models import AccessEvent, LogReview
from elevstod.audit.recording import record_access
from tests.world import CANARIES, World


def _review(world: World, persona: str, **query: object) -> tuple[int, str]:
    response = world.client_for(persona).get(reverse("audit:log_review"), query)
    return response.status_code, response.content.decode()


def test_log_review_filtered_by_another_schools_pupil_shows_nothing_and_is_denied(
    world: World,
) -> None:
    x = world.pupils["x"]  # at unit A; principal_b leads unit B
    world.client_for("mentor_a").get(reverse("front:pupil_detail", kwargs={"pupil_id": x.pk}))
    status, body = _review(world, "principal_b", pupil=x.pk)
    assert status == 404
    assert CANARIES["x"] not in body
    attempt = AccessEvent.objects.filter(actor=world.users["principal_b"]).get()
    assert (attempt.action, attempt.outcome, attempt.pupil_id) == ("log_review", "denied", x.pk)
    # Logged at the pupil's unit, so that its leaders find the attempt in their own review.
    assert attempt.school_unit_id == world.units["a"].pk
    status, body = _review(world, "principal_a", denied_only="on")
    assert status == 200
    assert world.users["principal_b"].display_name in body


def test_log_review_filtered_by_own_pupil_is_logged_as_a_review_of_that_pupil(
    world: World,
) -> None:
    x = world.pupils["x"]
    status, body = _review(world, "principal_a", pupil=x.pk)
    assert status == 200
    assert CANARIES["x"] in body
    review = AccessEvent.objects.get(action="log_review")
    assert (review.outcome, review.pupil_id, review.acting_role) == ("allowed", x.pk, "principal")


def test_log_review_filtered_by_a_unit_the_reviewer_does_not_lead_is_denied(world: World) -> None:
    unit_a = world.units["a"]
    status, _body = _review(world, "principal_b", school_unit=unit_a.pk)
    assert status == 404
    attempt = AccessEvent.objects.get(actor=world.users["principal_b"])
    assert (attempt.outcome, attempt.school_unit_id, attempt.record_id) == (
        "denied",
        unit_a.pk,
        str(unit_a.pk),
    )


def test_log_review_filtered_by_a_user_the_units_log_does_not_know_is_denied(
    world: World,
) -> None:
    teacher_b = world.users["teacher_b"]
    assert _review(world, "principal_a", user=teacher_b.pk)[0] == 404
    denied = AccessEvent.objects.get(actor=world.users["principal_a"])
    assert (denied.outcome, denied.record_id) == ("denied", str(teacher_b.pk))
    # Once teacher_b has tried to open a pupil of unit A, A's log names them: reviewable.
    x = world.pupils["x"]
    world.client_for("teacher_b").get(reverse("front:pupil_detail", kwargs={"pupil_id": x.pk}))
    assert _review(world, "principal_a", user=teacher_b.pk)[0] == 200
    # Staff of the reviewer's own unit always are.
    assert _review(world, "principal_a", user=world.users["mentor_a"].pk)[0] == 200


def test_a_filter_value_that_is_not_an_id_answers_404_without_a_500(world: World) -> None:
    for field in ("pupil", "user", "school_unit"):
        assert _review(world, "principal_a", **{field: "x\x00y"})[0] == 404, field


def test_recording_a_review_of_another_schools_pupil_is_refused(world: World) -> None:
    y = world.pupils["y"]  # at unit B
    query = f"pupil={y.pk}&period_start=2026-01-01&period_end=2026-01-31"
    url = f"{reverse('audit:log_review_record')}?{query}"
    response = world.client_for("principal_a").post(url, {"outcome": "no_remarks"})
    assert response.status_code == 404
    assert not LogReview.objects.exists()
    assert AccessEvent.objects.get(actor=world.users["principal_a"]).outcome == "denied"


def test_log_review_row_names_no_pupil_the_reviewer_cannot_see_today(world: World) -> None:
    """m moved from unit B to unit A: B's rektor reviews B's old rows about m without m's name."""
    m = world.pupils["m"]
    record_access(
        actor_id=world.users["teacher_b"].pk,
        action="view",
        record_type="pupil",
        pupil_id=m.pk,
        school_unit_id=world.units["b"].pk,
    )
    status, body = _review(world, "principal_b")
    assert status == 200
    assert CANARIES["m"] not in body
    assert "Elev utanför din behörighet" in body
    assert f"?pupil={m.pk}" not in body


def _read_at(world: World, reader: str, pupil: str, unit: str) -> None:
    record_access(
        actor_id=world.users[reader].pk,
        action="view",
        record_type="pupil",
        pupil_id=world.pupils[pupil].pk,
        school_unit_id=world.units[unit].pk,
    )


def test_rektor_filters_the_log_by_a_pupil_who_has_moved_away_and_sees_the_reads_at_their_unit(
    world: World,
) -> None:
    """m moved from unit B to unit A: B's log keeps the reads of m at B (P3) and B's rektor
    reviews them (P4), without m's name and without A's rows."""
    m = world.pupils["m"]
    _read_at(world, "teacher_b", "m", "b")
    _read_at(world, "mentor_a", "m", "a")
    status, body = _review(world, "principal_b", pupil=m.pk)
    assert status == 200
    assert world.users["teacher_b"].display_name in body
    assert world.users["mentor_a"].display_name not in body
    assert CANARIES["m"] not in body
    assert "Visar loggen för en elev utanför din behörighet." in body
    review = AccessEvent.objects.get(action="log_review")
    assert (
        review.actor_id,
        review.outcome,
        review.pupil_id,
        review.record_id,
        review.school_unit_id,
        review.acting_role,
    ) == (
        world.users["principal_b"].pk,
        "allowed",
        m.pk,
        str(m.pk),
        world.units["b"].pk,
        "principal",
    )


def test_review_of_a_pupil_who_has_moved_away_is_recorded_for_their_old_unit(
    world: World,
) -> None:
    m = world.pupils["m"]
    _read_at(world, "teacher_b", "m", "b")
    query = f"pupil={m.pk}&period_start=2020-01-01&period_end=2099-12-31"
    url = f"{reverse('audit:log_review_record')}?{query}"
    response = world.client_for("principal_b").post(url, {"outcome": "no_remarks"})
    assert response.status_code == 302
    review = LogReview.objects.get()
    # The read of m at B, and the review of m's log that recording it is.
    assert (review.pupil_id, review.school_unit_id, review.events_seen) == (
        m.pk,
        world.units["b"].pk,
        2,
    )


def test_log_review_filtered_by_a_pupil_never_logged_at_the_reviewers_units_stays_denied(
    world: World,
) -> None:
    """x has never been at unit B and B's log does not name x: no row of A's log is shown."""
    x = world.pupils["x"]
    _read_at(world, "mentor_a", "x", "a")
    status, body = _review(world, "principal_b", pupil=x.pk)
    assert status == 404
    assert CANARIES["x"] not in body
    assert world.users["mentor_a"].display_name not in body
    attempt = AccessEvent.objects.get(actor=world.users["principal_b"])
    assert (attempt.action, attempt.outcome, attempt.pupil_id) == ("log_review", "denied", x.pk)


def test_a_protected_pupil_in_the_units_log_is_not_a_filter_for_a_rektor_not_assigned(
    world: World,
) -> None:
    """Rows of unit B name z (protected, at unit A, assigned to no one at B): B's rektor sees
    them masked in the whole log but cannot narrow it to z (P6)."""
    z = world.pupils["z"]
    _read_at(world, "teacher_b", "z", "b")
    assert _review(world, "principal_b", pupil=z.pk)[0] == 404
    attempt = AccessEvent.objects.get(actor=world.users["principal_b"])
    assert (attempt.outcome, attempt.pupil_id) == ("denied", z.pk)


def test_log_review_of_a_pupil_who_has_moved_away_costs_the_same_queries_at_any_log_size(
    world: World,
) -> None:
    m = world.pupils["m"]
    url = f"{reverse('audit:log_review')}?pupil={m.pk}"
    _read_at(world, "teacher_b", "m", "b")
    small = world.count_queries("principal_b", url)
    for _ in range(30):
        _read_at(world, "teacher_b", "m", "b")
    assert world.count_queries("principal_b", url) == small
