"""The three levels of support a pupil can be at (SL 3 kap. 2 §, 5 §, 7–9 §§)."""

from __future__ import annotations

from elevstod.support.workflow.states import SupportLevel


def support_level(active_adaptations: int, programme_in_force: bool) -> SupportLevel:
    """The highest support given: a programme in force is special support (SL 3 kap. 9 §)."""
    if programme_in_force:
        return SupportLevel.SPECIAL_SUPPORT
    if active_adaptations:
        return SupportLevel.EXTRA_ADAPTATIONS
    return SupportLevel.GUIDANCE_AND_STIMULATION
