"""Demo content for special-education work, for every school unit in the database.

Per unit: the previous and the running term as periods with the rektor's assignment and goals;
each specialpedagog and speciallärare with interventions on all three levels (seed 001 § 4), a
report for the previous term followed up by the rektor and one for the running term (a draft,
or handed in for the rektor to follow up); a competence plan for the academic year with
activities and follow-ups (seed 001 § 2). At unit A (where the user "rektor" is the rektor) the
demo users see every state: "specialpedagog" has a reviewed report whose proposals the rektor
can turn into goals, and a draft; a colleague's report waits for "rektor".

Deterministic for the same `seed` and `today` (ids from the seeded Random too); nothing is dated
after `today`. Everything is bulk-inserted: about 35 000 interventions for 170 units.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from elevstod.accounts.models import User
from elevstod.core.models import BaseModel
from elevstod.demo.rows import write_batches
from elevstod.organisation.duties import LEADERSHIP_DUTIES, UNIT_WIDE_SUPPORT_DUTIES, UnitDutyKind
from elevstod.organisation.models import AcademicYear, Group, UnitDuty
from elevstod.people.models import Placement, ProtectedIdentity
from elevstod.specialed import rules
from elevstod.specialed.models import (
    CompetencePlan,
    Goal,
    Intervention,
    Period,
    PeriodKind,
    PlanFollowUp,
    PlannedActivity,
    Report,
    ReportGoal,
    ReportState,
)
from elevstod.specialed.selectors import Figures, Tally

BATCH_SIZE = 2000
_Row = TypeVar("_Row", bound=BaseModel)
PUPILS_PER_UNIT = 60  # pupils a unit's individual-level work is spread over

GOALS: tuple[tuple[str, str], ...] = (
    (
        "Öka användningen av bildstöd och tydlig lektionsstruktur i alla klassrum.",
        "Vid lektionsbesök används bildstöd och synlig struktur i minst 8 av 10 klassrum.",
    ),
    (
        "Extra anpassningar sätts in tidigt och utvärderas inom fyra veckor.",
        "Andelen extra anpassningar med dokumenterad utvärdering inom fyra veckor.",
    ),
    (
        "Stärka elevernas läsförståelse genom gemensamma lässtrategier i alla ämnen.",
        "Resultaten på screeningen av läsförståelse i oktober och maj.",
    ),
    (
        "Varje arbetslag får specialpedagogisk handledning minst två gånger per termin.",
        "Antal handledningstillfällen per arbetslag enligt dokumentationen.",
    ),
    (
        "Färre elever ska sakna godtagbara kunskaper i matematik vid terminens slut.",
        "Andelen elever med betyget F eller streck i matematik jämfört med förra terminen.",
    ),
    (
        "Elevhälsoteamet arbetar förebyggande med lärmiljöinventeringar i arbetslagen.",
        "Genomförda lärmiljöinventeringar och åtgärder som följt av dem.",
    ),
    (
        "Stödet följer med eleven vid övergången mellan stadierna.",
        "Överlämningar genomförda enligt rutinen för alla elever med anpassningar eller stöd.",
    ),
)

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "staff_guidance": (
        "Handledning av arbetslaget om tydliggörande pedagogik och struktur i klassrummet.",
        "Handledning av mentor om anpassningar i helklass och hur de kan utvärderas.",
        "Handledning av ämneslärare om stöttning i språket i texttunga ämnen.",
    ),
    "mapping": (
        "Kartläggning av lärmiljön genom lektionsobservation och samtal med undervisande lärare.",
        "Pedagogisk kartläggning av läs- och skrivförmåga tillsammans med ämneslärare.",
        "Lärmiljöinventering i arbetslaget med skolans observationsunderlag.",
    ),
    "teaching": (
        "Undervisning i liten grupp med fokus på lässtrategier.",
        "Tvålärarskap i matematik med konkret material och korta genomgångar.",
        "Undervisning i studieteknik och planering av eget arbete.",
    ),
    "cooperation": (
        "Samverkan med vårdnadshavare och mentor kring skoldagens struktur.",
        "Samarbete med studie- och yrkesvägledare inför övergången till gymnasiet.",
        "Överlämning från förskoleklass till årskurs 1 med mottagande lärare.",
    ),
    "assessment": (
        "Pedagogisk bedömning inför utredning om behov av särskilt stöd.",
        "Medverkan i utredning: sammanställning av lärarnas iakttagelser och elevens synpunkter.",
        "Pedagogisk bedömning av effekten av extra anpassningar i svenska och matematik.",
    ),
    "pupil_health_team": (
        "Elevhälsoteamets möte: genomgång av frånvaro och stödbehov i årskursen.",
        "Förberedelse och dokumentation av elevhälsoteamets förebyggande arbete.",
        "Elevhälsoteamets analys av resultaten från terminens screening.",
    ),
    "other": (
        "Planering av skolans arbete med tillgängliga lärmiljöer tillsammans med rektor.",
        "Genomgång av skolans rutin för extra anpassningar på arbetsplatsträff.",
    ),
}
HINDERS = (
    "Långa muntliga genomgångar utan visuellt stöd.",
    "Otydliga övergångar mellan lektioner och aktiviteter.",
    "Instruktioner ges en gång och bara muntligt.",
    "Läromedel på en språklig nivå som många elever inte når.",
    "Trångt klassrum med mycket ljud och rörelse.",
    "Schemat ger få tillfällen till samplanering mellan lärarna.",
    "",
)
SUPPORTS = (
    "Bildstöd och lektionens struktur synlig på tavlan.",
    "Fasta platser och förberedda övergångar.",
    "Inlästa läromedel och talsyntes finns i alla ämnen.",
    "Samplanering mellan lärare och specialpedagog.",
    "Kortare arbetspass med tydliga delmål.",
    "Tillgång till en lugn arbetsplats i anslutning till klassrummet.",
    "",
)
RESULTS = (
    "Målet är nått i de flesta arbetslag; två arbetslag har kommit en bit på vägen.",
    "Vi ser en tydlig förbättring jämfört med förra terminen.",
    "Arbetet har påbörjats men resultatet går ännu inte att se.",
)
ANALYSES = (
    "Handledningen har gett effekt där arbetslaget haft tid avsatt för samplanering.",
    "Resultatet hänger ihop med hur tidigt anpassningarna sattes in.",
    "Tiden räckte inte till: utredningsarbetet tog mer tid än planerat.",
)
OVERALL = (
    "Insatserna på organisations- och gruppnivå har ökat, vilket var avsikten. Lärmiljön "
    "hindrar främst genom otydliga övergångar och långa genomgångar; det som stödjer är "
    "samplanering och bildstöd. Individuella insatser behövs fortfarande i de högre årskurserna."
)
IMPROVEMENTS = (
    "Schemalagd tid för samplanering mellan lärare och specialpedagog\n"
    "Gemensam rutin för övergångar mellan lektioner\n"
    "Kollegialt lärande om lässtrategier i alla ämnen"
)
REVIEW_COMMENTS = (
    "Tack för en tydlig rapport. Vi tar med förslagen till nästa termins mål.",
    "Bra analys av lärmiljön. Vi behöver prioritera handledningen i de lägre årskurserna.",
)
ASSIGNMENTS = (
    "Specialpedagogiskt stöd till arbetslagen i årskurs F–3, ingår i elevhälsoteamet och leder "
    "skolans arbete med tillgängliga lärmiljöer.",
    "Specialpedagogiskt stöd i årskurs 4–6 med handledning av arbetslag, kartläggningar och "
    "pedagogiska bedömningar.",
    "Undervisning och stöd i matematik och svenska i årskurs 7–9, samt överlämningar mellan "
    "stadierna.",
)
NEEDS = (
    "Fördjupad kunskap om språk-, läs- och skrivutveckling och om digitala lärverktyg.",
    "Handledningsmetodik för arbetslag och kunskap om lärmiljöinventeringar.",
    "Aktuell forskning om tidiga insatser i matematik och om tydliggörande pedagogik.",
)
ACTIVITIES: tuple[tuple[str, str], ...] = (
    ("course", "Språk-, läs- och skrivutveckling, 7,5 hp"),
    ("course", "Skolverkets modul Inkludering och skolans praktik"),
    ("supervision", "Extern grupphandledning för specialpedagoger, sex träffar"),
    ("peer_learning", "Kollegialt lärande: lärmiljöinventering i arbetslagen"),
    ("research", "Bevakning av forskning om tidiga insatser i matematik"),
    ("other", "Studiebesök på en skola med arbete kring tillgängliga lärmiljöer"),
)
FOLLOW_UPS = (
    "Kursen är påbörjad och används redan i handledningen.",
    "Avstämning med rektor: planen håller, tid för handledning är schemalagd.",
)
LEVELS = (("organisation", 20), ("group", 35), ("individual", 45))
KINDS_BY_LEVEL: dict[str, tuple[tuple[str, int], ...]] = {
    "organisation": (("staff_guidance", 4), ("pupil_health_team", 3), ("mapping", 2),
                     ("cooperation", 1), ("other", 1)),
    "group": (("staff_guidance", 3), ("teaching", 3), ("mapping", 2), ("cooperation", 1)),
    "individual": (("teaching", 4), ("assessment", 3), ("mapping", 2), ("cooperation", 2)),
}  # fmt: skip
ATTAINMENTS = (("met", 4), ("partly", 4), ("not_met", 2))


def term_before(term: rules.TermSpec) -> rules.TermSpec:
    if term.name.startswith("VT"):
        year = term.starts_on.year - 1
        return rules.TermSpec(f"HT {year}", date(year, 8, 1), date(year, 12, 31))
    year = term.starts_on.year
    return rules.TermSpec(f"VT {year}", date(year, 1, 1), date(year, 6, 30))


class _Demo:
    def __init__(self, today: date, seed: int) -> None:
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 - made-up demo content, not security
        self.rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.intervention_rows: list[dict[str, Any]] = []
        self.now = timezone.now()

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def weighted(self, options: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]

    def moment(self, day: date, hour: int = 15) -> datetime:
        """An aware time on `day`, never after now (the rows' created_at/updated_at)."""
        stamp = timezone.make_aware(datetime.combine(day, time(hour, 0)))
        return min(stamp, self.now)

    def add(self, row: _Row, day: date) -> _Row:
        stamp = self.moment(day)
        row.created_at = stamp
        row.updated_at = stamp
        self.rows[type(row)].append(row)
        return row

    # ------------------------------------------------------------------------- the data

    def build(self) -> None:
        today = self.today
        running = rules.term_containing(today)
        if running.starts_on > today:  # July: the coming HT has not begun
            running = term_before(running)
        previous = term_before(running)
        leaders, educators = self.staff()
        units = sorted(set(leaders) | set(educators), key=str)
        pupils = self.pupils(units)
        groups = self.groups()
        year = AcademicYear.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
        unit_a, unit_b = (
            UnitDuty.objects.filter(user__username=username, duty=UnitDutyKind.PRINCIPAL)
            .values_list("school_unit_id", flat=True)
            .first()
            for username in ("rektor", "rektor2")
        )
        demo_educator = (
            User.objects.filter(username="specialpedagog").values_list("pk", flat=True).first()
        )
        for unit_id in units:
            rektor = leaders.get(unit_id)
            people = educators.get(unit_id, [])
            periods = []
            if rektor is not None:
                periods = [
                    self.period(unit_id, rektor, previous, people),
                    self.period(unit_id, rektor, running, people),
                ]
            for index, person in enumerate(people):
                for position, (period, goals) in enumerate(periods):
                    entries = self.interventions(
                        unit_id, person, period, goals, pupils[unit_id], groups[unit_id]
                    )
                    if rektor is None:
                        continue
                    is_previous = position == 0
                    # Unit A: "specialpedagog" is writing this term's report while a
                    # colleague's waits for "rektor"; elsewhere about a third is handed in.
                    if unit_id == unit_a:
                        writing = person == demo_educator if demo_educator else index == 0
                        hand_in = is_previous or not writing
                    else:
                        hand_in = is_previous or self.rng.random() < 0.3
                        # "rektor2" always has a handed-in report to review, whatever the
                        # seed and the date: the demo shows every principal the review step.
                        hand_in = hand_in or (unit_id == unit_b and index == 0)
                    self.report(period, goals, person, rektor, entries, is_previous, hand_in)
                if periods == [] and rektor is None:
                    self.interventions(
                        unit_id,
                        person,
                        self.loose_period(unit_id, running),
                        [],
                        pupils[unit_id],
                        groups[unit_id],
                    )
                if year is not None:
                    self.plan(unit_id, person, rektor, year)

    def staff(self) -> tuple[dict[uuid.UUID, uuid.UUID], dict[uuid.UUID, list[uuid.UUID]]]:
        """Per unit: its rektor (or deputy) and its special educators with a current duty."""
        current = Q(starts_on__lte=self.today) & (
            Q(ends_on__isnull=True) | Q(ends_on__gte=self.today)
        )
        leaders: dict[uuid.UUID, uuid.UUID] = {}
        educators: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        duties = (
            UnitDuty.objects.filter(current)
            .filter(duty__in=[d.value for d in LEADERSHIP_DUTIES | UNIT_WIDE_SUPPORT_DUTIES])
            .order_by("school_unit_id", "duty", "user__username")
            .values_list("school_unit_id", "user_id", "duty")
        )
        for unit_id, user_id, duty in duties:
            if duty == UnitDutyKind.PRINCIPAL:
                leaders[unit_id] = user_id
            elif duty == UnitDutyKind.DEPUTY_PRINCIPAL:
                leaders.setdefault(unit_id, user_id)
            elif user_id not in educators[unit_id]:
                educators[unit_id].append(user_id)
        return leaders, educators

    def pupils(self, unit_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        """A sample of each unit's current, non-protected pupils: the ones the individual work
        concerns (protected pupils are left out of demo documentation, so that no page has to
        hide them). One small query per unit instead of loading every pupil of a large tier."""
        current = Placement.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=self.today),
            starts_on__lte=self.today,
            pupil__protected_identity=ProtectedIdentity.NONE,
        ).order_by("pupil_id")
        return {
            unit_id: list(
                current.filter(school_unit_id=unit_id).values_list("pupil_id", flat=True)[
                    :PUPILS_PER_UNIT
                ]
            )
            for unit_id in unit_ids
        }

    def groups(self) -> dict[uuid.UUID, list[uuid.UUID]]:
        by_unit: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        rows = (
            Group.objects.filter(
                academic_year__starts_on__lte=self.today, academic_year__ends_on__gte=self.today
            )
            .order_by("school_unit_id", "name")
            .values_list("school_unit_id", "id")
        )
        for unit_id, group_id in rows:
            by_unit[unit_id].append(group_id)
        return by_unit

    def period(
        self,
        unit_id: uuid.UUID,
        rektor: uuid.UUID,
        term: rules.TermSpec,
        people: list[uuid.UUID],
    ) -> tuple[Period, list[Goal]]:
        dialogue = min(term.starts_on + timedelta(days=self.rng.randint(7, 20)), self.today)
        period = self.add(
            Period(
                id=self.uid(),
                school_unit_id=unit_id,
                name=term.name,
                kind=PeriodKind.TERM,
                starts_on=term.starts_on,
                ends_on=term.ends_on,
                assignment=(
                    "Elevhälsans specialpedagogiska insatser ska främst vara förebyggande och "
                    "hälsofrämjande och bidra till lärmiljöer som möter alla elever, på "
                    "organisations-, grupp- och individnivå."
                ),
                dialogue_on=dialogue,
                created_by_id=rektor,
            ),
            dialogue,
        )
        goals = []
        for position, (text, indicator) in enumerate(self.rng.sample(GOALS, 3), start=1):
            concerns = people[0] if position == 3 and len(people) > 1 else None
            goals.append(
                self.add(
                    Goal(
                        id=self.uid(),
                        period_id=period.id,
                        position=position,
                        text=text,
                        indicator=indicator,
                        special_educator_id=concerns,
                        created_by_id=rektor,
                    ),
                    dialogue,
                )
            )
        return period, goals

    def loose_period(self, unit_id: uuid.UUID, term: rules.TermSpec) -> Period:
        """A unit without a leader still gets interventions: an unsaved period gives the dates."""
        return Period(school_unit_id=unit_id, starts_on=term.starts_on, ends_on=term.ends_on)

    def interventions(
        self,
        unit_id: uuid.UUID,
        person: uuid.UUID,
        period: Period,
        goals: list[Goal],
        pupils: list[uuid.UUID],
        groups: list[uuid.UUID],
    ) -> list[dict[str, Any]]:
        """Rows as plain dicts: the one big table, written by _insert without model instances."""
        last = min(period.ends_on, self.today - timedelta(days=1))
        days = (last - period.starts_on).days
        if days < 0:
            return []
        # About two a week over a whole term, fewer when the term has just begun.
        count = max(1, round(self.rng.randint(30, 45) * min(1.0, days / 140)))
        mine = [g.id for g in goals if g.special_educator_id in (None, person)]
        rng = self.rng
        made = []
        for _ in range(count):
            level = self.weighted(LEVELS)
            if level == "individual" and not pupils:
                level = "group"
            if level == "group" and not groups:
                level = "organisation"
            kind = self.weighted(KINDS_BY_LEVEL[level])
            day = period.starts_on + timedelta(days=rng.randint(0, days))
            if day.weekday() >= 5:  # the work is done on school days
                day = max(day - timedelta(days=day.weekday() - 4), period.starts_on)
            stamp = self.moment(day)
            made.append(
                {
                    "id": self.uid(),
                    "created_at": stamp,
                    "updated_at": stamp,
                    "school_unit_id": unit_id,
                    "performed_on": day,
                    "level": level,
                    "kind": kind,
                    "group_id": rng.choice(groups) if level == "group" else None,
                    "pupil_id": rng.choice(pupils) if level == "individual" else None,
                    "minutes": rng.choice((30, 45, 45, 60, 60, 90, 120)),
                    "description": rng.choice(DESCRIPTIONS[kind]),
                    "hinders": rng.choice(HINDERS),
                    "supports": rng.choice(SUPPORTS),
                    "goal_id": rng.choice(mine) if mine and rng.random() < 0.4 else None,
                    "created_by_id": person,
                    "updated_by_id": None,
                }
            )
        self.intervention_rows.extend(made)
        return made

    def report(
        self,
        period: Period,
        goals: list[Goal],
        author: uuid.UUID,
        rektor: uuid.UUID,
        entries: list[dict[str, Any]],
        is_previous: bool,
        hand_in: bool,
    ) -> None:
        if not entries:
            return
        written = min(period.ends_on, self.today)
        state = ReportState.DRAFT
        if hand_in:
            state = ReportState.REVIEWED if is_previous else ReportState.SUBMITTED
        report = self.add(
            Report(
                id=self.uid(),
                period_id=period.id,
                author_id=author,
                state=state,
                overall_analysis=OVERALL if hand_in or self.rng.random() < 0.5 else "",
                improvements=IMPROVEMENTS if hand_in else "",
                updated_by_id=author,
            ),
            written,
        )
        if hand_in:
            report.submitted_at = self.moment(written, 10)
            report.figures = figures_from(entries).as_json()
        if state == ReportState.REVIEWED:
            reviewed = min(period.ends_on + timedelta(days=14), self.today)
            report.reviewed_at = self.moment(reviewed, 14)
            report.reviewed_by_id = rektor
            report.review_comment = self.rng.choice(REVIEW_COMMENTS)
            report.updated_at = report.reviewed_at
        for goal in goals:
            if goal.special_educator_id not in (None, author):
                continue
            self.add(
                ReportGoal(
                    id=self.uid(),
                    report_id=report.id,
                    goal_id=goal.id,
                    result=self.rng.choice(RESULTS) if hand_in else "",
                    analysis=self.rng.choice(ANALYSES) if hand_in else "",
                    attainment=self.weighted(ATTAINMENTS) if state == ReportState.REVIEWED else "",
                ),
                written,
            )

    def plan(
        self, unit_id: uuid.UUID, person: uuid.UUID, rektor: uuid.UUID | None, year: AcademicYear
    ) -> None:
        made_on = min(year.starts_on + timedelta(days=self.rng.randint(10, 25)), self.today)
        agreed_on = min(made_on + timedelta(days=self.rng.randint(3, 14)), self.today)
        agreed = rektor is not None and self.rng.random() < 0.8
        plan = self.add(
            CompetencePlan(
                id=self.uid(),
                school_unit_id=unit_id,
                special_educator_id=person,
                academic_year_id=year.id,
                assignment_description=self.rng.choice(ASSIGNMENTS),
                development_needs=self.rng.choice(NEEDS),
                agreed_on=agreed_on if agreed else None,
                agreed_by_id=rektor if agreed else None,
                created_by_id=person,
            ),
            made_on,
        )
        for kind, title in self.rng.sample(ACTIVITIES, 3):
            planned = year.starts_on + timedelta(days=self.rng.randint(20, 250))
            done = planned if planned < self.today and self.rng.random() < 0.8 else None
            self.add(
                PlannedActivity(
                    id=self.uid(),
                    plan_id=plan.id,
                    kind=kind,
                    title=title,
                    planned_on=planned,
                    done_on=done,
                    outcome="Används i handledningen av arbetslagen." if done else "",
                    created_by_id=person,
                ),
                made_on,
            )
        follow_up_on = made_on + timedelta(days=60)
        if rektor is not None and agreed and follow_up_on < self.today:
            self.add(
                PlanFollowUp(
                    id=self.uid(),
                    plan_id=plan.id,
                    on_date=follow_up_on,
                    text=self.rng.choice(FOLLOW_UPS),
                    created_by_id=rektor,
                ),
                follow_up_on,
            )

    # ------------------------------------------------------------------------- writing

    def write(self) -> dict[str, int]:
        """Interventions, the one big table, go in by _insert from plain dicts; the other rows
        through the generator's writer (elevstod.demo.rows), in foreign-key order."""
        before: tuple[type[models.Model], ...] = (Period, Goal)
        after = (Report, ReportGoal, CompetencePlan, PlannedActivity, PlanFollowUp)
        with transaction.atomic():
            counts = write_batches([(model, self.rows[model]) for model in before])
            _insert(Intervention, self.intervention_rows)
            counts["Intervention"] = len(self.intervention_rows)
            counts.update(write_batches([(model, self.rows[model]) for model in after]))
        return counts


def _insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT plain rows with executemany: for 170 units (some 35 000 interventions) Django's
    bulk_create spends most of its time preparing each value, and here every value is already
    a plain date, string, number or UUID. Each row must give every column."""
    fields = model._meta.concrete_fields
    names = [field.attname for field in fields]
    prepare = [_preparer(field) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(
                statement,
                [
                    [convert(row[name]) for name, convert in zip(names, prepare, strict=True)]
                    for row in rows[start : start + BATCH_SIZE]
                ],
            )


def _preparer(field: models.Field) -> Any:
    """The database value of one column, as Field.get_db_prep_save would give it."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return lambda value: value
        return lambda value: None if value is None else value.hex
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return lambda value: value


def figures_from(entries: list[dict[str, Any]]) -> Figures:
    """The report's frozen figures, counted in Python from the rows about to be written."""
    figures = Figures(
        levels={level: Tally() for level, _ in LEVELS},
        kinds={kind.value: Tally() for kind in rules.InterventionKind},
    )
    for entry in entries:
        for tally in (figures.total, figures.levels[entry["level"]], figures.kinds[entry["kind"]]):
            tally.count += 1
            tally.minutes += entry["minutes"]
    return figures


def generate(*, today: date, seed: int) -> dict[str, int]:
    """Fill special-education demo content for every unit; returns rows written per model."""
    demo = _Demo(today, seed)
    demo.build()
    return demo.write()
