"""Matrix rows for routines (/rutiner/) and deviation reports (/avvikelser/), and their records.

Expectations by hand (seed 001; policy: can_read_routines, can_manage_*_routines,
can_report_deviation, can_handle_deviation, can_view_deviation_overview):

- A unit routine is read by the unit's staff; a huvudman routine by the staff of every unit of
  that huvudman and by the huvudman. Unit leaders manage unit routines, the huvudman its own.
  principal_b has a teacher duty at unit C (another huvudman): reads C's routines, manages none.
- A deviation report is seen by its reporter and the unit's leaders, nobody else. A report
  naming protected pupil z is opened by principal_a (who handles it) without z's name ever
  appearing. The huvudman sees counts and exports; unit leaders export their units.
- Guardians and pupils reach nothing here.

The builders are shared with elevstod/routines/tests.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from elevstod.routines import services
from elevstod.routines.models import (
    Counterpart,
    DeviationNature,
    DeviationReport,
    Routine,
    RoutineCategory,
)
from tests.matrix import LEADERS_A, Row
from tests.world import STAFF, World

STAFF_B = {"principal_b", "teacher_b"}
STAFF_A = STAFF - STAFF_B - {"huvudman_admin"}  # the school unit A's staff
REPORTERS = STAFF - {"huvudman_admin"}
EXPORTERS = LEADERS_A | {"principal_b", "huvudman_admin"}


def unit_routine(
    world: World,
    unit: str = "a",
    *,
    actor: str = "principal_a",
    owner: str | None = None,
    category: str = RoutineCategory.INVESTIGATION,
    title: str = "Utredning av behov av särskilt stöd",
    review_in_days: int = 365,
) -> Routine:
    today = timezone.localdate()
    return services.routine_create(
        actor=world.users[actor],  # type: ignore[arg-type]
        school_unit_id=world.units[unit].pk,
        provider_id=None,
        category=category,
        owner=world.users[owner or actor],  # type: ignore[arg-type]
        title=title,
        purpose="Att behovet av särskilt stöd utreds skyndsamt.",
        content="Mentor anmäler till rektor.\nRektor utser utredare.\nUtredningen dokumenteras.",
        approved_on=today - timedelta(days=30),
        review_by=today + timedelta(days=review_in_days),
    )


def provider_routine(world: World, *, category: str = RoutineCategory.SOCIAL_SERVICES) -> Routine:
    today = timezone.localdate()
    return services.routine_create(
        actor=world.users["huvudman_admin"],  # type: ignore[arg-type]
        school_unit_id=None,
        provider_id=world.units["a"].provider_id,
        category=category,
        owner=world.users["huvudman_admin"],  # type: ignore[arg-type]
        title="Samverkan med socialtjänsten",
        purpose="Att skolan och socialtjänsten samverkar kring barn som far illa.",
        content="Orosanmälan görs enligt 14 kap. 1 § socialtjänstlagen.",
        approved_on=today - timedelta(days=60),
        review_by=today + timedelta(days=300),
    )


def report(
    world: World,
    unit: str = "a",
    reporter: str = "teacher_a",
    *,
    pupil: str | None = None,
    counterparts: tuple[str, ...] = (Counterpart.SOCIAL_SERVICES,),
    description: str = "Socialtjänsten svarar inte på skolans orosanmälningar.",
    occurred_days_ago: int = 10,
) -> DeviationReport:
    today = timezone.localdate()
    return services.deviation_report_create(
        actor=world.users[reporter],  # type: ignore[arg-type]
        school_unit_id=world.units[unit].pk,
        occurred_on=today - timedelta(days=occurred_days_ago),
        counterparts=counterparts,
        natures=[DeviationNature.NOT_SOLVABLE_LOCALLY],
        description=description,
        tried_locally="Möte med socialsekreteraren; inget svar.",
        pupil_id=world.pupils[pupil].pk if pupil else None,
        pupil_reason="Behövs för att följa upp ärendet med socialtjänsten." if pupil else "",
        today=today,
    )


def _cached(world: World, key: str, make: Any) -> Any:
    """One record per world for the read-only rows (targets are called once per persona)."""
    cache = world.__dict__.setdefault("_routines_cache", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


MISSING = "00000000-0000-4000-8000-000000000000"


def _targets(kwarg: str, makers: dict[str, Any]) -> dict[str, Any]:
    """One target per record `makers` builds (once per world), plus one that does not exist."""

    def target(key: str) -> Any:
        def kwargs(world: World) -> dict[str, object]:
            record = _cached(world, f"{kwarg}:{key}", lambda: makers[key](world))
            return {kwarg: record.pk}

        return kwargs

    return {**{key: target(key) for key in makers}, "missing": lambda _w: {kwarg: MISSING}}


ROUTINE_TARGETS = _targets(
    "routine_id",
    {
        "a": lambda w: unit_routine(w, "a"),
        "provider": provider_routine,
        "c": lambda w: unit_routine(w, "c", actor="principal_b"),
    },
)
ROUTINE_READERS = {
    "a": STAFF_A,
    "provider": STAFF_A | STAFF_B | {"huvudman_admin"},
    "c": {"principal_b"},
    "missing": set(),
}
ROUTINE_MANAGERS = {"a": LEADERS_A, "provider": {"huvudman_admin"}, "c": set(), "missing": set()}


def _version_target(key: str) -> Any:
    base = ROUTINE_TARGETS[key]
    return lambda world: {**base(world), "number": 1}


REPORT_TARGETS = _targets(
    "report_id",
    {
        "a_plain": lambda w: report(w, "a", "teacher_a"),
        "a_pupil_x": lambda w: report(w, "a", "mentor_a", pupil="x"),
        "a_pupil_z": lambda w: report(w, "a", "special_educator_a", pupil="z"),
        "b": lambda w: report(w, "b", "teacher_b", counterparts=(Counterpart.HABILITATION,)),
    },
)
REPORT_VIEWERS = {
    "a_plain": {"teacher_a"} | LEADERS_A,
    "a_pupil_x": {"mentor_a"} | LEADERS_A,
    "a_pupil_z": {"special_educator_a"} | LEADERS_A,
    "b": {"teacher_b", "principal_b"},
    "missing": set(),
}


def prepare(world: World) -> None:
    """The routines and reports the read-only rows use, built before the matrix's first test;
    the POST rows make their own records inside the test."""
    for targets in (ROUTINE_TARGETS, REPORT_TARGETS):
        for key, kwargs in targets.items():
            if key != "missing":
                kwargs(world)


# A fresh report for every request: each allowed POST moves its own report one step.
STATUS_TARGETS = {
    "a": lambda w: {"report_id": report(w, "a", "teacher_a").pk},
    "b": lambda w: {"report_id": report(w, "b", "teacher_b").pk},
}
STATUS_HANDLERS = {"a": LEADERS_A, "b": {"principal_b"}}
# With no scope asked for, the first scope the user manages; a scope asked for, its managers.
CREATORS = {
    "-": LEADERS_A | {"principal_b", "huvudman_admin"},
    "a": LEADERS_A,
    "provider": {"huvudman_admin"},
    "c": set(),
}


ROWS: dict[str, Row] = {
    "routines:routine_list": Row(
        allowed=lambda p, t: p in STAFF if t == "-" else p in STAFF_B,
        targets={"-": lambda w: {}, "b": lambda w: {}},
        query=lambda w, t: {"enhet": str(w.units["b"].pk)} if t == "b" else {},
    ),
    "routines:routine_create": Row(
        allowed=lambda p, t: p in CREATORS[t],
        targets={key: lambda w: {} for key in ("-", "a", "provider", "c")},
        query=lambda w, t: {
            "-": {},
            "a": {"enhet": str(w.units["a"].pk)},
            "provider": {"huvudman": str(w.units["a"].provider_id)},
            "c": {"enhet": str(w.units["c"].pk)},
        }[t],
    ),
    "routines:routine_detail": Row(
        allowed=lambda p, t: p in ROUTINE_READERS[t], targets=ROUTINE_TARGETS
    ),
    "routines:routine_version": Row(
        allowed=lambda p, t: p in ROUTINE_READERS[t],
        targets={key: _version_target(key) for key in ROUTINE_TARGETS},
    ),
    "routines:routine_revise": Row(
        allowed=lambda p, t: p in ROUTINE_MANAGERS[t], targets=ROUTINE_TARGETS
    ),
    "routines:routine_review": Row(
        allowed=lambda p, t: p in ROUTINE_MANAGERS[t], targets=ROUTINE_TARGETS
    ),
    "routines:deviation_list": Row(allowed=lambda p, t: p in STAFF),
    "routines:deviation_create": Row(allowed=lambda p, t: p in REPORTERS),
    "routines:deviation_pupils": Row(
        allowed=lambda p, t: p in REPORTERS,
        method="post",
        query=lambda w, t: {"show_pupils": "1"},
    ),
    "routines:deviation_detail": Row(
        allowed=lambda p, t: p in REPORT_VIEWERS[t], targets=REPORT_TARGETS
    ),
    "routines:deviation_status": Row(
        allowed=lambda p, t: p in STATUS_HANDLERS[t],
        method="post",
        ok=302,
        targets=STATUS_TARGETS,
        query=lambda w, t: {"status": "under_handling"},
    ),
    "routines:deviation_overview": Row(allowed=lambda p, t: p == "huvudman_admin"),
    "routines:deviation_export_csv": Row(allowed=lambda p, t: p in EXPORTERS),
    "routines:deviation_export_pdf": Row(allowed=lambda p, t: p in EXPORTERS),
}
