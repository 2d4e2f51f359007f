"""The SS 12000 client against the mock provider over real HTTP on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import pytest
from django.test import override_settings

from elevstod.ss12000 import client as client_module
from elevstod.ss12000.client import (
    ClientConfig,
    PageTokenRefusedError,
    ProviderError,
    SS12000Client,
    config_from_settings,
)
from elevstod.ss12000.mock.fixture import CREATED, ids
from elevstod.ss12000.mock.server import MALFORMED_JSON, REFUSE_PAGE_TOKEN, SERVER_ERROR, TIMEOUT
from elevstod.ss12000.schemas import Person

LATER = CREATED + dt.timedelta(days=3)


def _all(pages):
    return [item for page in pages for item in page.items]


def test_persons_are_read_across_every_page(client, provider):
    pages = list(client.persons())

    assert [len(page.items) for page in pages] == [4, 4, 3]
    assert pages[-1].next_page_token is None
    assert len({person.id for page in pages for person in page.items}) == 11


def test_a_following_page_is_asked_for_with_the_page_token_and_limit_only(client, provider):
    list(client.persons(modified_after=CREATED - dt.timedelta(days=1)))

    first, *following = provider.requests_to("/persons")
    assert "meta.modified.after" in first
    assert following
    assert all(set(query) == {"pageToken", "limit"} for query in following)


def test_modified_after_returns_only_entities_changed_after_the_mark(client, provider):
    provider.dataset.update("persons", ids.PUPIL_BORIS, {"givenName": "Bruno"}, at=LATER)

    changed = _all(client.persons(modified_after=CREATED))

    assert [(person.id, person.given_name) for person in changed] == [
        (UUID(ids.PUPIL_BORIS), "Bruno")
    ]
    assert changed[0].meta.modified == LATER


def test_the_mark_is_exclusive_so_an_entity_at_the_mark_is_not_read_again(client, provider):
    provider.dataset.update("persons", ids.PUPIL_BORIS, {"givenName": "Bruno"}, at=LATER)

    assert _all(client.persons(modified_after=LATER)) == []


def test_a_pupil_comes_with_responsibles_and_enrolments(client):
    persons = {person.id: person for person in _all(client.persons())}

    alva = persons[UUID(ids.PUPIL_ALVA)]
    assert {str(r.person.id) for r in alva.responsibles} == {ids.GUARDIAN_EVA, ids.GUARDIAN_FREDRIK}
    assert {r.relation_type for r in alva.responsibles} == {"Vårdnadshavare"}
    assert [(str(e.enroled_at.id), e.school_type, e.school_year) for e in alva.enrolments] == [
        (ids.SCHOOL_NORR, "GR", 7)
    ]
    assert alva.civic_no is not None
    assert alva.civic_no.value.startswith("20130412")


def test_expand_embeds_a_guardians_children_and_a_staff_members_duties(client):
    persons = {person.id: person for person in _all(client.persons())}

    eva = persons[UUID(ids.GUARDIAN_EVA)]
    assert eva.embedded is not None
    assert [str(child.person.id) for child in eva.embedded.responsible_for] == [ids.PUPIL_ALVA]
    mentor = persons[UUID(ids.MENTOR)]
    assert mentor.embedded is not None
    (duty,) = mentor.embedded.duties
    assert duty.duty_role == "Lärare"
    assert [(role.assignment_role_type, str(role.group.id)) for role in duty.assignment_role] == [
        ("Mentor", ids.GROUP_MENTOR_7A)
    ]


def test_a_person_without_a_security_marking_is_treated_as_protected(client):
    persons = {str(person.id): person for person in _all(client.persons())}

    assert persons[ids.PUPIL_DAVID].security_marking is None
    assert persons[ids.PUPIL_DAVID].is_protected
    assert persons[ids.PUPIL_CELINE].is_protected
    assert not persons[ids.PUPIL_ALVA].is_protected


def test_every_endpoint_elevstod_needs_is_read_into_typed_entities(client):
    organisations = _all(client.organisations())
    school_units = _all(client.organisations(types=["Skolenhet"]))
    groups = _all(client.groups())
    mentor_groups = _all(client.groups(group_types=["Mentor"]))
    duties = _all(client.duties())
    placements = _all(client.placements())
    activities = _all(client.activities())
    absences = _all(client.absences())
    attendance = _all(
        client.aggregated_attendance(start_date=dt.date(2026, 8, 1), end_date=dt.date(2026, 12, 31))
    )

    assert {o.organisation_type for o in organisations} == {"Huvudman", "Skolenhet"}
    assert {o.school_unit_code for o in school_units} == {"99990001", "99990002"}
    assert {g.group_type for g in groups} == {"Klass", "Mentor", "Undervisning"}
    assert [g.display_name for g in mentor_groups] == ["Mentorsgrupp 7A"]
    assert len(groups[0].group_memberships) == 3
    assert {d.duty_role for d in duties} == {"Rektor", "Lärare", "Kurator"}
    assert [(str(p.child.id), p.school_type) for p in placements] == [(ids.PUPIL_ALVA, "FTH")]
    assert [str(t.duty.id) for t in activities[0].teachers] == [ids.DUTY_TEACHER]
    assert [str(g.id) for g in activities[0].groups] == [ids.GROUP_MATHS_7A]
    assert [(str(a.student.id), a.type) for a in absences] == [(ids.PUPIL_BORIS, "Anmäld frånvaro")]
    assert sorted(a.invalid_absence_sum or 0 for a in attendance) == [0, 0, 180]


def test_deleted_entities_name_the_ids_removed_after_the_mark(client, provider):
    provider.dataset.delete("duties", ids.DUTY_COUNSELLOR, at=CREATED + dt.timedelta(days=1))
    provider.dataset.delete("persons", ids.COUNSELLOR, at=CREATED + dt.timedelta(days=1))
    provider.dataset.delete("activities", ids.ACTIVITY_MATHS_7A, at=LATER)

    everything = client.deleted_entities()
    since_the_mark = client.deleted_entities(after=CREATED + dt.timedelta(days=2))
    only_duties = client.deleted_entities(entities=["Duty"])

    assert everything.duties == [UUID(ids.DUTY_COUNSELLOR)]
    assert everything.persons == [UUID(ids.COUNSELLOR)]
    assert everything.activities == [UUID(ids.ACTIVITY_MATHS_7A)]
    assert since_the_mark.activities == [UUID(ids.ACTIVITY_MATHS_7A)]
    assert since_the_mark.duties == since_the_mark.persons == []
    assert only_duties.persons == []
    assert only_duties.duties == [UUID(ids.DUTY_COUNSELLOR)]


def test_deleted_entities_are_merged_across_pages(client, provider):
    for index, group in enumerate((ids.GROUP_CLASS_7A, ids.GROUP_MENTOR_7A, ids.GROUP_MATHS_7A)):
        provider.dataset.delete("groups", group, at=CREATED + dt.timedelta(hours=index + 1))
    for index, person in enumerate((ids.GUARDIAN_EVA, ids.GUARDIAN_GUN)):
        provider.dataset.delete("persons", person, at=CREATED + dt.timedelta(days=index + 1))

    deleted = client.deleted_entities()

    assert len(provider.requests_to("/deletedEntities")) == 2  # five ids, four a page
    assert len(deleted.groups) == 3
    assert deleted.persons == [UUID(ids.GUARDIAN_EVA), UUID(ids.GUARDIAN_GUN)]


def test_server_error_is_retried_with_back_off_then_succeeds(client, provider, sleeps):
    provider.inject(SERVER_ERROR, path="/organisations", times=2)

    organisations = _all(client.organisations())

    assert len(organisations) == 3
    assert sleeps == [0.5, 1.0]
    assert [r.status for r in provider.responses] == [503, 503, 200]


def test_too_many_requests_is_retried(client, provider, sleeps):
    provider.inject(SERVER_ERROR, path="/organisations", times=1, status=429)

    assert len(_all(client.organisations())) == 3
    assert sleeps == [0.5]


def test_back_off_doubles_honours_retry_after_and_stops_at_the_cap():
    config = ClientConfig(base_url="http://127.0.0.1", backoff_seconds=1, max_backoff_seconds=5)
    ss12000 = SS12000Client(config)

    assert [ss12000._backoff(attempt, None) for attempt in (1, 2, 3, 4)] == [1, 2, 4, 5]
    assert ss12000._backoff(1, 3.0) == 3.0
    assert ss12000._backoff(1, 3600.0) == 5


def test_server_error_that_persists_is_refused_with_a_reason(client, provider, sleeps):
    provider.inject(SERVER_ERROR, path="/persons", times=3, status=502)

    with pytest.raises(ProviderError) as refusal:
        list(client.persons())

    assert refusal.value.code == client_module.SERVER_ERROR
    assert "HTTP 502" in refusal.value.detail
    assert "3 attempts" in refusal.value.detail
    assert sleeps == [0.5, 1.0]


def test_time_out_is_retried_then_succeeds(impatient_client, provider, sleeps):
    provider.inject(TIMEOUT, path="/groups", times=1)

    assert len(_all(impatient_client.groups())) == 3
    assert sleeps == [0.5]


def test_time_out_that_persists_is_refused_with_a_reason(impatient_client, provider):
    provider.inject(TIMEOUT, path="/groups", times=3)

    with pytest.raises(ProviderError) as refusal:
        list(impatient_client.groups())

    assert refusal.value.code == client_module.TIMEOUT
    assert "no answer within 0.25 s" in refusal.value.detail


def test_malformed_json_is_refused_with_a_reason(client, provider, sleeps):
    provider.inject(MALFORMED_JSON, path="/duties")

    with pytest.raises(ProviderError) as refusal:
        list(client.duties())

    assert refusal.value.code == client_module.MALFORMED_JSON
    assert "not valid JSON" in refusal.value.detail
    assert sleeps == []  # not retried: the same request would get the same body


def test_refused_page_token_is_refused_with_a_reason(client, provider):
    provider.inject(REFUSE_PAGE_TOKEN, path="/persons")
    pages = client.persons()

    first = next(pages)
    with pytest.raises(PageTokenRefusedError) as refusal:
        next(pages)

    assert len(first.items) == 4
    assert refusal.value.code == client_module.PAGE_TOKEN_REFUSED


def test_a_row_without_the_fields_we_need_is_refused_and_the_rest_of_the_page_kept(provider):
    # A row a provider should not send (the conformance check would refuse it from the mock), so
    # it is parsed directly, as the client does with every row of a page.
    rows = [r for r in provider.dataset.listing("persons") if r["id"] != ids.PUPIL_BORIS]
    broken = {"id": ids.PUPIL_BORIS, "givenName": "Boris", "meta": {"modified": "yesterday"}}

    items, refused = client_module._parse_rows([*rows, broken], Person)

    assert len(items) == 10
    (row,) = refused
    assert row.id == ids.PUPIL_BORIS
    assert row.index == 10
    assert "familyName: missing" in row.reason
    assert "meta.created: missing" in row.reason
    assert "yesterday" not in row.reason  # no values from the provider in a reason


def test_unknown_fields_from_the_provider_are_ignored():
    person = Person.model_validate(
        {
            "id": ids.PUPIL_ALVA,
            "givenName": "Alva",
            "familyName": "Andersson",
            "meta": {"created": "2026-08-01T06:00:00Z", "modified": "2026-08-01T06:00:00Z"},
            "securityMarking": "Ingen",
            "somethingNew": {"nested": True},
            "responsibles": [{"person": {"id": ids.GUARDIAN_EVA}, "kind": "x"}],
        }
    )

    assert person.given_name == "Alva"
    assert not person.is_protected


def test_a_wrong_bearer_token_is_refused_as_access_denied(provider):
    config = ClientConfig(base_url=provider.url, token="not-the-token")

    with SS12000Client(config) as stranger, pytest.raises(ProviderError) as refusal:
        list(stranger.organisations())

    assert refusal.value.code == client_module.ACCESS_DENIED
    assert [r.status for r in provider.responses] == [401]


def test_a_provider_that_cannot_be_reached_is_refused_with_a_reason(sleeps):
    config = ClientConfig(base_url="http://127.0.0.1:9/v2.0", max_attempts=2, timeout_seconds=1)

    with SS12000Client(config, sleep=sleeps.append) as ss12000, pytest.raises(ProviderError) as e:
        list(ss12000.organisations())

    assert e.value.code == client_module.CONNECTION_FAILED
    assert sleeps == [1.0]


def test_a_naive_timestamp_is_refused_before_anything_is_sent(client, provider):
    with pytest.raises(ValueError, match="time zone"):
        list(client.persons(modified_after=dt.datetime(2026, 8, 1)))

    assert provider.responses == []


@override_settings(
    ELEVSTOD_SS12000_URL="https://skoladmin.example/v2.0",
    ELEVSTOD_SS12000_TOKEN="secret",
    ELEVSTOD_SS12000_TIMEOUT_SECONDS=12,
    ELEVSTOD_SS12000_PAGE_SIZE=250,
)
def test_the_client_reads_its_configuration_from_settings():
    config = config_from_settings()

    assert config.base_url == "https://skoladmin.example/v2.0"
    assert config.token == "secret"
    assert config.timeout_seconds == 12.0
    assert config.page_size == 250
    assert config.client_cert == ""
