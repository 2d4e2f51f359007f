"""Matrix rows for the quality pages and the API summary.

Expectations by hand: the principal's dashboard, report and analysis are the unit leaders'
(rektor, biträdande rektor) for their own units; the huvudman's dashboard, report and API
summary are the huvudman administrator's. No teacher, EHT member, guardian or pupil reaches any
of it, and no page shows a pupil's name to someone who may not see the pupil (the canaries).
"""

from tests.matrix import LEADERS_A, Row

LEADERS = LEADERS_A | {"principal_b"}
ADMIN = {"huvudman_admin"}


def _units(*keys: str) -> dict:
    return {key: (lambda w: {}) for key in ("-", *keys)}


def _unit_query(w, t):  # type: ignore[no-untyped-def]
    return {} if t == "-" else {"enhet": str(w.units[t].pk)}


UNIT_PAGE = Row(
    allowed=lambda p, t: p in {"-": LEADERS, "a": LEADERS_A, "b": {"principal_b"}, "c": set()}[t],
    targets=_units("a", "b", "c"),
    query=_unit_query,
)

ROWS = {
    "quality:dashboard": UNIT_PAGE,
    "quality:unit_report": UNIT_PAGE,
    "quality:analysis": Row(
        allowed=lambda p, t: (
            p in {"-": LEADERS, "a": LEADERS_A, "c": set(), "provider": ADMIN, "other": set()}[t]
        ),
        targets=_units("a", "c", "provider", "other"),
        query=lambda w, t: {
            "-": {},
            "a": {"enhet": str(w.units["a"].pk)},
            "c": {"enhet": str(w.units["c"].pk)},
            "provider": {"huvudman": str(w.units["a"].provider_id)},
            "other": {"huvudman": str(w.units["c"].provider_id)},
        }[t],
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
