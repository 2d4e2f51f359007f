"""The log review and the log extract name roles and record types in words (issue 13), and
show times in Swedish time under a heading that says no more than "Tid"."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from elevstod.access.policy import Relation, SupportRecord
from elevstod.audit.models import AccessAction, AccessEvent
from elevstod.logreview.labels import (
    ACTING_ROLE_LABELS,
    RECORD_TYPE_LABELS,
    record_type_label,
    role_label,
)
from tests.world import World

# (acting role, record type) as the apps write them, with one of each that no app writes.
_LOGGED = [
    (Relation.GUARDIAN.value, "action_programme"),
    (Relation.SPECIAL_EDUCATION.value, "pupil"),
    (Relation.PRINCIPAL.value, "pupil_list"),
    (Relation.PUPIL_HEALTH_TEAM.value, "adaptation_list"),
    ("", "support_page"),
    ("made_up_role", "made_up_type"),
]

_SHOWN = [
    "Vårdnadshavare",
    "Åtgärdsprogram",
    "Specialpedagog eller speciallärare",
    "Elevens uppgifter",
    "Rektor eller biträdande rektor",
    "Elevlista",
    "Elevhälsan",
    "Extra anpassning (lista)",
    "Elevens stöd",
    "Annan roll (made_up_role)",
    "Annan uppgift (made_up_type)",
]


def _log(world: World, occurred_at: datetime | None = None) -> None:
    for role, record_type in _LOGGED:
        AccessEvent.objects.create(
            occurred_at=occurred_at or datetime.now(UTC),
            actor=world.users["mentor_a"],
            acting_role=role,
            school_unit=world.units["a"],
            pupil=world.pupils["x"],
            record_type=record_type,
            action=AccessAction.VIEW,
            outcome="allowed",
        )


def _cells(body: str) -> list[str]:
    return [cell.strip() for cell in re.findall(r"<td>([^<]*)</td>", body)]


def _assert_no_bare_code(body: str) -> None:
    """A code is lowercase ASCII with underscores; every label starts with a capital."""
    codes = [cell for cell in _cells(body) if re.fullmatch(r"[a-z][a-z_]*", cell)]
    assert codes == []
    for code in ("guardian_with_custody", "special_education", "action_programme", "pupil_list"):
        assert f">{code}<" not in body


def test_log_review_names_roles_and_record_types_in_swedish(world: World) -> None:
    _log(world)
    response = world.client_for("principal_a").get(
        reverse("audit:log_review"), {"pupil": str(world.pupils["x"].pk)}
    )
    body = response.content.decode()
    for label in _SHOWN:
        assert f"<td>{label}</td>" in body, label
    _assert_no_bare_code(body)


def test_log_extract_names_roles_and_record_types_in_swedish(world: World) -> None:
    _log(world)
    url = reverse("audit:pupil_log_extract", kwargs={"pupil_id": world.pupils["x"].pk})
    body = world.client_for("principal_a").get(url).content.decode()
    for label in _SHOWN:
        assert f"<td>{label}</td>" in body, label
    _assert_no_bare_code(body)


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        (datetime(2025, 1, 15, 11, 0, tzinfo=UTC), "2025-01-15 12:00:00"),  # CET, UTC+1
        (datetime(2025, 7, 15, 11, 0, tzinfo=UTC), "2025-07-15 13:00:00"),  # CEST, UTC+2
    ],
)
def test_log_pages_show_stockholm_time_under_a_plain_heading(
    world: World, utc: datetime, shown: str
) -> None:
    _log(world, occurred_at=utc)
    client = world.client_for("principal_a")
    extract = reverse("audit:pupil_log_extract", kwargs={"pupil_id": world.pupils["x"].pk})
    review = reverse("audit:log_review") + f"?pupil={world.pupils['x'].pk}"
    for url in (extract, review):
        body = client.get(url).content.decode()
        assert f"<td>{shown}</td>" in body
        assert "UTC" not in body
        assert ">Tid</th>" in body


def test_every_relation_and_support_record_has_a_label() -> None:
    assert set(Relation) <= set(ACTING_ROLE_LABELS)
    assert set(SupportRecord) <= set(RECORD_TYPE_LABELS)


def _written_codes(pattern: str) -> set[str]:
    root = Path(settings.BASE_DIR) / "elevstod"
    found: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return found


def test_every_record_type_and_role_the_apps_write_has_a_label() -> None:
    """The literals and constants the apps pass as record_type or acting_role: a new one
    without a label fails here rather than reaching a rektor as "Annan uppgift"."""
    record_types = _written_codes(r'record_type(?:: str)? ?= ?"([a-z_]+)"') | _written_codes(
        r'\b[A-Z_]*RECORD(?:_TYPE)?\s*=\s*"([a-z_]+)"'
    )
    assert {"pupil", "pupil_list", "deviation_report", "protected_assignment"} <= record_types
    assert record_types - set(RECORD_TYPE_LABELS) == set()
    roles = _written_codes(r'acting_role(?:: str)? ?= ?"([a-z_]+)"') | _written_codes(
        r'\bACTING_ROLE\s*=\s*"([a-z_]+)"'
    )
    assert roles - set(ACTING_ROLE_LABELS) == set()


def test_an_unknown_code_is_named_as_unknown_and_an_empty_one_stays_empty() -> None:
    assert role_label("") == ""
    assert record_type_label("") == ""
    assert role_label("robot") == "Annan roll (robot)"
    assert record_type_label("robot_list") == "Annan uppgift (robot_list)"
    assert record_type_label("decision_list") == "Beslut (lista)"


def test_labels_have_english_translations() -> None:
    with translation.override("en"):
        assert role_label(Relation.GUARDIAN) == "Guardian"
        assert role_label(Relation.PRINCIPAL) == "Principal or deputy principal"
        assert record_type_label("action_programme_list") == "Action programme (list)"
        assert record_type_label("robot") == "Other record (robot)"
