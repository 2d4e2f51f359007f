"""The entry page of special-education work: per unit, what is going on (seed 001 §§ 3, 8, 9)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from elevstod.access.context import context_for
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.specialed import selectors as sel


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    """For specialpedagoger, speciallärare and the unit leaders; everyone else gets 404.

    The page shows the work, not the pupils: recent interventions are listed without the pupil
    they concern, so it writes no access-log row."""
    ctx = context_for(request)
    if not (ctx.support_units or ctx.leader_units):
        raise Http404
    return render(
        request,
        "specialed/index.html",
        {"units": sel.overview(ctx, ctx.today), "today": ctx.today},
    )
