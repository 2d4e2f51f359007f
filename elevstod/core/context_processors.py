from django.conf import settings
from django.http import HttpRequest

from elevstod.access.context import context_for


def elevstod(request: HttpRequest) -> dict[str, object]:
    """The navigation follows the user's relations, read from the request's access context."""
    ctx = context_for(request) if request.user.is_authenticated else None
    return {
        "demo_mode": settings.ELEVSTOD_DEMO_MODE,
        "nav": {
            "pupils": bool(
                ctx
                and (
                    ctx.leader_units
                    or ctx.support_units
                    or ctx.eht_units
                    or ctx.taught_groups
                    or ctx.mentor_groups
                )
            ),
            "leader": bool(ctx and ctx.leader_units),
            "principal": bool(ctx and ctx.principal_units),
            "organisation": bool(ctx and ctx.administered_providers),
            "staff": bool(ctx and ctx.is_staff_member),
            # What is due from me (support chain): every staff member may have tasks.
            "tasks": bool(ctx and ctx.is_staff_member),
            # The adaptations a teacher is to carry out, for the groups they teach.
            "adaptations": bool(ctx and (ctx.taught_groups or ctx.mentor_groups)),
            # The quality system (issue 4): the unit leaders' dashboard, the huvudman's.
            "quality": bool(ctx and ctx.leader_units),
            "quality_provider": bool(ctx and ctx.administered_providers),
            # The special educators' documentation, reports and competence plans (seed 001).
            "special_education": bool(ctx and (ctx.support_units or ctx.leader_units)),
            # Routines every staff member follows, and cooperation problems anyone may report.
            "routines": bool(ctx and (ctx.staff_units or ctx.administered_providers)),
        },
    }
