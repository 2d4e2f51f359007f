"""The rektor's delegation register (SL 2 kap. 10 §) and the huvudman's term dates."""

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elevstod.access.context import context_for
from elevstod.access.policy import can_edit_school_terms, can_manage_delegations
from elevstod.accounts.http import AuthenticatedRequest
from elevstod.core.parsing import uuid_or_none
from elevstod.organisation import selectors, services
from elevstod.organisation.forms import DelegationForm, SchoolTermsForm
from elevstod.support.workflow import programmes as wf


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


@login_required
def school_terms(request: AuthenticatedRequest) -> HttpResponse:
    """The huvudman's term dates (läsårstider), per unit where they differ (decision 0015).
    A decision on distance teaching covers at most one of these terms (SL 3 kap. 11 a §).
    Only the huvudman's administrators reach this page; POST sets one year's dates."""
    ctx = context_for(request)
    if not ctx.administered_providers:
        raise Http404
    bound: dict[uuid.UUID, SchoolTermsForm] = {}
    if request.method == "POST":
        provider_id = uuid_or_none(request.POST.get("provider"))
        if provider_id is None or not can_edit_school_terms(ctx, provider_id):
            raise Http404
        form = SchoolTermsForm(request.POST, prefix=str(provider_id), provider_id=provider_id)
        if form.is_valid():
            data = form.cleaned_data
            unit = data["school_unit"]
            services.school_terms_save(
                actor_id=request.user.pk,
                provider_id=provider_id,
                school_unit_id=unit.pk if unit else None,
                academic_year=data["academic_year"],
                autumn_last_day=data["autumn_last_day"],
                spring_last_day=data["spring_last_day"],
            )
            messages.success(request, _("Läsårstiderna är sparade."))
            return redirect("organisation:school_terms")
        bound[provider_id] = form
    providers = [
        {
            "provider": provider,
            "rows": rows,
            "form": bound.get(provider.pk)
            or SchoolTermsForm(prefix=str(provider.pk), provider_id=provider.pk),
        }
        for provider, rows in selectors.school_terms_for_providers(ctx.administered_providers)
    ]
    return render(
        request,
        "organisation/school_terms.html",
        {"providers": providers, "defaults": _default_terms(ctx.today)},
        status=400 if bound else 200,
    )


def _default_terms(today: date) -> dict[str, date]:
    """This academic year's default term ends, shown beside the form (decision 0015)."""
    year = today.year if today.month >= 7 else today.year - 1
    return {
        "autumn": wf.default_last_day(year, wf.Term.AUTUMN),
        "spring": wf.default_last_day(year, wf.Term.SPRING),
    }
