import uuid
from datetime import date

from django.db.models import Q, QuerySet

from elevstod.organisation.models import Delegation, EducationProvider, SchoolTerms


def delegations_for_units(unit_ids: frozenset[uuid.UUID]) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(school_unit_id__in=unit_ids)
        .select_related("delegate", "delegated_by", "school_unit", "revoked_by")
        .order_by("revoked_at", "-valid_from")
    )


def delegation_or_none(delegation_id: uuid.UUID) -> Delegation | None:
    return Delegation.objects.filter(pk=delegation_id).first()


def delegations_in_force(
    *, school_unit_id: uuid.UUID, decision_type: str, day: date
) -> QuerySet[Delegation]:
    """The unit's delegations of `decision_type` that cover `day` and are not revoked: who,
    besides the rektor, may take that decision on that day (SL 2 kap. 10 §)."""
    in_force = Q(valid_from__lte=day, valid_until__gte=day, revoked_at__isnull=True)
    return Delegation.objects.filter(
        in_force, school_unit_id=school_unit_id, decision_type=decision_type
    )


# (academic year, "autumn" or "spring", last day): support.workflow.TermDates reads these.
TermLastDay = tuple[int, str, date]


def term_last_days_for_unit(school_unit_id: uuid.UUID) -> tuple[TermLastDay, ...]:
    """The term dates that apply at the unit: its own for a year where it has them, else its
    huvudman's (decision 0015). One query. Years with neither take the workflow's defaults."""
    rows = SchoolTerms.objects.filter(
        Q(school_unit_id=school_unit_id)
        | Q(school_unit__isnull=True, provider__school_units__id=school_unit_id)
    ).values_list("academic_year", "school_unit_id", "autumn_last_day", "spring_last_day")
    chosen: dict[int, tuple[date, date]] = {}
    own: set[int] = set()
    for year, unit_id, autumn, spring in rows:
        if unit_id is not None or year not in own:
            chosen[year] = (autumn, spring)
        if unit_id is not None:
            own.add(year)
    return tuple(
        (year, term, last)
        for year, (autumn, spring) in sorted(chosen.items())
        for term, last in (("autumn", autumn), ("spring", spring))
    )


def school_terms_for_providers(
    provider_ids: frozenset[uuid.UUID],
) -> list[tuple[EducationProvider, list[SchoolTerms]]]:
    """The huvudman's term dates, its own and its units', newest year first: the settings page."""
    providers = EducationProvider.objects.filter(pk__in=provider_ids).order_by("name")
    rows = (
        SchoolTerms.objects.filter(provider_id__in=provider_ids)
        .select_related("school_unit", "updated_by")
        .order_by("-academic_year", "school_unit__name")
    )
    by_provider: dict[uuid.UUID, list[SchoolTerms]] = {}
    for row in rows:
        by_provider.setdefault(row.provider_id, []).append(row)
    return [(provider, by_provider.get(provider.pk, [])) for provider in providers]
