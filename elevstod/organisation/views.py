"""The rektor's delegation register (SL 2 kap. 10 §)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import context_for
from elevstod.access.policy import can_manage_delegations
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.organisation import selectors, services
from elevstod.organisation.forms import DelegationForm


@login_required
def delegation_list(request: AuthenticatedRequest) -> HttpResponse:
    ctx = context_for(request)
    unit_ids = ctx.principal_units
    if not unit_ids:
        raise Http404
    form = DelegationForm(request.POST or None, principal=request.user, unit_ids=unit_ids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.delegation_create(
            actor_id=request.user.pk,
            school_unit_id=data["school_unit"].pk,
            delegate_id=data["delegate"],
            decision_type=data["decision_type"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            note=data["note"],
        )
        messages.success(request, _("Delegeringen är registrerad."))
        return redirect("organisation:delegation_list")
    return render(
        request,
        "organisation/delegation_list.html",
        {
            "form": form,
            "delegations": selectors.delegations_for_units(unit_ids),
            "today": ctx.today,
        },
    )


@login_required
@require_POST
def delegation_revoke(request: AuthenticatedRequest, delegation_id: uuid.UUID) -> HttpResponse:
    ctx = context_for(request)
    delegation = selectors.delegation_or_none(delegation_id)
    if delegation is None or not can_manage_delegations(ctx, delegation.school_unit_id):
        raise Http404
    services.delegation_revoke(actor_id=request.user.pk, delegation=delegation)
    messages.success(request, _("Delegeringen är återkallad."))
    return redirect("organisation:delegation_list")
