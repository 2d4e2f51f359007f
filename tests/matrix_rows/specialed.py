"""Matrix rows for special-education work (/specialpedagogik/) and the records they need.

Expectations by hand (seed 001 §§ 2–4, 8, 9; security.md P5, P6): the special educator of
unit A records and reads; the leaders of a unit (principal_a and deputy_a at A, principal_b at B)
read, set goals, follow up reports and agree plans. Teachers, mentors, the counsellor, the nurse,
the huvudman, guardians and pupils get 404 everywhere. An intervention about protected pupil z
is reached only by special_educator_a, who is assigned to z; the unit's rektor sees that it
exists in the list but never z's name (the canary check proves it). The builders are shared
with elevstod/specialed/tests.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from django.utils import timezone

from elevstod.organisation.models import Group
from elevstod.specialed import services
from elevstod.specialed.models import (
    CompetencePlan,
    Goal,
    Intervention,
    Period,
    PeriodKind,
    PlannedActivity,
    Report,
)
from tests.factories import current_academic_year
from tests.matrix import Row, Target, only
from tests.world import World

_serial = itertools.count(1)
RECORDERS_A = ("special_educator_a",)
READERS_A = ("special_educator_a", "principal_a", "deputy_a")
LEADERS_A = ("principal_a", "deputy_a")


def period(world: World, *, name: str | None = None, unit: str = "a", **dates: Any) -> Period:
    """A period running today, set up by the unit's rektor."""
    today = timezone.localdate()
    principal = "principal_a" if unit == "a" else "principal_b"
    return services.period_create(
        actor=world.users[principal],  # type: ignore[arg-type]
        school_unit_id=world.units[unit].pk,
        values={
            "name": name or f"Period {next(_serial)}",
            "kind": PeriodKind.TERM,
            "starts_on": dates.get("starts_on", today - timedelta(days=30)),
            "ends_on": dates.get("ends_on", today + timedelta(days=60)),
            "assignment": "Främja tillgängliga lärmiljöer i alla klasser.",
            "dialogue_on": today - timedelta(days=28),
        },
    )


def goal(world: World, in_period: Period, text: str = "Alla lärare använder bildstöd.") -> Goal:
    return services.goal_create(
        actor=world.users["principal_a"],  # type: ignore[arg-type]
        period=in_period,
        values={
            "text": text,
            "indicator": "Lektionsbesök visar bildstöd i nio av tio klassrum.",
            "special_educator": None,
        },
    )


def intervention(
    world: World,
    *,
    pupil: str | None = None,
    level: str | None = None,
    by: str = "special_educator_a",
    days_ago: int = 1,
    minutes: int = 45,
    kind: str = "mapping",
    description: str = "Kartläggning av lässituationen i klassrummet.",
) -> Intervention:
    values: dict[str, Any] = {
        "performed_on": timezone.localdate() - timedelta(days=days_ago),
        "level": level or ("individual" if pupil else "organisation"),
        "kind": kind,
        "group": None,
        "pupil": world.pupils[pupil] if pupil else None,
        "minutes": minutes,
        "description": description,
        "hinders": "Mycket muntliga genomgångar.",
        "supports": "Tydlig struktur på tavlan.",
        "goal": None,
    }
    if values["level"] == "group":
        values["group"] = Group.objects.get(school_unit=world.units["a"], name="7A")
    return services.intervention_create(
        actor=world.users[by],  # type: ignore[arg-type]
        school_unit_id=world.units["a"].pk,
        values=values,
    )


def seed_interventions(world: World) -> dict[str, object]:
    """Entries about every pupil at unit A, once per world: z is protected (only
    special_educator_a is assigned), m moved in from unit B."""
    if not getattr(world, "_specialed_seeded", False):
        for key in ("x", "z", "w", "m"):
            intervention(world, pupil=key, description=f"Samtal om lärmiljön {key}")
        intervention(world, level="group", kind="staff_guidance")
        intervention(world)
        world._specialed_seeded = True  # type: ignore[attr-defined]
    return {}


def prepare(world: World) -> None:
    """The entries the intervention list shows, built before the matrix's first test; every
    other record here is made afresh by its target, inside the test."""
    seed_interventions(world)


def report(world: World, *, state: str = "draft", improvements: str = "") -> Report:
    """A report by special_educator_a on a fresh period with one goal, in `state`."""
    in_period = period(world)
    goal(world, in_period)
    author = world.users["special_educator_a"]
    draft, _created = services.report_start(actor=author, period=in_period)  # type: ignore[arg-type]
    if state == "draft":
        return draft
    entry_goal = draft.goal_entries.get().goal_id
    services.report_save(
        actor=author,  # type: ignore[arg-type]
        report=draft,
        values={
            "overall_analysis": "Handledningen har gett effekt i årskurs 7.",
            "improvements": improvements or "Kollegialt lärande om bildstöd\nFler klassrumsbesök",
        },
        goal_values={entry_goal: ("Sju av tio klassrum.", "Bättre än i fjol.")},
        submit=True,
    )
    draft.refresh_from_db()
    if state == "submitted":
        return draft
    services.report_review(
        actor=world.users["principal_a"],  # type: ignore[arg-type]
        report=draft,
        comment="Bra arbete.",
        attainments={entry_goal: "partly"},
    )
    draft.refresh_from_db()
    return draft


def reviewed_with_next_period(world: World) -> dict[str, object]:
    reviewed = report(world, state="reviewed")
    start = reviewed.period.ends_on + timedelta(days=1)
    world._specialed_next = period(  # type: ignore[attr-defined]
        world, starts_on=start, ends_on=start + timedelta(days=120)
    )
    return {"report_id": reviewed.pk}


def plan(world: World) -> CompetencePlan:
    """special_educator_a's plan for this academic year, not yet agreed (one per year, so
    reused and reset between personas)."""
    existing = CompetencePlan.objects.filter(special_educator=world.users["special_educator_a"])
    found = existing.first()
    if found is not None:
        existing.update(agreed_on=None, agreed_by=None)
        found.refresh_from_db()
        return found
    return services.plan_create(
        actor=world.users["special_educator_a"],  # type: ignore[arg-type]
        school_unit_id=world.units["a"].pk,
        academic_year=current_academic_year(),
        values={
            "assignment_description": "Specialpedagog för årskurs 7–9.",
            "development_needs": "Fördjupning i språkutvecklande arbetssätt.",
        },
    )


def activity(world: World) -> PlannedActivity:
    the_plan = plan(world)
    return services.activity_create(
        actor=world.users["special_educator_a"],  # type: ignore[arg-type]
        plan=the_plan,
        values={
            "kind": "course",
            "title": "Språkutvecklande arbetssätt, 7,5 hp",
            "planned_on": timezone.localdate() + timedelta(days=30),
            "done_on": None,
            "outcome": "",
        },
    )


def _unit(key: str):  # type: ignore[no-untyped-def]
    return lambda w: {"unit_id": w.units[key].pk}


def _per_unit(persona: str, target: str) -> bool:
    """Readers of a unit: its special educator and its leaders."""
    if target == "a":
        return persona in READERS_A
    return target == "b" and persona == "principal_b"


def _intervention_target(pupil: str | None):  # type: ignore[no-untyped-def]
    return lambda w: {"intervention_id": intervention(w, pupil=pupil).pk}


UNITS = {"a": _unit("a"), "b": _unit("b"), "c": _unit("c")}
# A report before and after it is handed to the rektor: most acts are allowed in one state only.
REPORT_STATES: dict[str, Target] = {
    "draft": lambda w: {"report_id": report(w).pk},
    "submitted": lambda w: {"report_id": report(w, state="submitted").pk},
}

ROWS: dict[str, Row] = {
    "specialed:report_submit": Row(
        allowed=lambda p, t: t == "draft" and p in RECORDERS_A,
        method="post",
        ok=302,
        targets=REPORT_STATES,
        query=lambda w, t: {
            "overall_analysis": "Handledningen har gett effekt.",
            "improvements": "",
        },
    ),
    "specialed:report_return": Row(
        allowed=lambda p, t: t == "submitted" and p in LEADERS_A,
        method="post",
        ok=302,
        targets=REPORT_STATES,
        query=lambda w, t: {"comment": "Analysen saknas för mål 1."},
    ),
    "specialed:index": Row(allowed=only(*READERS_A, "principal_b")),
    "specialed:intervention_list": Row(
        allowed=_per_unit,
        targets={
            "a": lambda w: {**seed_interventions(w), "unit_id": w.units["a"].pk},
            "b": UNITS["b"],
            "c": UNITS["c"],
        },
    ),
    "specialed:intervention_create": Row(
        allowed=lambda p, t: t == "a" and p in RECORDERS_A,
        targets={"a": UNITS["a"], "b": UNITS["b"]},
    ),
    "specialed:intervention_detail": Row(
        allowed=lambda p, t: p in (RECORDERS_A if t == "z" else READERS_A),
        targets={
            "x": _intervention_target("x"),
            "z": _intervention_target("z"),
            "org": _intervention_target(None),
        },
    ),
    "specialed:intervention_edit": Row(
        allowed=only(*RECORDERS_A),
        targets={"x": _intervention_target("x"), "z": _intervention_target("z")},
    ),
    "specialed:period_list": Row(allowed=_per_unit, targets=UNITS),
    "specialed:period_detail": Row(
        allowed=only(*READERS_A), targets={"a": lambda w: {"period_id": period(w).pk}}
    ),
    "specialed:period_edit": Row(
        allowed=only(*LEADERS_A), targets={"a": lambda w: {"period_id": period(w).pk}}
    ),
    "specialed:goal_create": Row(
        allowed=only(*LEADERS_A), targets={"a": lambda w: {"period_id": period(w).pk}}
    ),
    "specialed:goal_edit": Row(
        allowed=only(*LEADERS_A), targets={"a": lambda w: {"goal_id": goal(w, period(w)).pk}}
    ),
    "specialed:report_list": Row(allowed=_per_unit, targets=UNITS),
    "specialed:report_create": Row(
        allowed=only(*RECORDERS_A),
        method="post",
        ok=302,
        targets={"a": lambda w: {"period_id": period(w).pk}},
    ),
    "specialed:report_detail": Row(
        allowed=lambda p, t: p in (RECORDERS_A if t == "draft" else READERS_A),
        targets=REPORT_STATES,
    ),
    "specialed:report_edit": Row(
        allowed=lambda p, t: t == "draft" and p in RECORDERS_A,
        targets=REPORT_STATES,
    ),
    "specialed:report_review": Row(
        allowed=lambda p, t: t == "submitted" and p in LEADERS_A,
        targets=REPORT_STATES,
    ),
    "specialed:report_adopt": Row(
        allowed=only(*LEADERS_A),
        method="post",
        ok=302,
        targets={"reviewed": reviewed_with_next_period},
        query=lambda w, t: {"period": str(w._specialed_next.pk)},  # type: ignore[attr-defined]
    ),
    "specialed:plan_list": Row(allowed=_per_unit, targets=UNITS),
    "specialed:plan_create": Row(
        allowed=lambda p, t: t == "a" and p in RECORDERS_A,
        targets={"a": UNITS["a"], "b": UNITS["b"]},
    ),
    "specialed:plan_detail": Row(
        allowed=only(*READERS_A), targets={"a": lambda w: {"plan_id": plan(w).pk}}
    ),
    "specialed:plan_edit": Row(
        allowed=only(*RECORDERS_A), targets={"a": lambda w: {"plan_id": plan(w).pk}}
    ),
    "specialed:plan_agree": Row(
        allowed=only(*LEADERS_A),
        method="post",
        ok=302,
        targets={"a": lambda w: {"plan_id": plan(w).pk}},
    ),
    "specialed:plan_follow_up": Row(
        allowed=only(*READERS_A),
        method="post",
        ok=302,
        targets={"a": lambda w: {"plan_id": plan(w).pk}},
        query=lambda w, t: {
            "on_date": timezone.localdate().isoformat(),
            "text": "Kursen är påbörjad.",
        },
    ),
    "specialed:activity_create": Row(
        allowed=only(*RECORDERS_A), targets={"a": lambda w: {"plan_id": plan(w).pk}}
    ),
    "specialed:activity_edit": Row(
        allowed=only(*RECORDERS_A), targets={"a": lambda w: {"activity_id": activity(w).pk}}
    ),
}
