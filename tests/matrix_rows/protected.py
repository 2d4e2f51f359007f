"""Matrix rows for the rektor's assignment of staff to pupils with protected identity
(issue 11; decision 0019).

Expectations by hand: only the rektor proper of the protected pupil's current unit reaches the
assignment pages: principal_a for z (z is at unit A and protected; principal_a is not assigned
to z, so the pupil page stays a 404 for them, and z's last name, the canary, never appears:
the assignment page names the pupil by first name and initial). Not the biträdande rektor, not
the special educator who is assigned (assigned staff see the pupil, they do not assign), and
nobody for a pupil who is not protected. The unit's list of protected pupils: its rektor.
"""

from elevstod.people.models import ProtectedPupilAssignment
from tests.matrix import PUPIL_TARGETS, Row
from tests.world import World

_UNIT_PRINCIPAL = {"a": "principal_a", "b": "principal_b"}


def _unit(key: str):  # type: ignore[no-untyped-def]
    return lambda w: {"unit_id": w.units[key].pk}


def _assignment(pupil_key: str):  # type: ignore[no-untyped-def]
    def target(w: World) -> dict[str, object]:
        assignment = ProtectedPupilAssignment.objects.get(
            pupil=w.pupils["z"], user=w.users["special_educator_a"]
        )
        return {"pupil_id": w.pupils[pupil_key].pk, "assignment_id": assignment.pk}

    return target


ROWS = {
    "front:unit_protected_pupils": Row(
        allowed=lambda persona, target: _UNIT_PRINCIPAL.get(target) == persona,
        targets={key: _unit(key) for key in ("a", "b", "c")},
    ),
    "front:protected_assignments": Row(
        allowed=lambda persona, target: persona == "principal_a" and target == "z",
        targets=PUPIL_TARGETS,
    ),
    # Sent without a reason: the rektor gets the form back (400), everyone else the 404.
    "front:protected_assignment_end": Row(
        allowed=lambda persona, target: persona == "principal_a" and target == "z",
        ok=400,
        method="post",
        targets={"z": _assignment("z"), "x": _assignment("x")},
    ),
}
