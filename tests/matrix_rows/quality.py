"""Matrix rows for the quality pages and the API summary.

Expectations by hand: the principal's dashboard, report and analysis are the unit leaders'
(rektor, biträdande rektor) for their own units; the huvudman's dashboard, report and API
summary are the huvudman administrator's. No teacher, EHT member, guardian or pupil reaches any
of it, and no page shows a pupil's name to someone who may not see the pupil (the canaries).
"""

from datetime import timedelta

from django.utils import timezone

from elevstod.organisation.models import AcademicYear
from elevstod.quality.models import ImprovementAction, QualityAnalysis
from tests.matrix import LEADERS_A, Row
from tests.world import World

LEADERS = LEADERS_A | {"principal_b"}
ADMIN = {"huvudman_admin"}
GOAL = "Kortare tid till utredning"  # last year's improvement action at unit A (`prepare`)


def _units(*keys: str) -> dict:
    return {key: (lambda w: {}) for key in ("-", *keys)}


def _unit_query(w, t):  # type: ignore[no-untyped-def]
    return {} if t == "-" else {"enhet": str(w.units[t].pk)}


def _analysis_scope(w: World, t: str) -> dict[str, str]:
    return {
        "-": {},
        "a": {"enhet": str(w.units["a"].pk)},
        "c": {"enhet": str(w.units["c"].pk)},
        "provider": {"huvudman": str(w.units["a"].provider_id)},
        "other": {"huvudman": str(w.units["c"].provider_id)},
    }[t]


def _writes_analysis(p: str, t: str) -> bool:
    return p in {"-": LEADERS, "a": LEADERS_A, "c": set(), "provider": ADMIN, "other": set()}[t]


def prepare(world: World) -> None:
    """Last school year's improvement action at unit A: this year's goal, to be followed up."""
    today = timezone.localdate()
    this_year = AcademicYear.objects.get(starts_on__lte=today, ends_on__gte=today)
    last_year = AcademicYear.objects.create(
        name="förra",
        starts_on=this_year.starts_on - timedelta(days=365),
        ends_on=this_year.starts_on - timedelta(days=1),
    )
    analysis = QualityAnalysis.objects.create(
        school_unit=world.units["a"],
        school_year=last_year.name,
        analysis="Förra läsårets analys",
        updated_by=world.users["principal_a"],
    )
    ImprovementAction.objects.create(
        analysis=analysis, text=GOAL, created_by=world.users["principal_a"]
    )


def _goal(w: World) -> ImprovementAction:
    return ImprovementAction.objects.get(text=GOAL, analysis__school_unit=w.units["a"])


UNIT_PAGE = Row(
    allowed=lambda p, t: p in {"-": LEADERS, "a": LEADERS_A, "b": {"principal_b"}, "c": set()}[t],
    targets=_units("a", "b", "c"),
    query=_unit_query,
)

ROWS = {
    "quality:dashboard": UNIT_PAGE,
    "quality:unit_report": UNIT_PAGE,
    "quality:analysis": Row(
        allowed=_writes_analysis,
        targets=_units("a", "c", "provider", "other"),
        query=_analysis_scope,
    ),
    # The analysis page's other actions, each its own URL. The scope may be posted as well as
    # asked for in the query string; the matrix posts it with the form.
    "quality:analysis_action_add": Row(
        allowed=_writes_analysis,
        ok=302,
        method="post",
        targets=_units("a", "c", "provider", "other"),
        query=lambda w, t: {**_analysis_scope(w, t), "text": "Matrisens åtgärd"},
    ),
    "quality:analysis_goal_follow_up": Row(
        allowed=lambda p, t: p in LEADERS_A,
        ok=302,
        method="post",
        targets={"a": lambda w: {"goal_id": _goal(w).pk}},
        query=lambda w, t: {
            "enhet": str(w.units["a"].pk),
            f"{_goal(w).pk}-status": "partly",
            f"{_goal(w).pk}-note": "Delvis",
        },
    ),
    "quality:provider_dashboard": Row(
        allowed=lambda p, t: p in ADMIN and t == "-",
        targets=_units("other"),
        query=lambda w, t: {"huvudman": str(w.units["c"].provider_id)} if t == "other" else {},
    ),
    "quality:provider_report": Row(allowed=lambda p, t: p in ADMIN),
    "api:quality_summary": Row(
        allowed=lambda p, t: p in ADMIN and t in ("-", "a"),
        anonymous=401,
        targets=_units("a", "c"),
        query=lambda w, t: {} if t == "-" else {"school_unit": str(w.units[t].pk)},
    ),
}
