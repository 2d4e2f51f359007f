"""Demo content for routines and deviation reports, for every school unit in the database.

`generate(today=..., seed=...)` runs after elevstod.demo.generator has written the municipality.
It is deterministic for a seed, `today` and the database's content (units, duties and pupils are
read in a fixed order and every id comes from the seeded Random), bulk-inserts everything in one
transaction, and takes well under a second per hundred units.

What it makes:
- per huvudman, two routines that apply at all its units (external cooperation with
  socialtjänsten, and deviation reporting under the BUS agreement), owned by its administrator;
- per unit, most of the routines the quality system requires (seed 001 §§ 1, 7, 9), some in a
  second or third version, some reviewed without changes, review dates from long past to well
  ahead, so that some stand out in the list and are due a reminder;
- per unit, a few deviation reports in every status over the last year and a half, now and then
  naming a pupil (with the reason, and the access-log row that writing one leaves).

Unit A (where "rektor" is the principal) gets a fixed set: every required routine but one
(habilitering, so the list shows what is missing), one overdue, two due within 30 days, one owned
by "specialpedagog", and nine deviation reports, some by "specialpedagog" and "mentor", one naming
a pupil, in every status; the huvudman ("huvudman") owns the provider-wide routines and sees the
counts.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from elevstod.access.policy import Relation
from elevstod.accounts.models import User
from elevstod.audit.models import AccessAction, AccessEvent, AccessOutcome
from elevstod.demo.access_log import SCHOOL_TZ
from elevstod.demo.rows import write_batches
from elevstod.organisation.duties import LEADERSHIP_DUTIES, UNIT_WIDE_SUPPORT_DUTIES, UnitDutyKind
from elevstod.organisation.models import ProviderDuty, SchoolUnit, UnitDuty
from elevstod.people.models import Placement, ProtectedIdentity
from elevstod.routines import rules
from elevstod.routines.models import (
    Counterpart,
    DeviationNature,
    DeviationReport,
    DeviationStatus,
    DeviationStatusChange,
    Routine,
    RoutineCategory,
    RoutineReview,
    RoutineVersion,
    kind_flags,
)
from elevstod.routines.services import DEVIATION_RECORD

PROVIDER_WIDE = (RoutineCategory.SOCIAL_SERVICES, RoutineCategory.DEVIATION_REPORTING)


@dataclass(frozen=True)
class RoutineText:
    title: str
    purpose: str
    steps: tuple[str, ...]
    # The revision: which step (index) is rewritten as what, and the change note.
    revised_step: int
    revised_text: str
    change_note: str

    def content(self, version: int) -> str:
        steps = list(self.steps)
        if version >= 2:
            steps[self.revised_step] = self.revised_text
        if version >= 3:
            steps.append("Rutinen gås igenom med all personal vid läsårets start.")
        return "\n".join(f"{number}. {step}" for number, step in enumerate(steps, start=1))


TEXTS: dict[str, RoutineText] = {
    RoutineCategory.INVESTIGATION: RoutineText(
        "Utredning av behov av särskilt stöd",
        "Att behovet av särskilt stöd utreds skyndsamt när extra anpassningar inte räcker "
        "(3 kap. 7 § skollagen), och att specialpedagogens roll i utredningen är tydlig.",
        (
            "Mentorn anmäler till rektor via Elevstöd när extra anpassningar inte räcker.",
            "Rektor kvitterar anmälan inom två dagar och utser utredare.",
            "Specialpedagogen leder kartläggningen på individ-, grupp- och skolnivå.",
            "Elevhälsan konsulteras innan den pedagogiska bedömningen görs.",
            "Eleven och vårdnadshavarna ges möjlighet att delta och lämna synpunkter.",
            "Rektor beslutar om åtgärdsprogram eller beslut att inte utarbeta ett.",
        ),
        2,
        "Specialpedagogen leder kartläggningen; mentorn medverkar med observationer.",
        "Mentorns roll i kartläggningen förtydligad efter elevhälsans utvärdering.",
    ),
    RoutineCategory.PUPIL_HEALTH_TEAM: RoutineText(
        "Elevhälsoteamets arbete",
        "Att elevhälsan arbetar främst förebyggande och hälsofrämjande och att elevärenden "
        "tas upp och följs upp på ett rättssäkert sätt.",
        (
            "Elevhälsoteamet träffas varannan vecka; rektor leder mötet.",
            "Hälften av mötestiden ägnas åt förebyggande arbete på grupp- och skolnivå.",
            "Elevärenden anmäls till rektor senast två dagar före mötet.",
            "Beslut och ansvar dokumenteras i Elevstöd samma dag.",
        ),
        0,
        "Elevhälsoteamet träffas varje vecka; rektor eller biträdande rektor leder mötet.",
        "Tätare möten efter att antalet ärenden ökat.",
    ),
    RoutineCategory.COLLABORATION: RoutineText(
        "Samarbete mellan elevhälsan och arbetslagen",
        "Att bedömningar blir allsidiga och tvärprofessionella och att varje profession "
        "bidrar med sin specialistkompetens (kvalitetssystemet § 7).",
        (
            "Varje arbetslag har en kontaktperson i elevhälsan.",
            "Specialpedagogen handleder arbetslagen minst en gång per månad.",
            "Kurator och skolsköterska deltar i arbetslagsmöten vid behov.",
            "Arbetslagen återkopplar effekten av insatser till elevhälsoteamet.",
        ),
        1,
        "Specialpedagogen handleder arbetslagen varannan vecka.",
        "Handledningen utökad enligt utvärderingen av förra läsåret.",
    ),
    RoutineCategory.EARLY_DETECTION: RoutineText(
        "Tidig upptäckt och stöd",
        "Att elever som riskerar att inte nå kunskapskraven eller som visar tecken på ohälsa "
        "upptäcks tidigt och får stöd.",
        (
            "Mentorn går igenom närvaro och resultat för sin grupp varje månad.",
            "Screening i läsförståelse och matematik görs i årskurs 1, 4 och 7.",
            "Hög frånvaro anmäls till rektor och tas upp i elevhälsoteamet.",
            "Extra anpassningar sätts in skyndsamt och utvärderas efter fyra till sex veckor.",
        ),
        1,
        "Screening i läsförståelse och matematik görs i årskurs 1, 3, 4 och 7.",
        "Screening även i årskurs 3 inför de nationella proven.",
    ),
    RoutineCategory.SOCIAL_SERVICES: RoutineText(
        "Samverkan med socialtjänsten och orosanmälan",
        "Att skolan anmäler oro för barn utan dröjsmål och samverkar med socialtjänsten kring "
        "barn som behöver stöd från båda.",
        (
            "Den som misstänker att ett barn far illa anmäler till socialtjänsten utan dröjsmål.",
            "Rektor och kurator informeras samma dag.",
            "Samverkansmöten med socialtjänsten hålls en gång per termin.",
            "Samverkansproblem som inte går att lösa lokalt rapporteras som avvikelse.",
        ),
        1,
        "Rektor och kurator informeras samma dag; kurator stödjer den som anmäler.",
        "Kuratorns stöd vid orosanmälan förtydligat.",
    ),
    RoutineCategory.CHILD_PSYCHIATRY: RoutineText(
        "Samverkan med barn- och ungdomspsykiatrin (BUP)",
        "Att elever med psykisk ohälsa får samordnat stöd från skola och BUP.",
        (
            "Skolan kontaktar BUP med vårdnadshavarnas samtycke.",
            "Skolpsykologen är skolans kontaktperson mot BUP.",
            "SIP (samordnad individuell plan) begärs när eleven har insatser från båda.",
            "Uteblivna svar från BUP följs upp inom två veckor.",
        ),
        3,
        "Uteblivna svar från BUP följs upp inom två veckor och rapporteras som avvikelse.",
        "Koppling till avvikelserapporteringen.",
    ),
    RoutineCategory.HABILITATION: RoutineText(
        "Samverkan med habiliteringen",
        "Att elever med funktionsnedsättning får stöd som hänger ihop mellan skola och "
        "habilitering.",
        (
            "Habiliteringens rekommendationer tas upp i elevhälsoteamet.",
            "Specialpedagogen är skolans kontaktperson mot habiliteringen.",
            "Överlämning vid stadiebyte sker med habiliteringen närvarande.",
        ),
        2,
        "Överlämning vid stadiebyte och skolbyte sker med habiliteringen närvarande.",
        "Gäller även skolbyte.",
    ),
    RoutineCategory.DEVIATION_REPORTING: RoutineText(
        "Avvikelserapportering enligt BUS-överenskommelsen",
        "Att samverkansproblem mellan skola, socialtjänst, barnpsykiatri, barnmedicin och "
        "habilitering fångas upp systematiskt och rapporteras till BUS-sekretariatet (KSL).",
        (
            "All personal får rapportera samverkansproblem som avvikelse i Elevstöd.",
            "Rapporten innehåller elevuppgifter bara när det behövs, med skäl.",
            "Rektor är ansvarig chef och handlägger rapporten.",
            "Problem som inte kan lösas lokalt rapporteras till BUS-sekretariatet hos KSL.",
            "Huvudmannen sammanställer rapporterna varje kvartal.",
        ),
        4,
        "Huvudmannen sammanställer rapporterna varje kvartal och återkopplar till rektorerna.",
        "Återkoppling till rektorerna tillagd.",
    ),
    RoutineCategory.FOLLOW_UP: RoutineText(
        "Uppföljning och utvärdering av specialpedagogiska insatser",
        "Att resultatet av specialpedagogens och speciallärarens arbete följs upp och "
        "utvärderas regelbundet och leder till förbättringar (kvalitetssystemet § 9).",
        (
            "Specialpedagogen rapporterar till rektor en gång per termin.",
            "Rektor och specialpedagog stämmer av målen för insatserna.",
            "Resultat och analys ingår i enhetens kvalitetsrapport.",
        ),
        0,
        "Specialpedagogen rapporterar till rektor i oktober och mars.",
        "Fasta månader för avrapporteringen.",
    ),
    RoutineCategory.OTHER: RoutineText(
        "Överlämning mellan stadier",
        "Att information om elevers behov av stöd följer med vid stadiebyte.",
        (
            "Mentorerna håller överlämningssamtal i maj.",
            "Specialpedagogerna på båda stadierna deltar.",
            "Vårdnadshavarna informeras om vad som lämnas över.",
        ),
        1,
        "Specialpedagogerna på båda stadierna deltar och dokumenterar i Elevstöd.",
        "Dokumentationen flyttad till Elevstöd.",
    ),
}

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    Counterpart.SOCIAL_SERVICES: (
        "Socialtjänsten återkopplar inte till skolan efter orosanmälningar, trots upprepade "
        "förfrågningar.",
        "Oklart vem på socialtjänsten som ansvarar för samverkan med skolan efter omorganisation.",
    ),
    Counterpart.CHILD_PSYCHIATRY: (
        "Väntetiden till BUP gör att elever står utan utredning i över ett halvår.",
        "BUP hänvisar till skolan och skolan till BUP när eleven har hög frånvaro.",
    ),
    Counterpart.PAEDIATRICS: (
        "Barnmedicin skickar rekommendationer om anpassningar utan att skolan får delta i "
        "planeringen.",
    ),
    Counterpart.HABILITATION: (
        "Habiliteringen kan inte delta i överlämningar vid stadiebyte.",
        "Habiliteringens och skolans planer för samma elever hänger inte ihop.",
    ),
}
TRIED = (
    "Möte med verksamhetens enhetschef har hållits utan resultat.",
    "Skolan har begärt samverkansmöte två gånger.",
    "Frågan har tagits upp på det lokala samverkansmötet.",
)
OUTCOMES = (
    "Ny kontaktväg mellan verksamheterna är överenskommen.",
    "Rapporterad till BUS-sekretariatet; frågan ligger hos den regionala samverkansgruppen.",
    "Löst lokalt efter möte mellan cheferna.",
)


@dataclass
class _UnitStaff:
    unit: SchoolUnit
    leaders: list[uuid.UUID] = field(default_factory=list)
    support: list[uuid.UUID] = field(default_factory=list)
    others: list[uuid.UUID] = field(default_factory=list)

    @property
    def everyone(self) -> list[uuid.UUID]:
        return self.leaders + self.support + self.others


@dataclass
class _Rows:
    routines: list[Routine] = field(default_factory=list)
    versions: list[RoutineVersion] = field(default_factory=list)
    reviews: list[RoutineReview] = field(default_factory=list)
    reports: list[DeviationReport] = field(default_factory=list)
    changes: list[DeviationStatusChange] = field(default_factory=list)
    events: list[AccessEvent] = field(default_factory=list)


# The handling after "reported", in order (rules.TRANSITIONS).
HANDLING: tuple[str, ...] = (
    DeviationStatus.UNDER_HANDLING,
    DeviationStatus.REPORTED_TO_KSL,
    DeviationStatus.CLOSED,
)


class _Step(NamedTuple):
    """One step of a report's handling: the status it moved to, when, and by whom."""

    status: str
    day: date
    actor: uuid.UUID


@dataclass(frozen=True)
class _RoutineDates:
    current_on: date  # the version in force was approved
    review_on: date  # last reviewed (the approval, unless reviewed without changes since)
    review_by: date
    reviewed: bool


def _routine_dates(today: date, review_by: date, reviewed: bool) -> _RoutineDates:
    """The version in force was approved about a year before its review date, never after
    today; a review without changes came half a year after approval and set the date."""
    current_on = min(today - timedelta(days=1), review_by - timedelta(days=365))
    review_on = current_on
    if reviewed:
        review_on = min(today - timedelta(days=1), current_on + timedelta(days=180))
        if review_on <= current_on:
            reviewed = False
            review_on = current_on
    if review_by <= review_on:
        review_by = review_on + timedelta(days=30)
    return _RoutineDates(current_on, review_on, review_by, reviewed)


class _Builder:
    def __init__(self, today: date, seed: int) -> None:
        self.today = today
        # Demo content, not security: a seeded generator makes the demo repeatable.
        self.rng = random.Random(f"routines:{seed}")  # noqa: S311
        self.now = timezone.now()
        self.rows = _Rows()

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, day: date) -> datetime:
        at = datetime.combine(day, time(8 + self.rng.randrange(9), self.rng.randrange(60)))
        return min(at.replace(tzinfo=SCHOOL_TZ), self.now)

    # ------------------------------------------------------------------------- routines

    def routine(
        self,
        *,
        category: str,
        owner: uuid.UUID,
        author: uuid.UUID,
        review_by: date,
        versions: int = 1,
        reviewed: bool = False,
        unit: SchoolUnit | None = None,
        provider_id: uuid.UUID | None = None,
    ) -> None:
        dates = _routine_dates(self.today, review_by, reviewed)
        routine_id = self.uid()
        # Earlier versions were approved a year or so before each other.
        approved = [
            dates.current_on - timedelta(days=sum(self.rng.randint(250, 400) for _ in range(n)))
            for n in range(versions - 1, -1, -1)
        ]
        version_ids = [self.uid() for _ in approved]
        first_at, last_at = self.moment(approved[0]), self.moment(dates.review_on)
        self.rows.routines.append(
            Routine(
                id=routine_id,
                school_unit=unit,
                provider_id=provider_id,
                category=category,
                owner_id=owner,
                current_version_id=version_ids[-1],
                review_by=dates.review_by,
                reviewed_on=dates.review_on,
                created_by_id=author,
                updated_by_id=author,
                created_at=first_at,
                updated_at=max(first_at, last_at),
            )
        )
        for number, (version_id, day) in enumerate(zip(version_ids, approved, strict=True), 1):
            self.version(routine_id, version_id, TEXTS[category], number, day, author)
        if dates.reviewed:
            self.review(routine_id, versions, dates, author)

    def version(
        self,
        routine_id: uuid.UUID,
        version_id: uuid.UUID,
        text: RoutineText,
        number: int,
        day: date,
        author: uuid.UUID,
    ) -> None:
        at = self.moment(day)
        change_notes = {2: text.change_note, 3: "Genomgång med personalen vid läsårsstart."}
        self.rows.versions.append(
            RoutineVersion(
                id=version_id,
                routine_id=routine_id,
                number=number,
                title=text.title,
                purpose=text.purpose,
                content=text.content(number),
                change_note=change_notes.get(number, ""),
                approved_on=day,
                created_by_id=author,
                created_at=at,
                updated_at=at,
            )
        )

    def review(
        self, routine_id: uuid.UUID, version_number: int, dates: _RoutineDates, author: uuid.UUID
    ) -> None:
        """Reviewed without changes: the review set the routine's review date."""
        at = self.moment(dates.review_on)
        self.rows.reviews.append(
            RoutineReview(
                id=self.uid(),
                routine_id=routine_id,
                version_number=version_number,
                reviewed_on=dates.review_on,
                next_review_by=dates.review_by,
                note="Genomgången i elevhälsoteamet; gäller oförändrad.",
                created_by_id=author,
                created_at=at,
                updated_at=at,
            )
        )

    def unit_routines(self, staff: _UnitStaff) -> None:
        if not staff.everyone:
            return
        author = (staff.leaders or staff.everyone)[0]
        for category in RoutineCategory.values:
            if category in PROVIDER_WIDE:
                continue
            required = category in rules.REQUIRED_CATEGORIES
            if self.rng.random() > (0.8 if required else 0.3):
                continue
            owner = self.rng.choice(staff.leaders + staff.support or staff.everyone)
            self.routine(
                category=category,
                owner=owner,
                author=author,
                unit=staff.unit,
                review_by=self.today + timedelta(days=self.rng.randint(-90, 400)),
                versions=self.rng.choices((1, 2, 3), weights=(6, 3, 1))[0],
                reviewed=self.rng.random() < 0.25,
            )

    def unit_a_routines(self, staff: _UnitStaff, users: dict[str, uuid.UUID]) -> None:
        """Every required routine but habilitering; overdue, due soon and far ahead."""
        if not staff.everyone:
            return
        rektor = users.get("rektor") or (staff.leaders or staff.everyone)[0]
        educator = users.get("specialpedagog") or (staff.support or [rektor])[0]
        counsellor = users.get("kurator") or (staff.others or [rektor])[0]
        plan = (
            (RoutineCategory.INVESTIGATION, educator, 150, 3, False),
            (RoutineCategory.PUPIL_HEALTH_TEAM, rektor, -12, 1, False),
            (RoutineCategory.COLLABORATION, counsellor, 18, 2, False),
            (RoutineCategory.EARLY_DETECTION, educator, 25, 1, False),
            (RoutineCategory.CHILD_PSYCHIATRY, rektor, 320, 1, False),
            (RoutineCategory.FOLLOW_UP, rektor, 200, 2, True),
            (RoutineCategory.OTHER, educator, 90, 1, False),
        )
        for category, owner, days, versions, reviewed in plan:
            self.routine(
                category=category,
                owner=owner,
                author=rektor,
                unit=staff.unit,
                review_by=self.today + timedelta(days=days),
                versions=versions,
                reviewed=reviewed,
            )

    # ------------------------------------------------------------------------- deviations

    def report(
        self,
        staff: _UnitStaff,
        *,
        reporter: uuid.UUID,
        occurred_days_ago: int,
        counterparts: Sequence[str],
        natures: Sequence[str],
        status: str,
        pupil: uuid.UUID | None = None,
        reporter_role: str = "",
    ) -> None:
        occurred = self.today - timedelta(days=occurred_days_ago)
        reported = min(self.today, occurred + timedelta(days=self.rng.randint(0, 5)))
        leader = staff.leaders[0] if staff.leaders else None
        steps = self.handling(reported, status, reporter, leader)
        report_id = self.uid()
        created_at = self.moment(reported)
        self.rows.reports.append(
            self.report_row(
                report_id,
                staff.unit,
                occurred=occurred,
                counterparts=counterparts,
                natures=natures,
                pupil=pupil,
                steps=steps,
                created_at=created_at,
            )
        )
        self.status_rows(report_id, steps, created_at)
        if pupil is not None:
            self.rows.events.append(
                AccessEvent(
                    occurred_at=created_at,
                    actor_id=reporter,
                    acting_role=reporter_role,
                    school_unit_id=staff.unit.pk,
                    pupil_id=pupil,
                    record_type=DEVIATION_RECORD,
                    record_id=str(report_id),
                    action=AccessAction.CREATE,
                    outcome=AccessOutcome.ALLOWED,
                    purpose="deviation_create",
                )
            )

    def handling(
        self, reported: date, status: str, reporter: uuid.UUID, leader: uuid.UUID | None
    ) -> list[_Step]:
        """Reported by the reporter, then each step up to `status` (rules.TRANSITIONS) by the
        unit's leader, as the handling goes: never after today. Without a leader the report
        stays reported."""
        steps = [_Step(DeviationStatus.REPORTED, reported, reporter)]
        if leader is None or status not in HANDLING:
            return steps
        day = reported
        for step in HANDLING[: HANDLING.index(status) + 1]:
            next_day = day + timedelta(days=self.rng.randint(2, 20))
            if next_day > self.today:
                break
            day = next_day
            steps.append(_Step(step, day, leader))
        return steps

    def report_row(
        self,
        report_id: uuid.UUID,
        unit: SchoolUnit,
        *,
        occurred: date,
        counterparts: Sequence[str],
        natures: Sequence[str],
        pupil: uuid.UUID | None,
        steps: list[_Step],
        created_at: datetime,
    ) -> DeviationReport:
        last = steps[-1]
        updated_at = self.moment(last.day)
        ksl_on = next((s.day for s in steps if s.status == DeviationStatus.REPORTED_TO_KSL), None)
        closed_on = last.day if last.status == DeviationStatus.CLOSED else None
        return DeviationReport(
            id=report_id,
            school_unit=unit,
            occurred_on=occurred,
            description=self.rng.choice(DESCRIPTIONS[counterparts[0]]),
            tried_locally=self.rng.choice(TRIED),
            concerns_pupil=pupil is not None,
            pupil_id=pupil,
            pupil_reason=(
                "Socialtjänsten behöver veta vilket ärende det gäller för att kunna svara."
                if pupil
                else ""
            ),
            status=last.status,
            ksl_reported_on=ksl_on,
            closed_on=closed_on,
            outcome=self.rng.choice(OUTCOMES) if closed_on else "",
            created_by_id=steps[0].actor,
            updated_by_id=last.actor,
            created_at=created_at,
            updated_at=max(created_at, updated_at),
            **kind_flags(counterparts, natures),
        )

    def status_rows(self, report_id: uuid.UUID, steps: list[_Step], created_at: datetime) -> None:
        previous = ""
        for step in steps:
            at = max(created_at, self.moment(step.day))
            self.rows.changes.append(
                DeviationStatusChange(
                    id=self.uid(),
                    report_id=report_id,
                    from_status=previous,
                    to_status=step.status,
                    note="",
                    created_by_id=step.actor,
                    created_at=at,
                    updated_at=at,
                )
            )
            previous = step.status

    def random_reports(self, staff: _UnitStaff, pupils: list[uuid.UUID]) -> None:
        if not staff.everyone:
            return
        statuses = (
            DeviationStatus.REPORTED,
            DeviationStatus.UNDER_HANDLING,
            DeviationStatus.REPORTED_TO_KSL,
            DeviationStatus.CLOSED,
        )
        for _ in range(self.rng.choices((0, 1, 2, 3), weights=(3, 4, 3, 2))[0]):
            counterparts = self.rng.sample(Counterpart.values, self.rng.choice((1, 1, 1, 2)))
            natures = self.rng.sample(DeviationNature.values, self.rng.choice((1, 1, 2)))
            # Naming a pupil is the exception; the reporter then sees the pupil (a leader or
            # a specialpedagog works with every pupil at the unit).
            knowers = staff.leaders + staff.support
            pupil = (
                self.rng.choice(pupils) if pupils and knowers and self.rng.random() < 0.1 else None
            )
            reporter = self.rng.choice(knowers) if pupil else self.rng.choice(staff.everyone)
            self.report(
                staff,
                reporter=reporter,
                occurred_days_ago=self.rng.randint(1, 540),
                counterparts=counterparts,
                natures=natures,
                status=self.rng.choices(statuses, weights=(2, 2, 2, 4))[0],
                pupil=pupil,
                reporter_role=(
                    Relation.PRINCIPAL
                    if pupil and reporter in staff.leaders
                    else Relation.SPECIAL_EDUCATION
                    if pupil
                    else ""
                ),
            )

    def unit_a_reports(
        self, staff: _UnitStaff, pupils: list[uuid.UUID], users: dict[str, uuid.UUID]
    ) -> None:
        """Nine reports in every status; "specialpedagog" and "mentor" among the reporters."""
        educator = users.get("specialpedagog") or (staff.support or staff.everyone)[0]
        mentor = users.get("mentor") or self.rng.choice(staff.everyone)
        counsellor = users.get("kurator") or self.rng.choice(staff.everyone)
        teacher = users.get("larare") or self.rng.choice(staff.everyone)
        soc, bup, med, hab = Counterpart.values
        local, principled = DeviationNature.values
        plan: tuple[tuple[uuid.UUID, int, tuple[str, ...], tuple[str, ...], str], ...] = (
            (educator, 40, (bup,), (local,), DeviationStatus.UNDER_HANDLING),
            (mentor, 130, (soc,), (local, principled), DeviationStatus.REPORTED_TO_KSL),
            (counsellor, 210, (hab,), (principled,), DeviationStatus.CLOSED),
            (teacher, 300, (med,), (local,), DeviationStatus.CLOSED),
            (educator, 3, (bup, soc), (principled,), DeviationStatus.REPORTED),
            (mentor, 75, (hab,), (local,), DeviationStatus.UNDER_HANDLING),
            (teacher, 170, (bup,), (principled,), DeviationStatus.REPORTED_TO_KSL),
            (counsellor, 400, (soc,), (local,), DeviationStatus.CLOSED),
        )
        for reporter, days, counterparts, natures, status in plan:
            self.report(
                staff,
                reporter=reporter,
                occurred_days_ago=days,
                counterparts=counterparts,
                natures=natures,
                status=status,
            )
        if pupils:
            self.report(
                staff,
                reporter=educator,
                occurred_days_ago=6,
                counterparts=(soc,),
                natures=(local,),
                status=DeviationStatus.REPORTED,
                pupil=pupils[0],
                reporter_role=Relation.SPECIAL_EDUCATION,
            )


def _staff_by_unit(units: list[SchoolUnit], today: date) -> dict[uuid.UUID, _UnitStaff]:
    staff = {unit.pk: _UnitStaff(unit) for unit in units}
    duties = (
        UnitDuty.objects.filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("school_unit_id", "duty", "starts_on", "user_id")
        .values_list("school_unit_id", "duty", "user_id")
    )
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    # Leaders first, then the principal before the deputy: the rektor acts for the unit.
    ordered = sorted(duties, key=lambda row: row[1] != UnitDutyKind.PRINCIPAL)
    for unit_id, duty, user_id in ordered:
        if unit_id not in staff or (unit_id, user_id) in seen:
            continue
        seen.add((unit_id, user_id))
        if duty in LEADERSHIP_DUTIES:
            staff[unit_id].leaders.append(user_id)
        elif duty in UNIT_WIDE_SUPPORT_DUTIES:
            staff[unit_id].support.append(user_id)
        else:
            staff[unit_id].others.append(user_id)
    return staff


def _pupils_at(unit_ids: set[uuid.UUID], today: date) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Pupils without protected identity currently placed at the units (for named reports)."""
    pupils: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    rows = (
        Placement.objects.filter(school_unit_id__in=unit_ids, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .filter(pupil__protected_identity=ProtectedIdentity.NONE)
        .order_by("school_unit_id", "pupil__last_name", "pupil_id")
        .values_list("school_unit_id", "pupil_id")
    )
    for unit_id, pupil_id in rows:
        pupils[unit_id].append(pupil_id)
    return pupils


def _unit_a(units: list[SchoolUnit]) -> SchoolUnit | None:
    """The unit where "rektor" is the principal; without demo users, the generator's unit A."""
    unit_id = (
        UnitDuty.objects.filter(user__username="rektor", duty=UnitDutyKind.PRINCIPAL)
        .values_list("school_unit_id", flat=True)
        .first()
    )
    by_id = {unit.pk: unit for unit in units}
    if unit_id in by_id:
        return by_id[unit_id]
    return next((unit for unit in units if unit.name == "Björkskolan"), None)


DEMO_USERNAMES = ("rektor", "specialpedagog", "mentor", "kurator", "larare", "huvudman")


def _provider_admins(
    unit_a: SchoolUnit | None, demo_users: dict[str, uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """Per huvudman, the administrator who owns its routines; "huvudman" at unit A's."""
    admins: dict[uuid.UUID, uuid.UUID] = {}
    for provider_id, user_id in ProviderDuty.objects.order_by(
        "provider_id", "created_at", "user_id"
    ).values_list("provider_id", "user_id"):
        admins.setdefault(provider_id, user_id)
    if "huvudman" in demo_users and unit_a is not None:
        admins[unit_a.provider_id] = demo_users["huvudman"]
    return admins


def _provider_routines(
    builder: _Builder,
    units: list[SchoolUnit],
    staff: dict[uuid.UUID, _UnitStaff],
    admins: dict[uuid.UUID, uuid.UUID],
) -> None:
    """The huvudman's routines, which apply at all of its units: owned by its administrator,
    or else by the first leader of one of its units."""
    for provider_id in sorted({unit.provider_id for unit in units}, key=str):
        owner = admins.get(provider_id) or next(
            (
                staff[u.pk].leaders[0]
                for u in units
                if u.provider_id == provider_id and staff[u.pk].leaders
            ),
            None,
        )
        if owner is None:
            continue
        for category, days, versions in (
            (RoutineCategory.SOCIAL_SERVICES, 14, 2),
            (RoutineCategory.DEVIATION_REPORTING, 240, 1),
        ):
            builder.routine(
                category=category,
                owner=owner,
                author=owner,
                provider_id=provider_id,
                review_by=builder.today + timedelta(days=days),
                versions=versions,
            )


def _unit_content(
    builder: _Builder,
    units: list[SchoolUnit],
    staff: dict[uuid.UUID, _UnitStaff],
    unit_a: SchoolUnit | None,
    demo_users: dict[str, uuid.UUID],
) -> None:
    """Every unit's routines and reports; unit A's fixed set for the demo users."""
    # Which units get a report naming a pupil is drawn first, so pupils are read only there.
    named = {unit.pk for unit in units if builder.rng.random() < 0.15}
    if unit_a is not None:
        named.add(unit_a.pk)
    pupils = _pupils_at(named, builder.today)
    for unit in units:
        unit_staff = staff[unit.pk]
        if unit_a is not None and unit.pk == unit_a.pk:
            # "rektor" handles unit A's reports, so the demo user sees the handling.
            rektor = demo_users.get("rektor")
            if rektor is not None and rektor in unit_staff.leaders:
                unit_staff.leaders.remove(rektor)
                unit_staff.leaders.insert(0, rektor)
            builder.unit_a_routines(unit_staff, demo_users)
            builder.unit_a_reports(unit_staff, pupils.get(unit.pk, []), demo_users)
        else:
            builder.unit_routines(unit_staff)
            builder.random_reports(unit_staff, pupils.get(unit.pk, []))


def _write(rows: _Rows, *, access_log: bool) -> dict[str, int]:
    """Bulk-insert in one transaction; returns the rows written per model."""
    batches: list[tuple[type[models.Model], Sequence[models.Model]]] = [
        (Routine, rows.routines),
        (RoutineVersion, rows.versions),
        (RoutineReview, rows.reviews),
        (DeviationReport, rows.reports),
        (DeviationStatusChange, rows.changes),
    ]
    if access_log:
        batches.append((AccessEvent, rows.events))
    # Routine and RoutineVersion point at each other; foreign keys are checked at commit.
    with transaction.atomic():
        return write_batches(batches)


def generate(*, today: date, seed: int, access_log: bool = True) -> dict[str, int]:
    """Write the demo routines and deviation reports; returns the rows written per model.
    `access_log=False` leaves out the reads of reports, as the generator's own option does."""
    builder = _Builder(today, seed)
    units = list(SchoolUnit.objects.select_related("provider").order_by("unit_code"))
    staff = _staff_by_unit(units, today)
    unit_a = _unit_a(units)
    demo_users = dict(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", "pk")
    )
    _provider_routines(builder, units, staff, _provider_admins(unit_a, demo_users))
    _unit_content(builder, units, staff, unit_a, demo_users)
    return _write(builder.rows, access_log=access_log)
