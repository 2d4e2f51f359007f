"""The support chain of the generated municipality: every state, in scale.md's proportions.

`build_support_chain` runs at the end of the generator's `_Builder.build` (after the pupils, their
placements, the staff and the demo users exist) and makes every row of the chain as an unsaved
model instance with an explicit id; `write_support_chain` inserts them inside `write_plan`'s
transaction. Like the rest of the generator it is deterministic for a seed and `today`: it draws
from its own Random seeded from the plan's seed, so the people, groups and access log are exactly
what they were without it, and demo mode (which draws numbers for the demo users) does not shift it.

What it makes, per pupil (N pupils; scale.md):
- active action programmes ≈ 6.5 % of N, some in a second version after a revision (the first
  SUPERSEDED, each version with its own decision), a few with a revision drafted after an
  evaluation; closed programmes with their closing decision;
- extra adaptations active for ≈ 20 % of N (rows), some ended, each evaluated every 5–8 weeks,
  some overdue for evaluation; concerns from every source in every state;
- reports to the principal in every case state: waiting for receipt, received, investigations at
  every stage (opened, mapped, assessed with or without needs), decisions not to draw up a
  programme; investigations per year ≈ 5 % of N;
- decisions with their service on each guardian with custody and on the pupil, some not yet
  served, and appeals in every state (one of them late);
- follow-ups and evaluations of every programme, measure by measure, some overdue;
- a ChainEvent per change, as the services write them (verbs and record types of
  elevstod.support.services), and one ProviderDeadlines row per huvudman with the defaults.

Actors follow the access policy: the rektor receives reports and decides (a no-programme decision
at unit A may be made by the specialpedagog who holds that delegation), the unit's specialpedagog
and the pupil's mentor investigate, teachers of the pupil's groups give adaptations and measures,
and for pupils with protected identity only the two assigned staff (rektor and specialpedagog) act.
Dates lie between the pupil's history at the unit (never before the acting rektor, specialpedagog
or mentor took up their duty there) and `today`.

Unit A gets a fixed set of cases for the demo users (see `_ChainBuilder.demo`): Ella's programme in
its second version, adaptations in 8A given by "larare" and "mentor", a report awaiting the
rektor's receipt, investigations with "specialpedagog", a delegated no-programme decision under
appeal, and items due or overdue for each of them.
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import connection, models
from django.utils import timezone, translation

from elevstod.accounts.models import User
from elevstod.demo.access_log import SCHOOL_TZ
from elevstod.demo.generator import (
    BATCH_SIZE,
    COPY_THRESHOLD,
    DEMO_CLASS,
    SUBJECTS,
    Writer,
    _copy_rows,
    _explicit_timestamps,
    _make,
    _say,
)
from elevstod.demo.school_year import academic_year
from elevstod.organisation.duties import UNIT_DUTY_LABELS, DecisionType, UnitDutyKind
from elevstod.organisation.models import Delegation, Group
from elevstod.people.models import Guardian, Pupil
from elevstod.support import workflow as wf
from elevstod.support.calendar import days_off_around
from elevstod.support.labels import (
    APPEAL_INSTRUCTIONS,
    MEASURE_SETTING_LABELS,
    NEED_CATEGORY_LABELS,
)
from elevstod.support.models import (
    ActionProgramme,
    Adaptation,
    AdaptationEvaluation,
    Appeal,
    ChainEvent,
    Concern,
    Decision,
    DecisionService,
    FollowUp,
    Investigation,
    InvestigationNeed,
    MeasureReview,
    ParticipantView,
    ProgrammeMeasure,
    ProgrammeNeed,
    ProviderDeadlines,
    RaisedBy,
    RecipientKind,
    Referral,
    ServiceMethod,
)

if TYPE_CHECKING:
    from elevstod.demo.generator import ClassPlan, UnitPlan, _Builder

T = TypeVar("T")

# --------------------------------------------------------------------------- proportions

ACTIVE_PROGRAMME_SHARE = 0.065  # scale.md: active action programmes ≈ 6.5 % of pupils
ACTIVE_ADAPTATION_SHARE = 0.20  # scale.md: active extra adaptations ≈ 20 % of pupils (rows)
CLOSED_PROGRAMME_SHARE = 0.02
NO_PROGRAMME_SHARE = 0.012
INVESTIGATING_SHARE = 0.010
RECEIVED_SHARE = 0.004
REPORTED_SHARE = 0.004
REVISED_SHARE = 0.15  # of the active programmes: a second version in force
REVISION_DRAFT_SHARE = 0.03  # of the active programmes: a revision drafted, not yet decided
ENDED_ONLY_SHARE = 0.04  # pupils whose adaptations ended with the need met
OPEN_CONCERN_SHARE = 0.015
CLOSED_CONCERN_SHARE = 0.015
LAPSED_SHARE = 0.15  # closed cases whose started revision lapsed at the closure
OVERDUE_SHARE = 0.18  # adaptations and programmes whose next evaluation or follow-up has passed
PUPILS_PER_APPEAL = 6000  # appeals in each state: one per this many pupils, at least one

SEED_SALT = "elevstod-support-chain"

NEED_WEIGHTS: dict[wf.NeedCategory, int] = {
    wf.NeedCategory.READING_WRITING: 22,
    wf.NeedCategory.MATHEMATICS: 20,
    wf.NeedCategory.CONCENTRATION: 12,
    wf.NeedCategory.STRUCTURE_AND_PLANNING: 12,
    wf.NeedCategory.LANGUAGE: 8,
    wf.NeedCategory.SOCIAL_INTERACTION: 7,
    wf.NeedCategory.WELLBEING: 7,
    wf.NeedCategory.ATTENDANCE: 5,
    wf.NeedCategory.SENSORY_ENVIRONMENT: 3,
    wf.NeedCategory.MOTOR_SKILLS: 2,
    wf.NeedCategory.OTHER: 2,
}
# Extra adaptations also stimulate pupils who easily reach the criteria (SL 3 kap. 2 §).
ADAPTATION_NEED_WEIGHTS = {**NEED_WEIGHTS, wf.NeedCategory.STIMULATION: 3}
NEED_SUBJECT: dict[wf.NeedCategory, tuple[str, ...]] = {
    wf.NeedCategory.READING_WRITING: ("Sv",),
    wf.NeedCategory.MATHEMATICS: ("Ma",),
    wf.NeedCategory.LANGUAGE: ("Sv", "En"),
    wf.NeedCategory.MOTOR_SKILLS: ("Idh",),
    wf.NeedCategory.STIMULATION: ("Ma", "En", "Sv"),
}
SUBJECT_NAMES = {abbr: name for subjects in SUBJECTS.values() for abbr, name in subjects}

# Needs in terms of the school situation, never a diagnosis (SL 26 a kap. 4 §).
NEED_TEXT: dict[wf.NeedCategory, tuple[str, ...]] = {
    wf.NeedCategory.READING_WRITING: (
        "Behöver stöd för att förstå längre texter och för att komma igång med eget skrivande.",
        "Läser långsamt och tappar innehållet i längre texter; skriver korta texter med hjälp.",
    ),
    wf.NeedCategory.MATHEMATICS: (
        "Behöver stöd i taluppfattning och i att välja strategi vid problemlösning.",
        "Har svårt att följa genomgångar i matematik och att komma vidare på egen hand.",
    ),
    wf.NeedCategory.LANGUAGE: (
        "Behöver stöd med ämnesspråket och med att uttrycka sig muntligt i grupp.",
        "Förstår instruktioner bäst när de ges kort och med stöd av bilder.",
    ),
    wf.NeedCategory.CONCENTRATION: (
        "Behöver korta arbetspass med tydlig start och tydligt slut för att orka hela lektionen.",
        "Tappar fokus i längre genomgångar och behöver pauser inlagda i arbetet.",
    ),
    wf.NeedCategory.STRUCTURE_AND_PLANNING: (
        "Behöver hjälp att planera skolarbetet över veckan och att komma igång med uppgifter.",
        "Har svårt att hålla ordning på inlämningar och material.",
    ),
    wf.NeedCategory.SOCIAL_INTERACTION: (
        "Behöver stöd i grupparbeten och vid övergångar mellan aktiviteter.",
        "Hamnar ofta i konflikter på raster och behöver en vuxen i närheten.",
    ),
    wf.NeedCategory.WELLBEING: (
        "Behöver en trygg vuxen att vända sig till och förutsägbarhet under skoldagen.",
        "Känner oro inför prov och redovisningar.",
    ),
    wf.NeedCategory.ATTENDANCE: (
        "Behöver stöd för att komma till skolan och stanna hela dagen.",
        "Har ökande frånvaro, särskilt på måndagar och vid idrott.",
    ),
    wf.NeedCategory.SENSORY_ENVIRONMENT: (
        "Behöver en lugn arbetsplats med färre intryck.",
        "Blir trött av ljud och rörelse i klassrummet och behöver möjlighet till avskildhet.",
    ),
    wf.NeedCategory.MOTOR_SKILLS: (
        "Behöver stöd med finmotorik vid skrivande och i praktiska moment.",
        "Tröttnar snabbt vid handskrift och behöver alternativ till att skriva för hand.",
    ),
    wf.NeedCategory.STIMULATION: (
        "Når lätt kriterierna och behöver fördjupning och större utmaningar.",
        "Blir klar långt före klassen och tappar motivationen utan nya utmaningar.",
    ),
    wf.NeedCategory.OTHER: (
        "Behöver stöd i övergången mellan skolans olika miljöer.",
        "Behöver stöd för att använda skolans digitala verktyg.",
    ),
}
ADAPTATION_TEXT: dict[wf.NeedCategory, tuple[str, ...]] = {
    wf.NeedCategory.READING_WRITING: (
        "Ljudböcker och talsyntes för längre texter; stödmallar vid skrivande.",
        "Förförståelse: läser texten i förväg med speciallärare en gång i veckan.",
        "Anpassat textmaterial och muntlig redovisning som alternativ.",
    ),
    wf.NeedCategory.MATHEMATICS: (
        "Konkret material och en extra genomgång i liten grupp efter introduktionen.",
        "Färre uppgifter per pass och en tydlig lösningsmall.",
        "Digitalt färdighetsträningsprogram tio minuter om dagen.",
    ),
    wf.NeedCategory.LANGUAGE: (
        "Ordlista med bilder för varje arbetsområde och studiehandledning vid behov.",
        "Instruktioner både muntligt och skriftligt, kontroll av att de uppfattats.",
    ),
    wf.NeedCategory.CONCENTRATION: (
        "Lektionen delas i kortare pass med planerade pauser.",
        "Fast plats nära läraren och en timer som visar arbetspassets längd.",
    ),
    wf.NeedCategory.STRUCTURE_AND_PLANNING: (
        "Visuellt veckoschema och checklista för varje uppgift.",
        "Uppgifter delas i mindre delar med delmål; mentorn går igenom veckan på måndagar.",
    ),
    wf.NeedCategory.SOCIAL_INTERACTION: (
        "Läraren sätter ihop grupperna och ger varje elev en tydlig roll.",
        "Rastaktivitet med vuxen två dagar i veckan.",
    ),
    wf.NeedCategory.WELLBEING: (
        "Avstämning med mentorn varje morgon och en trygg plats att gå till vid behov.",
        "Prov kan göras enskilt eller i mindre rum.",
    ),
    wf.NeedCategory.ATTENDANCE: (
        "Mjuk start: eleven möts av en vuxen vid entrén och börjar i ett mindre rum.",
        "Daglig kontakt med hemmet om närvaron och ett schema som bygger upp hela dagar.",
    ),
    wf.NeedCategory.SENSORY_ENVIRONMENT: (
        "Hörselkåpor och en avskild arbetsplats i klassrummet.",
        "Möjlighet att arbeta i grupprum under enskilt arbete.",
    ),
    wf.NeedCategory.MOTOR_SKILLS: (
        "Dator i stället för handskrift och förstorade arbetsblad.",
        "Anpassade moment i idrott och hälsa.",
    ),
    wf.NeedCategory.STIMULATION: (
        "Fördjupningsuppgifter och möjlighet att arbeta i snabbare takt.",
        "Utmaningsuppgifter och deltagande i matematiktävling.",
    ),
    wf.NeedCategory.OTHER: (
        "Förberedelse inför förändringar i schemat.",
        "Genomgång av lärplattformen med mentorn.",
    ),
}
PROGRAMME_MEASURES: dict[wf.NeedCategory, tuple[tuple[str, str], ...]] = {
    wf.NeedCategory.READING_WRITING: (
        ("Intensivläsning med speciallärare.", "3 × 20 minuter i veckan"),
        ("Strukturerat skrivstöd med mallar och respons i varje skrivuppgift.", "Varje lektion"),
    ),
    wf.NeedCategory.MATHEMATICS: (
        ("Undervisning i liten grupp med fokus på taluppfattning.", "2 lektioner i veckan"),
        ("Förberedande genomgång av varje nytt arbetsområde.", "1 × 30 minuter i veckan"),
    ),
    wf.NeedCategory.LANGUAGE: (
        ("Studiehandledning på modersmålet i teoretiska ämnen.", "2 × 40 minuter i veckan"),
        ("Ordförrådsträning kopplad till ämnesundervisningen.", "3 × 15 minuter i veckan"),
    ),
    wf.NeedCategory.CONCENTRATION: (
        ("Elevassistent stöttar start och avslut av arbetspass.", "Förmiddagar"),
        ("Individuellt planerade arbetspass med pauser.", "Varje lektion"),
    ),
    wf.NeedCategory.STRUCTURE_AND_PLANNING: (
        ("Veckoplanering med mentor och uppföljning av inlämningar.", "1 × 20 minuter i veckan"),
        ("Digital planering som delas med hemmet.", "Löpande"),
    ),
    wf.NeedCategory.SOCIAL_INTERACTION: (
        ("Samtal med kurator om samspel och konflikthantering.", "Varannan vecka"),
        ("Vuxenstöd under raster och i grupparbeten.", "Dagligen"),
    ),
    wf.NeedCategory.WELLBEING: (
        ("Regelbundna samtal med kurator.", "1 gång i veckan"),
        ("Anpassad skoldag med trygg startpunkt.", "Dagligen"),
    ),
    wf.NeedCategory.ATTENDANCE: (
        ("Stegvis återgång till hela skoldagar enligt plan med hemmet.", "Veckovis avstämning"),
        ("Samverkan med elevhälsan och hemmet kring närvaron.", "Varannan vecka"),
    ),
    wf.NeedCategory.SENSORY_ENVIRONMENT: (
        ("Egen arbetsplats i lugn miljö under teoretiska lektioner.", "Vid enskilt arbete"),
    ),
    wf.NeedCategory.MOTOR_SKILLS: (
        ("Träning i tangentbordsskrivning och anpassade verktyg.", "2 × 20 minuter i veckan"),
    ),
    wf.NeedCategory.OTHER: (
        ("Individuell introduktion till nya moment.", "Vid varje nytt arbetsområde"),
    ),
}
RESERVED_MEASURES: dict[wf.MeasureSetting, tuple[str, str, str, str]] = {
    # description, extent, location, special reasons
    wf.MeasureSetting.SPECIAL_TEACHING_GROUP: (
        "Undervisning i särskild undervisningsgrupp i svenska och matematik.",
        "8 lektioner i veckan",
        "Studion, särskild undervisningsgrupp",
        "Stödet i den egna gruppen har inte räckt trots omfattande anpassningar; eleven behöver "
        "en mindre grupp för att kunna tillgodogöra sig undervisningen.",
    ),
    wf.MeasureSetting.INDIVIDUAL_TEACHING: (
        "Enskild undervisning med speciallärare.",
        "3 × 40 minuter i veckan",
        "Grupprum hos speciallärarna",
        "Eleven kan under en period inte delta i gruppundervisningen i de här ämnena; enskild "
        "undervisning bedöms nödvändig för att eleven ska nå kriterierna.",
    ),
    wf.MeasureSetting.DISTANCE_TEACHING: (
        "Distansundervisning i teoretiska ämnen under återgången till skolan.",
        "Förmiddagar, högst en termin",
        "Digitalt från hemmet med lärare på skolan",
        "Eleven kan under en period inte vistas i skolan hela dagar; distansundervisning ger "
        "kontinuitet medan närvaron byggs upp.",
    ),
    wf.MeasureSetting.ADAPTED_STUDY_PATH: (
        "Anpassad studiegång med fokus på kärnämnen.",
        "Hela läsåret",
        "Den egna klassen och studion",
        "Stödet kan inte i rimlig grad anpassas inom ordinarie timplan; eleven behöver tid för "
        "svenska och matematik för att kunna bli behörig till gymnasieskolan.",
    ),
}
RESERVED_WEIGHTS = {
    wf.MeasureSetting.SPECIAL_TEACHING_GROUP: 35,
    wf.MeasureSetting.INDIVIDUAL_TEACHING: 35,
    wf.MeasureSetting.ADAPTED_STUDY_PATH: 20,
    wf.MeasureSetting.DISTANCE_TEACHING: 10,
}
RESERVED_PROGRAMME_SHARE = 0.12  # programmes with one measure outside the pupil's own group

CONCERN_TEXT: dict[wf.ConcernSource, tuple[str, ...]] = {
    wf.ConcernSource.TEACHING: (
        "Eleven kommer inte igång med uppgifterna och lämnar in ofullständigt arbete.",
        "Resultaten på de senaste diagnoserna är under förväntad nivå.",
        "Eleven har svårt att följa genomgångar och ber ofta om hjälp att komma igång.",
    ),
    wf.ConcernSource.NATIONAL_ASSESSMENT: (
        "Det nationella bedömningsstödet visar en risk att eleven inte når kriterierna.",
        "Kartläggningen i läsning visar att eleven ligger under kravnivån.",
    ),
    wf.ConcernSource.HANDOVER: (
        "Av överlämningen framgår att eleven hade extra anpassningar på tidigare skola.",
    ),
    wf.ConcernSource.ABSENCE: (
        "Eleven har upprepad frånvaro de senaste veckorna, både anmäld och oanmäld.",
        "Frånvaron har ökat och eleven missar genomgångar i flera ämnen.",
    ),
    wf.ConcernSource.PUPIL_OR_GUARDIAN: (
        "Vårdnadshavare hör av sig om att eleven tycker skolarbetet är för svårt.",
        "Eleven berättar för mentorn att hen inte hänger med på lektionerna.",
    ),
    wf.ConcernSource.OTHER: (
        "Elevhälsan har uppmärksammat att eleven verkar trött och oengagerad.",
        "Fritidspersonalen har sett att eleven har svårt i samspelet med andra.",
    ),
}
CONCERN_SOURCE_WEIGHTS = {
    wf.ConcernSource.TEACHING: 45,
    wf.ConcernSource.NATIONAL_ASSESSMENT: 12,
    wf.ConcernSource.HANDOVER: 8,
    wf.ConcernSource.ABSENCE: 10,
    wf.ConcernSource.PUPIL_OR_GUARDIAN: 15,
    wf.ConcernSource.OTHER: 10,
}
CLOSED_REASONS = (
    "Samtal med eleven och vårdnadshavare visar att det var tillfälligt; eleven når kriterierna.",
    "Ledning och stimulans i ordinarie undervisning räcker; följs upp vid utvecklingssamtalet.",
    "Situationen har löst sig efter samtal med eleven.",
)
REFERRAL_GROUND_WEIGHTS = {
    wf.ReferralGround.DESPITE_ADAPTATIONS: 60,
    wf.ReferralGround.SPECIAL_REASONS: 15,
    wf.ReferralGround.OTHER_DIFFICULTIES: 17,
    wf.ReferralGround.ABSENCE_INVESTIGATION: 8,
}
REFERRAL_TEXT: dict[wf.ReferralGround, str] = {
    wf.ReferralGround.DESPITE_ADAPTATIONS: (
        "Trots extra anpassningar under flera veckor finns en risk att eleven inte når "
        "kriterierna. Anpassningarna och deras effekt framgår nedan."
    ),
    wf.ReferralGround.SPECIAL_REASONS: (
        "Elevens svårigheter är så omfattande att extra anpassningar inte bedöms räcka."
    ),
    wf.ReferralGround.OTHER_DIFFICULTIES: (
        "Eleven visar svårigheter i sin skolsituation som påverkar skolarbetet i flera ämnen."
    ),
    wf.ReferralGround.ABSENCE_INVESTIGATION: (
        "Frånvaroutredningen visar att eleven kan vara i behov av särskilt stöd."
    ),
}
APPELLANT_TEXT = (
    "Vi överklagar beslutet. Vi anser att {name} behöver mer stöd än skolan har beslutat och "
    "vill att skolan gör om bedömningen."
)
FOLLOW_UP_PARTICIPANTS = (
    "Mentor, specialpedagog, eleven och vårdnadshavare",
    "Mentor, ämneslärare och vårdnadshavare",
    "Specialpedagog, mentor och eleven",
)


def _cumulative(weights: dict[Any, int]) -> tuple[list[Any], list[int]]:
    keys = list(weights)
    total, cumulative = 0, []
    for key in keys:
        total += weights[key]
        cumulative.append(total)
    return keys, cumulative


def _day(value: date, days: int) -> date:
    return value + timedelta(days=days)


def _known(value: T | None) -> T:
    """A field the chain has already set (a decided programme's start, a receipt's date)."""
    assert value is not None
    return value


# --------------------------------------------------------------------------- the result


@dataclass
class SupportChain:
    """Every row of the support chain, in insert order (see `batches`)."""

    deadlines: list[ProviderDeadlines] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    adaptations: list[Adaptation] = field(default_factory=list)
    evaluations: list[AdaptationEvaluation] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    referral_adaptations: list[models.Model] = field(default_factory=list)
    investigations: list[Investigation] = field(default_factory=list)
    investigators: list[models.Model] = field(default_factory=list)
    investigation_needs: list[InvestigationNeed] = field(default_factory=list)
    programmes: list[ActionProgramme] = field(default_factory=list)
    programme_needs: list[ProgrammeNeed] = field(default_factory=list)
    measures: list[ProgrammeMeasure] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    services: list[DecisionService] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    reviews: list[MeasureReview] = field(default_factory=list)
    views: list[ParticipantView] = field(default_factory=list)
    events: list[ChainEvent] = field(default_factory=list)

    def batches(self) -> list[tuple[type[models.Model], Sequence[models.Model]]]:
        return [
            (ProviderDeadlines, self.deadlines),
            (Concern, self.concerns),
            (Adaptation, self.adaptations),
            (AdaptationEvaluation, self.evaluations),
            (Referral, self.referrals),
            (Referral.adaptations.through, self.referral_adaptations),
            (Investigation, self.investigations),
            (Investigation.investigators.through, self.investigators),
            (InvestigationNeed, self.investigation_needs),
            (ActionProgramme, self.programmes),
            (ProgrammeNeed, self.programme_needs),
            (ProgrammeMeasure, self.measures),
            (Decision, self.decisions),
            (DecisionService, self.services),
            (Appeal, self.appeals),
            (FollowUp, self.follow_ups),
            (MeasureReview, self.reviews),
            (ParticipantView, self.views),
            (ChainEvent, self.events),
        ]

    def digest(self) -> str:
        """A fingerprint of every row, leaving out the moments (they are capped at the real now)."""
        parts: list[object] = []
        for model, rows in self.batches():
            names = [
                f.attname
                for f in model._meta.concrete_fields
                if not isinstance(f, models.DateTimeField) and not f.auto_created
            ]
            parts.append(model._meta.label)
            parts.extend(tuple(row.__dict__[name] for name in names) for row in rows)
        return hashlib.sha256(repr(parts).encode()).hexdigest()


def build_support_chain(builder: _Builder) -> SupportChain:
    """The chain for the builder's pupils; call after the pupils, staff and demo users exist."""
    with translation.override("sv"):
        return _ChainBuilder(builder).build()


def write_support_chain(chain: SupportChain, log: Writer | None = None) -> dict[str, int]:
    """Insert the chain (inside the caller's transaction); returns the rows written per model."""
    counts: dict[str, int] = {}
    started = time.perf_counter()
    for model, rows in chain.batches():
        begun = time.perf_counter()
        with _explicit_timestamps(model):
            if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
                _copy_rows(model, rows)
            elif connection.vendor == "sqlite":
                _insert_many(model, rows)
            else:
                model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
        counts[model._meta.object_name or model.__name__] = len(rows)
        if log is not None and len(rows) >= BATCH_SIZE:
            seconds = time.perf_counter() - begun
            _say(log, f"  {model._meta.object_name}: {len(rows)} rader ({seconds:.1f} s)")
    seconds = time.perf_counter() - started
    _say(log, f"  Stödkedjan: {sum(counts.values())} rader ({seconds:.1f} s)")
    return counts


def _insert_many(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    """One executemany per table: SQLite's 999-parameter limit makes bulk_create send ~50 rows a
    statement for the wide tables. Values go through each field's own get_db_prep_save."""
    if not rows:
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = quote(model._meta.db_table)
    statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - model names
    preps = [(f.attname, f.get_db_prep_save) for f in fields]
    values = [tuple(prep(row.__dict__[name], connection) for name, prep in preps) for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), 20_000):
            cursor.executemany(statement, values[start : start + 20_000])


# --------------------------------------------------------------------------- the people


@dataclass(eq=False)
class _Unit:
    id: uuid.UUID
    plan: UnitPlan
    principal: User
    deputies: list[User]
    educators: list[User]
    special_teachers: list[User]
    counsellors: list[User]
    delegation: Delegation | None  # a no-programme delegation to a specialpedagog (unit A)


@dataclass(eq=False)
class _Kid:
    """A pupil as the chain sees them: where they are, who works with them, since when."""

    pupil: Pupil
    unit: _Unit
    class_plan: ClassPlan
    grade: int | None
    floor: date  # nothing in the chain before this
    protected: bool
    mentor: User
    educator: User
    guardians: list[Guardian]

    @property
    def id(self) -> uuid.UUID:
        return self.pupil.id


@dataclass
class _Session:
    kind: wf.FollowUpKind
    planned: date
    held: date
    next_on: date | None


@dataclass
class _Served:
    decision: Decision
    services: list[DecisionService]


class _ChainBuilder:
    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.plan = builder.plan
        self.today = builder.today
        self.rng = random.Random(f"{SEED_SALT}:{builder.plan.seed}")
        self.chain = SupportChain()
        self.now = timezone.now()
        self.users = {user.id: user for user in self.plan.users}
        self.appeal_text = str(APPEAL_INSTRUCTIONS)
        self.need_labels = {key: str(label) for key, label in NEED_CATEGORY_LABELS.items()}
        self.setting_labels = {key: str(label) for key, label in MEASURE_SETTING_LABELS.items()}
        self.duty_labels = {key.value: str(label) for key, label in UNIT_DUTY_LABELS.items()}
        self.principal_title = self.duty_labels[UnitDutyKind.PRINCIPAL.value]
        self.need_pick = _cumulative(NEED_WEIGHTS)
        self.adaptation_need_pick = _cumulative(ADAPTATION_NEED_WEIGHTS)
        self.source_pick = _cumulative(CONCERN_SOURCE_WEIGHTS)
        self.ground_pick = _cumulative(REFERRAL_GROUND_WEIGHTS)
        self.reserved_pick = _cumulative(RESERVED_WEIGHTS)
        self.kids: dict[uuid.UUID, _Kid] = {}
        self.active_adaptations = 0
        self.settings_used: set[wf.MeasureSetting] = set()
        self.index()

    # --- helpers ---------------------------------------------------------------------------

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def pick(self, choice: tuple[list[Any], list[int]]) -> Any:
        keys, cumulative = choice
        return self.rng.choices(keys, cum_weights=cumulative)[0]

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    def moment(self, day: date) -> datetime:
        """A time in the school day of `day`, never after the real now."""
        minutes = self.rng.randrange(7 * 60 + 30, 16 * 60 + 30)
        moment = datetime(
            day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=SCHOOL_TZ
        )
        return min(moment, self.now)

    def row(self, model: type[models.Model], day: date, **values: Any) -> Any:
        moment = self.moment(day)
        return _make(model, id=self.uid(), created_at=moment, updated_at=moment, **values)

    def touch(self, record: models.Model, day: date) -> None:
        record.__dict__["updated_at"] = max(record.__dict__["updated_at"], self.moment(day))

    def event(
        self, kid: _Kid, actor: User, verb: str, record_type: str, record_id: uuid.UUID, day: date
    ) -> None:
        self.chain.events.append(
            _make(
                ChainEvent,
                id=None,
                occurred_at=self.moment(day),
                on_date=day,
                pupil_id=kid.id,
                school_unit_id=kid.unit.id,
                actor_id=actor.id,
                verb=verb,
                record_type=record_type,
                record_id=record_id,
            )
        )

    def clamp(self, kid: _Kid, day: date) -> date:
        return min(max(day, kid.floor), self.today)

    def backwards(self, kid: _Kid, end: date, gaps: Sequence[int]) -> list[date]:
        """Dates d0 ≤ … ≤ dn = end, `gaps` days apart, squeezed into [kid.floor, end]."""
        end = self.clamp(kid, end)
        room = (end - kid.floor).days
        total = sum(gaps)
        if total > room:
            gaps = [int(gap * room / total) for gap in gaps]
        dates = [end]
        for gap in reversed(gaps):
            dates.append(dates[-1] - timedelta(days=gap))
        return dates[::-1]

    def name(self, user: User) -> str:
        return f"{user.first_name} {user.last_name}"

    def title(self, user: User, unit: _Unit) -> str:
        duties = sorted(self.duties.get((user.id, unit.id), ()))
        return self.duty_labels[duties[0]] if duties else ""

    def on_duty(self, user: User, unit: _Unit, day: date) -> bool:
        started = self.duty_from.get((user.id, unit.id))
        return started is not None and started <= day

    # --- the index -------------------------------------------------------------------------

    def index(self) -> None:
        plan, b = self.plan, self.b
        self.duties: dict[tuple[uuid.UUID, uuid.UUID], set[str]] = {}
        self.duty_from: dict[tuple[uuid.UUID, uuid.UUID], date] = {}
        for duty in plan.unit_duties:
            key = (duty.user_id, duty.school_unit_id)
            self.duties.setdefault(key, set()).add(duty.duty)
            # Holding all of one's duties at the unit: the latest start counts.
            self.duty_from[key] = max(self.duty_from.get(key, duty.starts_on), duty.starts_on)
        delegations = {
            row.school_unit_id: row
            for row in plan.delegations
            if row.decision_type == DecisionType.NO_ACTION_PROGRAMME.value
        }
        self.units: dict[uuid.UUID, _Unit] = {}
        self.unit_of_class: dict[int, _Unit] = {}
        for unit_plan in b.unit_plans:
            duties = unit_plan.duties
            unit = _Unit(
                id=unit_plan.unit.id,
                plan=unit_plan,
                principal=duties[UnitDutyKind.PRINCIPAL.value][0],
                deputies=duties.get(UnitDutyKind.DEPUTY_PRINCIPAL.value, []),
                educators=duties[UnitDutyKind.SPECIAL_EDUCATOR.value],
                special_teachers=duties.get(UnitDutyKind.SPECIAL_TEACHER.value, []),
                counsellors=duties.get(UnitDutyKind.SCHOOL_COUNSELLOR.value, []),
                delegation=delegations.get(unit_plan.unit.id),
            )
            self.units[unit.id] = unit
            for class_plan in unit_plan.classes:
                self.unit_of_class[id(class_plan)] = unit
        self.teacher_of: dict[uuid.UUID, uuid.UUID] = {
            row.group_id: row.user_id for row in plan.group_staff if row.role == "teacher"
        }
        self.current: dict[uuid.UUID, Any] = {}
        self.moved: set[uuid.UUID] = set()
        for placement in plan.placements:
            if placement.ends_on is None:
                self.current[placement.pupil_id] = placement
            else:
                self.moved.add(placement.pupil_id)
        self.custody: dict[uuid.UUID, list[uuid.UUID]] = {}
        for row in plan.guardianships:
            if row.has_custody:
                self.custody.setdefault(row.pupil_id, []).append(row.guardian_id)
        self.guardians = {guardian.id: guardian for guardian in plan.guardians}
        self.pupils = {pupil.id: pupil for pupil in plan.pupils}
        self.refs = {ref[0]: ref for ref in b.pupil_refs}
        # The first day of this academic year (0) and of the three before it.
        first = b.current_spec.starts_on.year
        self.year_starts = {back: academic_year(first - back).starts_on for back in range(4)}

    def floor_of(self, pupil_id: uuid.UUID) -> date:
        """The earliest day of the pupil's chain at their unit."""
        _pid, class_plan, _protected, starts_on = self.refs[pupil_id]
        unit = self.unit_of_class[id(class_plan)]
        placement = self.current[pupil_id]
        if pupil_id in self.moved:
            floor = starts_on
        else:
            first = {"F-9": 1, "F-6": 1, "7-9": 7, "gy": 1}[unit.plan.kind]
            years = 2 if class_plan.band == "anp" else (placement.grade or first) - first
            floor = self.year_starts[min(3, max(0, years))]
        principal = self.duty_from[(unit.principal.id, unit.id)]
        mentor = class_plan.mentor
        assert mentor is not None
        mentor_from = self.duty_from[(mentor.id, unit.id)]
        educator_from = max(self.duty_from[(e.id, unit.id)] for e in unit.educators)
        return min(max(floor, principal, mentor_from, educator_from), self.today)

    def kid(self, pupil_id: uuid.UUID) -> _Kid:
        kid = self.kids.get(pupil_id)
        if kid is not None:
            return kid
        _pid, class_plan, protected, _starts = self.refs[pupil_id]
        unit = self.unit_of_class[id(class_plan)]
        mentor = class_plan.mentor
        assert mentor is not None
        # The assigned specialpedagog works with protected pupils (security.md P6).
        educator = unit.educators[0] if protected else self.rng.choice(unit.educators)
        kid = _Kid(
            pupil=self.pupils[pupil_id],
            unit=unit,
            class_plan=class_plan,
            grade=self.current[pupil_id].grade,
            floor=self.floor_of(pupil_id),
            protected=protected,
            mentor=mentor,
            educator=educator,
            guardians=[self.guardians[g] for g in self.custody.get(pupil_id, [])],
        )
        self.kids[pupil_id] = kid
        return kid

    # --- who does what -----------------------------------------------------------------------

    def teacher_for(
        self, kid: _Kid, category: wf.NeedCategory, day: date
    ) -> tuple[Group | None, User]:
        """The taught group and its teacher for a need; the mentor when there is none."""
        if kid.protected:
            return None, kid.educator
        groups = kid.class_plan.subject_groups
        if not groups:  # an adapted class is taught as one group by its own teacher
            return kid.class_plan.group, kid.mentor
        wanted = NEED_SUBJECT.get(category)
        candidates = [g for abbr, g in groups if wanted and abbr in wanted]
        if not candidates:
            mentor_groups = [g for _a, g in groups if self.teacher_of.get(g.id) == kid.mentor.id]
            candidates = mentor_groups if mentor_groups and self.chance(0.5) else []
            candidates = candidates or [g for _a, g in groups]
        group = self.rng.choice(candidates)
        teacher = self.users[self.teacher_of[group.id]]
        if not self.on_duty(teacher, kid.unit, day):
            return None, kid.mentor
        return group, teacher

    def staff_for_measure(
        self, kid: _Kid, category: wf.NeedCategory, setting: wf.MeasureSetting, day: date
    ) -> User:
        if kid.protected:
            return kid.educator
        unit = kid.unit
        choices: list[User]
        if setting in (
            wf.MeasureSetting.SPECIAL_TEACHING_GROUP,
            wf.MeasureSetting.INDIVIDUAL_TEACHING,
        ):
            choices = unit.special_teachers or [kid.educator]
        elif setting is wf.MeasureSetting.ADAPTED_STUDY_PATH:
            choices = [kid.mentor, kid.educator]
        elif category in (wf.NeedCategory.SOCIAL_INTERACTION, wf.NeedCategory.WELLBEING):
            choices = unit.counsellors or [kid.mentor]
        elif category in NEED_SUBJECT:
            choices = [self.teacher_for(kid, category, day)[1]]
        else:
            roll = self.rng.random()
            if roll < 0.45:
                choices = [kid.mentor]
            elif roll < 0.7 and unit.special_teachers:
                choices = unit.special_teachers
            else:
                choices = [self.teacher_for(kid, category, day)[1]]
        user = self.rng.choice(choices)
        return user if self.on_duty(user, unit, day) else kid.mentor

    def receiver(self, kid: _Kid, day: date) -> User:
        """The rektor, now and then a biträdande rektor (both lead the unit, SL 2 kap. 9 §)."""
        if not kid.protected and kid.unit.deputies and self.chance(0.2):
            deputy = kid.unit.deputies[0]
            if self.on_duty(deputy, kid.unit, day):
                return deputy
        return kid.unit.principal

    def reporter(self, kid: _Kid, day: date) -> User:
        if kid.protected:
            return kid.educator
        roll = self.rng.random()
        if roll < 0.6:
            return kid.mentor
        if roll < 0.85:
            return self.teacher_for(kid, self.pick(self.need_pick), day)[1]
        if roll < 0.95 or not kid.unit.counsellors:
            return kid.educator
        counsellor = kid.unit.counsellors[0]
        return counsellor if self.on_duty(counsellor, kid.unit, day) else kid.educator

    def needs(self, count: int, weights: tuple[list[Any], list[int]] | None = None) -> list[Any]:
        found: list[Any] = []
        while len(found) < count:
            category = self.pick(weights or self.need_pick)
            if category not in found:
                found.append(category)
        return found

    # --- concerns and adaptations ----------------------------------------------------------

    def concern(
        self,
        kid: _Kid,
        day: date,
        state: wf.ConcernState,
        source: wf.ConcernSource | None = None,
        category: wf.NeedCategory | None = None,
        author: User | None = None,
    ) -> Concern:
        rng = self.rng
        source = source or self.pick(self.source_pick)
        raised_by = RaisedBy.STAFF
        if source is wf.ConcernSource.PUPIL_OR_GUARDIAN:
            older = (kid.grade or 0) >= 4
            raised_by = RaisedBy.PUPIL if older and self.chance(0.3) else RaisedBy.GUARDIAN
        # Staff record what the family tells them when the family has no login of its own.
        author = author or (kid.educator if kid.protected else kid.mentor)
        subject = ""
        if category is not None and category in NEED_SUBJECT:
            subject = SUBJECT_NAMES[NEED_SUBJECT[category][0]]
        concern = self.row(
            Concern,
            day,
            pupil_id=kid.id,
            school_unit_id=kid.unit.id,
            created_by_id=author.id,
            source=source.value,
            raised_by_kind=raised_by.value,
            raised_on=day,
            subject=subject,
            description=rng.choice(CONCERN_TEXT[source]),
            state=state.value,
        )
        self.chain.concerns.append(concern)
        self.event(kid, author, "concern.created", "concern", concern.id, day)
        return concern

    def close_concern(self, kid: _Kid, concern: Concern, day: date) -> None:
        concern.state = wf.ConcernState.CLOSED.value
        concern.closed_reason = self.rng.choice(CLOSED_REASONS)
        self.touch(concern, day)
        author = self.users[concern.created_by_id]
        self.event(kid, author, "concern.closed", "concern", concern.id, day)

    def adaptation(
        self,
        kid: _Kid,
        start: date,
        *,
        end: date | None = None,
        end_step: wf.AdaptationNextStep = wf.AdaptationNextStep.END,
        overdue: bool = False,
        category: wf.NeedCategory | None = None,
        concern: Concern | None = None,
        staff: tuple[Group | None, User] | None = None,
        evaluate_on: date | None = None,
        interval: int | None = None,
    ) -> Adaptation:
        """An extra adaptation from `start`, evaluated every 5–8 weeks until `end` (ended there
        with `end_step`) or today (active; next evaluation due, or overdue when `overdue`)."""
        rng = self.rng
        category = category or self.pick(self.adaptation_need_pick)
        group, responsible = staff or self.teacher_for(kid, category, start)
        last = end or self.today
        interval = interval or rng.randint(35, 56)
        # The evaluations before the last day, each interval weeks after the one before.
        dates: list[date] = []
        planned = _day(start, interval)
        while True:
            held = _day(planned, rng.randint(-3, 5))
            if held <= (dates[-1] if dates else start):
                held = _day(dates[-1] if dates else start, 1)
            if held >= last or (end is None and held > self.today):
                break
            dates.append(held)
            planned = _day(held, interval)
        next_on = planned
        if end is None and overdue and dates and next_on >= self.today:
            next_on = dates.pop()  # the last evaluation was never held: it is overdue
        if evaluate_on is not None:
            next_on = evaluate_on
            dates = [d for d in dates if d < min(evaluate_on, self.today)]
        if end is not None:
            dates.append(end)
        subject = ""
        if group is not None and group.subject:
            subject = group.subject
        elif category in NEED_SUBJECT:
            subject = SUBJECT_NAMES[NEED_SUBJECT[category][0]]
        # A group of this academic year: only an adaptation running in it links to it.
        linked = group if group is not None and last >= self.b.current_spec.starts_on else None
        adaptation = self.row(
            Adaptation,
            start,
            pupil_id=kid.id,
            school_unit_id=kid.unit.id,
            created_by_id=responsible.id,
            concern_id=concern.id if concern is not None else None,
            group_id=linked.id if linked is not None else None,
            subject=subject,
            need_categories=[category.value],
            need_description=rng.choice(NEED_TEXT[category]),
            measure=rng.choice(ADAPTATION_TEXT[category]),
            responsible_id=responsible.id,
            starts_on=start,
            evaluate_on=next_on if end is None else (dates[-1] if dates else end),
            guardian_informed_on=(
                min(_day(start, rng.randint(0, 7)), self.today) if self.chance(0.85) else None
            ),
            state=(wf.AdaptationState.ACTIVE if end is None else wf.AdaptationState.ENDED).value,
            ended_on=end,
            version=1,
        )
        self.chain.adaptations.append(adaptation)
        self.event(kid, responsible, "adaptation.created", "adaptation", adaptation.id, start)
        for number, day in enumerate(dates):
            final = end is not None and number == len(dates) - 1
            step: wf.AdaptationNextStep
            following: date | None
            if final and end_step is wf.AdaptationNextStep.REFER:
                effect = rng.choice(
                    (
                        wf.AdaptationEffect.NOT_SUFFICIENT,
                        wf.AdaptationEffect.NOT_SUFFICIENT,
                        wf.AdaptationEffect.PARTLY,
                    )
                )
                step, following = end_step, None
            elif final:
                effect = (
                    wf.AdaptationEffect.SUFFICIENT
                    if self.chance(0.85)
                    else wf.AdaptationEffect.PARTLY
                )
                step, following = wf.AdaptationNextStep.END, None
            else:
                if self.chance(0.7):
                    effect = (
                        wf.AdaptationEffect.PARTLY
                        if self.chance(0.6)
                        else wf.AdaptationEffect.SUFFICIENT
                    )
                    step = wf.AdaptationNextStep.CONTINUE
                else:
                    effect = (
                        wf.AdaptationEffect.NOT_SUFFICIENT
                        if self.chance(0.5)
                        else wf.AdaptationEffect.PARTLY
                    )
                    step = wf.AdaptationNextStep.CHANGE
                    adaptation.version += 1
                following = dates[number + 1] if number + 1 < len(dates) else next_on
            evaluator = responsible if self.chance(0.8) or kid.protected else kid.mentor
            self.chain.evaluations.append(
                self.row(
                    AdaptationEvaluation,
                    day,
                    adaptation_id=adaptation.id,
                    evaluated_on=day,
                    evaluated_by_id=evaluator.id,
                    effect=effect.value,
                    pupil_view=(
                        rng.choice(
                            (
                                "Det är lättare att komma igång nu.",
                                "Jag tycker att det hjälper ibland.",
                                "Jag vill inte sitta själv.",
                                "Bra, men det går fortfarande för fort.",
                            )
                        )
                        if self.chance(0.6)
                        else ""
                    ),
                    comment=_EVALUATION_COMMENT[effect],
                    next_step=step.value,
                    next_evaluation_on=following,
                )
            )
            self.event(kid, evaluator, "adaptation.evaluated", "adaptation", adaptation.id, day)
            self.touch(adaptation, day)
        if end is None:
            self.active_adaptations += 1
        return adaptation

    def active_adaptation(self, kid: _Kid, earliest: date, concern_share: float = 0.0) -> None:
        """One running adaptation started on or after `earliest` (and the pupil's floor)."""
        earliest = self.clamp(kid, earliest)
        room = (self.today - earliest).days
        start = _day(earliest, self.rng.randint(0, max(0, room - 1)) if room > 0 else 0)
        category = self.pick(self.adaptation_need_pick)
        concern = None
        if concern_share and self.chance(concern_share):
            concern = self.concern(
                kid,
                self.clamp(kid, _day(start, -self.rng.randint(2, 14))),
                wf.ConcernState.ADAPTATIONS,
                category=category,
            )
        self.adaptation(
            kid, start, category=category, concern=concern, overdue=self.chance(OVERDUE_SHARE)
        )

    # --- referral and investigation ----------------------------------------------------------

    def pre_referral(
        self, kid: _Kid, reported: date, ground: wf.ReferralGround
    ) -> tuple[wf.ReferralGround, Concern | None, list[Adaptation]]:
        """What came before a report: a concern and, for "despite adaptations", the adaptations
        tried, whose last evaluation referred the pupil to the rektor."""
        rng = self.rng
        room = (reported - kid.floor).days
        if ground is wf.ReferralGround.DESPITE_ADAPTATIONS and room < 45:
            ground = wf.ReferralGround.OTHER_DIFFICULTIES
        source = None
        if ground is wf.ReferralGround.ABSENCE_INVESTIGATION:
            source = wf.ConcernSource.ABSENCE
        if ground is not wf.ReferralGround.DESPITE_ADAPTATIONS:
            concern = None
            if self.chance(0.8):
                day = self.clamp(kid, _day(reported, -rng.randint(1, 20)))
                concern = self.concern(kid, day, wf.ConcernState.REFERRED, source=source)
            return ground, concern, []
        tried: list[Adaptation] = []
        categories = self.needs(2 if self.chance(0.3) else 1)
        evaluations = max(1, min(3, (room - 10) // 45, rng.randint(1, 3)))
        interval = rng.randint(35, 50)
        refer_on = _day(reported, -rng.randint(0, 3))
        start = max(kid.floor, _day(refer_on, -(evaluations * interval) - rng.randint(0, 5)))
        concern = None
        if self.chance(0.75):
            day = self.clamp(kid, _day(start, -rng.randint(2, 10)))
            concern = self.concern(
                kid, day, wf.ConcernState.REFERRED, source=source, category=categories[0]
            )
        for category in categories:
            tried.append(
                self.adaptation(
                    kid,
                    start,
                    end=max(refer_on, _day(start, 1)),
                    end_step=wf.AdaptationNextStep.REFER,
                    category=category,
                    concern=concern,
                    interval=interval,
                )
            )
        return ground, concern, tried

    def referral(
        self,
        kid: _Kid,
        reported: date,
        *,
        ground: wf.ReferralGround | None = None,
        reporter: User | None = None,
        received: date | None = None,
    ) -> Referral:
        ground, concern, tried = self.pre_referral(
            kid, reported, ground or self.pick(self.ground_pick)
        )
        reporter = reporter or self.reporter(kid, reported)
        referral = self.row(
            Referral,
            reported,
            pupil_id=kid.id,
            school_unit_id=kid.unit.id,
            created_by_id=reporter.id,
            concern_id=concern.id if concern is not None else None,
            reported_on=reported,
            reporter_role=self.title(reporter, kid.unit),
            ground=ground.value,
            description=REFERRAL_TEXT[ground],
            results=(
                "Resultaten på diagnoser och prov under terminen ligger under kravnivån."
                if self.chance(0.5)
                else ""
            ),
            guardian_informed=self.chance(0.85),
            pupil_informed=self.chance(0.7),
            received_at=None,
            received_by_id=None,
            state=wf.CaseState.REPORTED.value,
            version=1,
        )
        self.chain.referrals.append(referral)
        through = Referral.adaptations.through
        for adaptation in tried:
            self.chain.referral_adaptations.append(
                through(referral_id=referral.id, adaptation_id=adaptation.id)
            )
        referral._tried = tried  # type: ignore[attr-defined]
        self.event(kid, reporter, "referral.created", "referral", referral.id, reported)
        if received is not None:
            receiver = self.receiver(kid, received)
            referral.received_at = self.moment(received)
            referral.received_by_id = receiver.id
            referral.state = wf.CaseState.RECEIVED.value
            self.touch(referral, received)
            self.event(kid, receiver, "referral.received", "referral", referral.id, received)
        return referral

    def investigation(
        self,
        kid: _Kid,
        referral: Referral,
        opened: date,
        *,
        mapped: date | None = None,
        assessed: date | None = None,
        needed: bool | None = None,
        target: date | None = None,
        investigators: list[User] | None = None,
        need_count: int | None = None,
    ) -> tuple[Investigation, list[InvestigationNeed]]:
        rng = self.rng
        if investigators is None:
            investigators = [kid.educator] if kid.protected else [kid.educator, kid.mentor]
            special = kid.unit.special_teachers
            if (
                not kid.protected
                and special
                and self.chance(0.2)
                and self.on_duty(special[0], kid.unit, opened)
            ):
                investigators.append(special[0])
        opener = kid.unit.principal
        writer = investigators[0]
        tried = getattr(referral, "_tried", [])
        investigation = self.row(
            Investigation,
            opened,
            pupil_id=kid.id,
            school_unit_id=kid.unit.id,
            created_by_id=opener.id,
            referral_id=referral.id,
            opened_on=opened,
            target_on=target or _day(opened, rng.randint(28, 49)),
            adaptations_effect="\n".join(f"• {a.measure}" for a in tried),
            version=1,
            updated_by_id=opener.id,
        )
        self.chain.investigations.append(investigation)
        through = Investigation.investigators.through
        for user in dict.fromkeys(investigators):
            self.chain.investigators.append(
                through(investigation_id=investigation.id, user_id=user.id)
            )
        referral.state = wf.CaseState.INVESTIGATING.value
        self.touch(referral, opened)
        self.event(kid, opener, "investigation.opened", "investigation", investigation.id, opened)
        found: list[InvestigationNeed] = []
        if mapped is not None:
            values = investigation.__dict__
            values["individual_level"] = (
                "Eleven beskriver själv vad som är svårt; observationer under lektioner visar "
                "var i arbetet eleven fastnar."
            )
            values["group_level"] = (
                "Klassen är stor och arbetar mycket självständigt; eleven får lite stöd i "
                "övergångar."
            )
            values["school_level"] = "Skolans stöd under raster och i matsalen har setts över."
            values["results"] = "Diagnoser och bedömningsstöd från terminen är sammanställda."
            values["pupil_view"] = (
                "Eleven vill ha mer hjälp i början av lektionerna." if self.chance(0.9) else ""
            )
            values["guardian_view"] = (
                "Vårdnadshavarna ser att eleven är trött efter skoldagen och vill ha tätare "
                "kontakt."
                if self.chance(0.85)
                else ""
            )
            if self.chance(0.8):
                values["eht_consulted"] = True
                values["eht_consultation"] = (
                    "Samråd i elevhälsoteamet: skolsköterska och kurator ser inga hinder för "
                    "skolarbetet utanför det pedagogiska."
                )
            else:
                values["eht_skip_reason"] = (
                    "Svårigheterna gäller enbart ett ämne och elevhälsan har nyligen träffat "
                    "eleven; samråd bedöms uppenbart obehövligt."
                )
            values["version"] = 2 + rng.randint(0, 2)
            values["updated_by_id"] = writer.id
            self.touch(investigation, mapped)
            self.event(
                kid, writer, "investigation.saved", "investigation", investigation.id, mapped
            )
        if assessed is not None:
            values = investigation.__dict__
            values["assessed_on"] = assessed
            values["special_support_needed"] = needed
            values["version"] += 1
            if needed:
                values["cause_analysis"] = (
                    "Svårigheterna hänger samman med att eleven inte har fått tillräckligt stöd "
                    "i att komma igång och att följa genomgångar; anpassningarna har inte räckt."
                )
                values["proposed_measures"] = (
                    "Särskilt stöd i form av riktade insatser i de ämnen och situationer där "
                    "behoven finns, i första hand inom elevens egen grupp."
                )
                for position, category in enumerate(
                    self.needs(need_count or rng.choice((1, 2, 2, 3)))
                ):
                    need = self.row(
                        InvestigationNeed,
                        assessed,
                        investigation_id=investigation.id,
                        category=category.value,
                        description=rng.choice(NEED_TEXT[category]),
                        position=position,
                    )
                    found.append(need)
                self.chain.investigation_needs.extend(found)
            else:
                values["cause_analysis"] = (
                    "Eleven utvecklas i riktning mot kriterierna med de extra anpassningar som "
                    "ges; svårigheterna är avgränsade och kan mötas i ordinarie undervisning."
                )
            self.touch(investigation, assessed)
            self.event(
                kid, writer, "investigation.assessed", "investigation", investigation.id, assessed
            )
        return investigation, found

    # --- programmes and decisions -------------------------------------------------------------

    def programme(
        self,
        kid: _Kid,
        referral: Referral,
        investigation: Investigation,
        drafted: date,
        needs: list[InvestigationNeed],
        *,
        previous: ActionProgramme | None = None,
        reserved: wf.MeasureSetting | None = None,
        reason: str = "",
        follow_up_by: User | None = None,
        evaluation_by: User | None = None,
        measure_staff: dict[wf.NeedCategory, User] | None = None,
    ) -> ActionProgramme:
        """A draft (with needs and measures); `decide_programme` puts it in force."""
        rng = self.rng
        author = kid.educator
        if follow_up_by is None:
            follow_up_by = kid.educator if kid.protected else kid.mentor
        if evaluation_by is None:
            evaluation_by = (
                kid.educator if kid.protected or self.chance(0.8) else kid.unit.principal
            )
        programme = self.row(
            ActionProgramme,
            drafted,
            pupil_id=kid.id,
            school_unit_id=kid.unit.id,
            created_by_id=author.id,
            referral_id=referral.id,
            investigation_id=investigation.id,
            number=previous.number + 1 if previous is not None else 1,
            previous_id=previous.id if previous is not None else None,
            state=wf.ProgrammeState.DRAFT.value,
            revision_reason=reason,
            pupil_participation_offered=True,
            pupil_view=(
                "Jag vill få hjälp utan att behöva gå ifrån klassen för ofta."
                if self.chance(0.85)
                else ""
            ),
            guardian_participation_offered=True,
            guardian_view=(
                "Vi vill veta hur det går och få återkoppling varannan vecka."
                if self.chance(0.85)
                else ""
            ),
            follow_up_on=None,
            follow_up_responsible_id=follow_up_by.id,
            evaluation_on=None,
            evaluation_responsible_id=evaluation_by.id,
            valid_until=None,
            in_force_from=None,
            version=2 + rng.randint(0, 3),
            updated_by_id=author.id,
        )
        self.chain.programmes.append(programme)
        verb = "programme.revision_started" if previous is not None else "programme.drafted"
        self.event(kid, author, verb, "action_programme", programme.id, drafted)
        rows: list[ProgrammeNeed] = []
        categories = []
        for position, source in enumerate(needs):
            category = wf.NeedCategory(source.category)
            categories.append(category)
            rows.append(
                self.row(
                    ProgrammeNeed,
                    drafted,
                    programme_id=programme.id,
                    source_id=source.id,
                    category=category.value,
                    description=source.description,
                    position=position,
                )
            )
        self.chain.programme_needs.extend(rows)
        measures: list[ProgrammeMeasure] = []
        for need, category in zip(rows, categories, strict=True):
            options = PROGRAMME_MEASURES[category]
            for description, extent in rng.sample(
                options, 2 if len(options) > 1 and self.chance(0.3) else 1
            ):
                measures.append(
                    self.measure(
                        kid,
                        programme,
                        need,
                        category,
                        drafted,
                        description,
                        extent,
                        wf.MeasureSetting.OWN_GROUP,
                        len(measures),
                        measure_staff,
                    )
                )
        if reserved is not None:
            description, extent, location, reasons = RESERVED_MEASURES[reserved]
            measure = self.measure(
                kid,
                programme,
                rows[0],
                categories[0],
                drafted,
                description,
                extent,
                reserved,
                len(measures),
                measure_staff,
            )
            measure.special_reasons = reasons
            measure.location = location
            measure.return_plan = (
                "Återgången till ordinarie undervisning prövas vid varje utvärdering."
                if reserved is not wf.MeasureSetting.ADAPTED_STUDY_PATH
                else ""
            )
            if reserved is wf.MeasureSetting.ADAPTED_STUDY_PATH:
                measure.deviations = (
                    "Eleven läser inte moderna språk; tiden används till svenska och matematik."
                )
            measures.append(measure)
        self.chain.measures.extend(measures)
        programme._needs = rows  # type: ignore[attr-defined]
        programme._measures = measures  # type: ignore[attr-defined]
        return programme

    def measure(
        self,
        kid: _Kid,
        programme: ActionProgramme,
        need: ProgrammeNeed,
        category: wf.NeedCategory,
        day: date,
        description: str,
        extent: str,
        setting: wf.MeasureSetting,
        position: int,
        staff: dict[wf.NeedCategory, User] | None,
    ) -> ProgrammeMeasure:
        responsible = (staff or {}).get(category) or self.staff_for_measure(
            kid, category, setting, day
        )
        return self.row(
            ProgrammeMeasure,
            day,
            programme_id=programme.id,
            need_id=need.id,
            description=description,
            responsible_id=responsible.id,
            extent=extent,
            setting=setting.value,
            special_reasons="",
            location="",
            deviations="",
            return_plan="",
            starts_on=None,
            ends_on=None,
            position=position,
        )

    def copy_programme(
        self, kid: _Kid, previous: ActionProgramme, drafted: date, reason: str
    ) -> ActionProgramme:
        """A revision: a new draft copied from the programme in force, then changed a little."""
        rng = self.rng
        programme = self.row(
            ActionProgramme,
            drafted,
            **{
                name: value
                for name, value in previous.__dict__.items()
                if name not in ("id", "created_at", "updated_at", "_state")
                and not name.startswith("_")
            },
        )
        author = self.users[_known(previous.evaluation_responsible_id)]
        programme.__dict__.update(
            created_by_id=author.id,
            number=previous.number + 1,
            previous_id=previous.id,
            state=wf.ProgrammeState.DRAFT.value,
            revision_reason=reason,
            in_force_from=None,
            version=2 + rng.randint(0, 2),
            updated_by_id=author.id,
        )
        self.chain.programmes.append(programme)
        self.event(
            kid, author, "programme.revision_started", "action_programme", programme.id, drafted
        )
        needs: dict[uuid.UUID, ProgrammeNeed] = {}
        for need in previous._needs:  # type: ignore[attr-defined]
            needs[need.id] = self.row(
                ProgrammeNeed,
                drafted,
                programme_id=programme.id,
                source_id=need.source_id,
                category=need.category,
                description=need.description,
                position=need.position,
            )
        measures = []
        for measure in previous._measures:  # type: ignore[attr-defined]
            values = {
                name: value
                for name, value in measure.__dict__.items()
                if name not in ("id", "created_at", "updated_at", "_state")
            }
            values.update(programme_id=programme.id, need_id=needs[measure.need_id].id)
            copy = self.row(ProgrammeMeasure, drafted, **values)
            measures.append(copy)
        # The revision adds a measure to the need that has moved least.
        need = rng.choice(list(needs.values()))
        category = wf.NeedCategory(need.category)
        description, extent = rng.choice(PROGRAMME_MEASURES[category])
        measures.append(
            self.measure(
                kid,
                programme,
                need,
                category,
                drafted,
                "Utökat stöd: " + description.lower(),
                extent,
                wf.MeasureSetting.OWN_GROUP,
                len(measures),
                None,
            )
        )
        self.chain.programme_needs.extend(needs.values())
        self.chain.measures.extend(measures)
        programme._needs = list(needs.values())  # type: ignore[attr-defined]
        programme._measures = measures  # type: ignore[attr-defined]
        return programme

    def decide(
        self,
        kid: _Kid,
        referral: Referral,
        kind: wf.DecisionKind,
        day: date,
        *,
        investigation: Investigation | None = None,
        programme: ActionProgramme | None = None,
        reasons: str,
        instead: str = "",
        delegate: bool = False,
        served: str = "auto",
    ) -> _Served:
        """A decision by the rektor (or the delegate), served on its recipients."""
        unit = kid.unit
        decider, delegation, title = unit.principal, None, self.principal_title
        if (
            delegate
            and unit.delegation is not None
            and unit.delegation.valid_from <= day <= unit.delegation.valid_until
        ):
            delegation = unit.delegation
            decider = self.users[delegation.delegate_id]
            title = self.title(decider, unit)
        decision = self.row(
            Decision,
            day,
            pupil_id=kid.id,
            school_unit_id=unit.id,
            created_by_id=decider.id,
            referral_id=referral.id,
            kind=kind.value,
            investigation_id=investigation.id if investigation is not None else None,
            programme_id=programme.id if programme is not None else None,
            decided_on=day,
            decided_by_id=decider.id,
            decided_by_name=self.name(decider),
            decided_by_title=title,
            delegation_id=delegation.id if delegation is not None else None,
            statement_of_reasons=reasons,
            instead=instead,
            appeal_instructions=self.appeal_text,
        )
        self.chain.decisions.append(decision)
        self.event(kid, decider, "decision.made", "decision", decision.id, day)
        return _Served(decision, self.serve(kid, decision, day, served))

    def serve(self, kid: _Kid, decision: Decision, day: date, mode: str) -> list[DecisionService]:
        """One service row per recipient. `mode`: "auto" (by the decision's age), "received"
        (everyone has it), "none" (nothing recorded yet)."""
        rng = self.rng
        recipients: list[tuple[RecipientKind, Guardian | None, str]] = [
            (RecipientKind.GUARDIAN, guardian, guardian.full_name) for guardian in kid.guardians
        ]
        # The pupil too, whatever their age, as services._create_service_rows does: from 16 they
        # may appeal alone (SL 29 kap. 12 §), and younger pupils are informed.
        recipients.append((RecipientKind.PUPIL, None, kid.pupil.full_name))
        recent = (self.today - day).days <= 10
        rows = []
        for kind, guardian, name in recipients:
            state = "received"
            if mode == "none":
                state = "unsent"
            elif mode == "auto" and recent:
                state = rng.choice(("unsent", "sent", "received", "received"))
            elif mode == "auto" and self.chance(0.03):
                state = "sent"
            sent = method = received = deadline = recorder = None
            if state != "unsent":
                method = rng.choices(
                    (ServiceMethod.DIGITAL, ServiceMethod.LETTER, ServiceMethod.IN_PERSON),
                    (45, 30, 20),
                )[0]
                sent = min(_day(day, rng.randint(0, 3)), self.today)
                lag = {
                    ServiceMethod.DIGITAL: rng.randint(0, 2),
                    ServiceMethod.LETTER: rng.randint(2, 4),
                    ServiceMethod.IN_PERSON: 0,
                }[method]
                received = _day(sent, lag)
                if mode == "received":
                    received = min(received, self.today)
                if state == "sent" or received > self.today:
                    received = None
                if received is not None:
                    deadline = wf.appeal_deadline(received, days_off_around(received))
                recorder = self.server(kid, decision)
            row = self.row(
                DecisionService,
                sent or day,
                decision_id=decision.id,
                recipient_kind=kind.value,
                guardian_id=guardian.id if guardian is not None else None,
                recipient_name=name,
                sent_on=sent,
                method=method.value if method else "",
                received_on=received,
                appeal_deadline=deadline,
                recorded_by_id=recorder.id if recorder else None,
            )
            rows.append(row)
            if recorder is not None and sent is not None:
                self.event(
                    kid, recorder, "decision.served", "decision", decision.id, received or sent
                )
        self.chain.services.extend(rows)
        return rows

    def server(self, kid: _Kid, decision: Decision) -> User:
        if kid.protected:
            return kid.unit.principal
        roll = self.rng.random()
        return kid.mentor if roll < 0.5 else kid.educator if roll < 0.75 else kid.unit.principal

    def put_in_force(
        self,
        kid: _Kid,
        programme: ActionProgramme,
        referral: Referral,
        day: date,
        investigation: Investigation | None,
        served: str = "auto",
    ) -> _Served:
        settings = sorted(
            {
                self.setting_labels[wf.MeasureSetting(m.setting)].split(" (")[0].lower()
                for m in programme._measures  # type: ignore[attr-defined]
                if m.setting != wf.MeasureSetting.OWN_GROUP.value
            }
        )
        areas = ", ".join(
            self.need_labels[wf.NeedCategory(n.category)].lower()
            for n in programme._needs  # type: ignore[attr-defined]
        )
        if programme.previous_id is None:
            reasons = (
                f"Utredningen visar att eleven är i behov av särskilt stöd ({areas}). "
                "Åtgärdsprogrammet anger hur behoven ska tillgodoses, vem som ansvarar och när "
                "stödet följs upp och utvärderas."
            )
        else:
            reasons = (
                f"Utvärderingen visar att stödet behöver förändras ({areas}). Programmet "
                "revideras med utökade åtgärder; det tidigare programmet upphör att gälla."
            )
        if settings:
            reasons += (
                f" Stödet ges delvis som {' och '.join(settings)} eftersom det finns särskilda "
                "skäl som anges i programmet."
            )
        for measure in programme._measures:  # type: ignore[attr-defined]
            measure.starts_on = day
            if measure.setting == wf.MeasureSetting.DISTANCE_TEACHING.value:
                measure.ends_on = wf.term_end(day)  # at most one term (SL 3 kap. 11 a §)
            elif measure.setting in (
                wf.MeasureSetting.SPECIAL_TEACHING_GROUP.value,
                wf.MeasureSetting.INDIVIDUAL_TEACHING.value,
            ):
                measure.ends_on = wf.term_end(day)
        served_decision = self.decide(
            kid,
            referral,
            wf.DecisionKind.ACTION_PROGRAMME,
            day,
            investigation=investigation,
            programme=programme,
            reasons=reasons,
            served=served,
        )
        programme.state = wf.ProgrammeState.IN_FORCE.value
        programme.in_force_from = day
        self.touch(programme, day)
        if investigation is not None:
            investigation.closed_on = day
            self.touch(investigation, day)
        referral.state = wf.CaseState.PROGRAMME_ACTIVE.value
        self.touch(referral, day)
        return served_decision

    # --- follow-up ---------------------------------------------------------------------------

    def schedule(
        self, start: date, until: date, *, overdue: bool
    ) -> tuple[list[_Session], date, date]:
        """Follow-ups every 5–8 weeks and an evaluation every 3½–6 months, from `start` while
        held on or before `until`. Returns the sessions held and the next planned dates."""
        rng = self.rng
        interval = rng.randint(35, 56)
        gap = rng.randint(100, 170)
        follow_up = _day(start, interval)
        evaluation = _day(start, gap)
        sessions: list[_Session] = []
        last = start
        while True:
            kind = (
                wf.FollowUpKind.EVALUATION if evaluation <= follow_up else wf.FollowUpKind.FOLLOW_UP
            )
            planned = evaluation if kind is wf.FollowUpKind.EVALUATION else follow_up
            held = max(_day(planned, rng.randint(-3, 6)), _day(last, 1))
            if held > until:
                break
            if kind is wf.FollowUpKind.EVALUATION:
                evaluation = _day(held, rng.randint(100, 170))
                if follow_up <= _day(held, 14):
                    follow_up = _day(held, interval)
                next_on = evaluation
            else:
                follow_up = _day(held, interval)
                next_on = follow_up
            sessions.append(_Session(kind, planned, held, next_on))
            last = held
        if overdue and sessions and sessions[-1].planned < self.today:
            missed = sessions.pop()  # never held: now overdue
            if missed.kind is wf.FollowUpKind.EVALUATION:
                evaluation = missed.planned
            else:
                follow_up = missed.planned
        return sessions, follow_up, evaluation

    def follow_ups(
        self,
        kid: _Kid,
        programme: ActionProgramme,
        sessions: list[_Session],
        final: wf.FollowUpOutcome = wf.FollowUpOutcome.CONTINUE,
    ) -> list[FollowUp]:
        """The sessions as rows; the last gets `final` (revise or close end the programme)."""
        rng = self.rng
        rows = []
        measures = programme._measures  # type: ignore[attr-defined]
        for number, session in enumerate(sessions):
            outcome = final if number == len(sessions) - 1 else wf.FollowUpOutcome.CONTINUE
            by = (
                programme.evaluation_responsible_id
                if session.kind is wf.FollowUpKind.EVALUATION
                else programme.follow_up_responsible_id
            )
            actor = self.users[_known(by)]
            summary = {
                wf.FollowUpOutcome.CONTINUE: "Åtgärderna genomförs och eleven utvecklas; "
                "programmet fortsätter.",
                wf.FollowUpOutcome.REVISE: "Åtgärderna räcker inte för alla behov; programmet "
                "behöver revideras med utökat stöd.",
                wf.FollowUpOutcome.CLOSE: "Behoven är tillgodosedda; programmet kan avslutas.",
            }[outcome]
            follow_up = self.row(
                FollowUp,
                session.held,
                pupil_id=kid.id,
                school_unit_id=kid.unit.id,
                created_by_id=actor.id,
                programme_id=programme.id,
                kind=session.kind.value,
                planned_on=session.planned,
                held_on=session.held,
                participants=rng.choice(FOLLOW_UP_PARTICIPANTS),
                pupil_invited=self.chance(0.9),
                guardian_invited=self.chance(0.95),
                pupil_view=(
                    "Det känns bättre nu, men jag behöver fortfarande hjälp."
                    if self.chance(0.8)
                    else ""
                ),
                guardian_view=("Vi ser framsteg hemma också." if self.chance(0.75) else ""),
                summary=summary,
                outcome=outcome.value,
                next_on=session.next_on if outcome is wf.FollowUpOutcome.CONTINUE else None,
            )
            rows.append(follow_up)
            self.event(
                kid,
                actor,
                f"{session.kind.value}.recorded",
                "follow_up",
                follow_up.id,
                session.held,
            )
            for measure in measures:
                self.chain.reviews.append(
                    self.row(
                        MeasureReview,
                        session.held,
                        follow_up_id=follow_up.id,
                        measure_id=measure.id,
                        carried_out=rng.choices(
                            ("yes", "partly", "no"),
                            (85, 13, 2) if outcome is wf.FollowUpOutcome.CLOSE else (70, 22, 8),
                        )[0],
                        effect=rng.choices(
                            ("need_met", "clear_progress", "some_progress", "no_progress"),
                            _REVIEW_EFFECTS[outcome],
                        )[0],
                        comment="",
                    )
                )
        self.chain.follow_ups.extend(rows)
        return rows

    def run_programme(
        self, kid: _Kid, programme: ActionProgramme, start: date, *, overdue: bool
    ) -> list[FollowUp]:
        """Follow up a programme in force from `start` until today."""
        sessions, follow_up, evaluation = self.schedule(start, self.today, overdue=overdue)
        programme.follow_up_on = follow_up
        programme.evaluation_on = evaluation
        return self.follow_ups(kid, programme, sessions)

    def end_programme(
        self,
        kid: _Kid,
        programme: ActionProgramme,
        start: date,
        ends: date,
        outcome: wf.FollowUpOutcome,
    ) -> list[FollowUp]:
        """Follow up from `start`, then evaluate on `ends` with `outcome` (revise or close)."""
        sessions, follow_up, evaluation = self.schedule(start, _day(ends, -7), overdue=False)
        planned = evaluation if evaluation <= ends else ends
        sessions.append(_Session(wf.FollowUpKind.EVALUATION, planned, ends, None))
        programme.follow_up_on = follow_up
        programme.evaluation_on = planned
        return self.follow_ups(kid, programme, sessions, outcome)

    # --- appeals -----------------------------------------------------------------------------

    def appeal(
        self,
        kid: _Kid,
        served: _Served,
        state: wf.AppealState,
        *,
        lodged: date | None = None,
        outcome_on: date | None = None,
    ) -> Appeal:
        rng = self.rng
        decision = served.decision
        received = [s for s in served.services if s.received_on is not None]
        service = received[0] if received else served.services[0]
        deadline = service.appeal_deadline
        base = service.received_on or decision.decided_on
        if lodged is None:
            if state is wf.AppealState.DISMISSED_LATE and deadline is not None:
                lodged = _day(deadline, rng.randint(1, 12))
            else:
                latest = min(deadline or _day(base, 21), self.today)
                lodged = _day(base, rng.randint(1, max(1, (latest - base).days)))
        lodged = min(lodged, self.today)
        principal = kid.unit.principal
        appeal = self.row(
            Appeal,
            lodged,
            pupil_id=kid.id,
            school_unit_id=kid.unit.id,
            created_by_id=principal.id,
            decision_id=decision.id,
            service_id=service.id,
            appellant_name=service.recipient_name,
            lodged_on=lodged,
            deadline=deadline,
            is_timely=wf.appeal_is_timely(lodged, deadline),
            content=APPELLANT_TEXT.format(name=kid.pupil.first_name),
            state=wf.AppealState.REGISTERED.value,
            handling_note="",
            forwarded_on=None,
            outcome_on=None,
        )
        self.chain.appeals.append(appeal)
        self.event(kid, principal, "appeal.registered", "appeal", appeal.id, lodged)
        steps: list[tuple[wf.AppealAction, date, str]] = []
        if state is wf.AppealState.DISMISSED_LATE:
            steps.append(
                (
                    wf.AppealAction.DISMISS_AS_LATE,
                    min(_day(lodged, rng.randint(1, 7)), self.today),
                    "Överklagandet kom in efter sista dag och avvisas.",
                )
            )
        elif state is wf.AppealState.CHANGED_ON_RECONSIDERATION:
            steps.append(
                (
                    wf.AppealAction.RECONSIDER_AND_CHANGE,
                    outcome_on or lodged,
                    "Beslutet ändras vid omprövning; ett reviderat åtgärdsprogram har beslutats.",
                )
            )
        elif state is not wf.AppealState.REGISTERED:
            forwarded = min(_day(lodged, rng.randint(2, 10)), self.today)
            steps.append(
                (
                    wf.AppealAction.FORWARD,
                    forwarded,
                    "Beslutet ändras inte vid omprövning; överlämnat till Skolväsendets "
                    "överklagandenämnd.",
                )
            )
            board = {
                wf.AppealState.BOARD_UPHELD: (
                    wf.AppealAction.RECORD_BOARD_UPHELD,
                    "Nämnden har avslagit överklagandet.",
                ),
                wf.AppealState.BOARD_SET_ASIDE: (
                    wf.AppealAction.RECORD_BOARD_SET_ASIDE,
                    "Nämnden har upphävt beslutet; rektorn ska fatta ett nytt beslut.",
                ),
                wf.AppealState.BOARD_RETURNED: (
                    wf.AppealAction.RECORD_BOARD_RETURNED,
                    "Nämnden har visat ärendet åter till rektorn för ny handläggning.",
                ),
            }.get(state)
            if board is not None:
                decided = outcome_on or min(_day(forwarded, rng.randint(40, 110)), self.today)
                steps.append((board[0], max(decided, forwarded), board[1]))
        notes = []
        for action, day, note in steps:
            notes.append(note)
            if action is wf.AppealAction.FORWARD:
                appeal.forwarded_on = day
            else:
                appeal.outcome_on = day
            target = wf.appeal_transition(wf.AppealState(appeal.state), action)
            assert not isinstance(target, wf.Refused)
            appeal.state = target.value
            self.touch(appeal, day)
            self.event(kid, principal, f"appeal.{action.value}", "appeal", appeal.id, day)
        appeal.handling_note = "\n".join(notes)
        return appeal

    # --- whole cases -------------------------------------------------------------------------

    def reserved_setting(self, kid: _Kid, *, cover: bool = False) -> wf.MeasureSetting | None:
        """A setting outside the pupil's own group for about RESERVED_PROGRAMME_SHARE of the
        programmes. With `cover`, a setting no programme has yet comes first, so that every
        setting is shown at every tier (the small tier has only a few dozen programmes)."""
        grade = kid.grade or 0
        if cover:
            missing = [
                setting
                for setting in RESERVED_WEIGHTS
                if setting not in self.settings_used
                and (setting is not wf.MeasureSetting.DISTANCE_TEACHING or grade >= 7)
                and (setting is not wf.MeasureSetting.ADAPTED_STUDY_PATH or grade >= 4)
            ]
            if missing:
                self.settings_used.add(missing[0])
                return missing[0]
        if not self.chance(RESERVED_PROGRAMME_SHARE):
            return None
        setting = self.pick(self.reserved_pick)
        if setting is wf.MeasureSetting.DISTANCE_TEACHING and grade < 7:
            setting = wf.MeasureSetting.INDIVIDUAL_TEACHING
        if setting is wf.MeasureSetting.ADAPTED_STUDY_PATH and grade < 4:
            setting = wf.MeasureSetting.SPECIAL_TEACHING_GROUP
        self.settings_used.add(setting)
        return setting

    def open_case(
        self, kid: _Kid, decided: date, *, needed: bool
    ) -> tuple[Referral, Investigation, list[InvestigationNeed], date]:
        """Report, receipt, investigation and assessment, ending in a decision on `decided`.
        Returns the pieces and the day of the assessment."""
        rng = self.rng
        gaps = [rng.randint(0, 4), rng.randint(1, 9), rng.randint(20, 45), rng.randint(3, 18)]
        reported, received, opened, assessed, decided = self.backwards(kid, decided, gaps)
        referral = self.referral(kid, reported, received=received)
        mapped = _day(opened, (assessed - opened).days // 2)
        investigation, needs = self.investigation(
            kid, referral, opened, mapped=mapped, assessed=assessed, needed=needed
        )
        return referral, investigation, needs, decided

    def case_programme(
        self,
        kid: _Kid,
        decided: date,
        *,
        served: str = "auto",
        follow_up_by: User | None = None,
        evaluation_by: User | None = None,
        measure_staff: dict[wf.NeedCategory, User] | None = None,
        cover: bool = False,
    ) -> tuple[Referral, Investigation, ActionProgramme, _Served]:
        referral, investigation, needs, decided = self.open_case(kid, decided, needed=True)
        assessed = _known(investigation.assessed_on)
        programme = self.programme(
            kid,
            referral,
            investigation,
            assessed,
            needs,
            reserved=self.reserved_setting(kid, cover=cover),
            follow_up_by=follow_up_by,
            evaluation_by=evaluation_by,
            measure_staff=measure_staff,
        )
        served_decision = self.put_in_force(
            kid, programme, referral, decided, investigation, served=served
        )
        if self.chance(0.35):  # extra adaptations often continue alongside special support
            self.active_adaptation(kid, decided)
        return referral, investigation, programme, served_decision

    def dwell(self, kid: _Kid, low: int, high: int, pre: int = 60) -> date:
        """A day `low`–`high` days back, leaving `pre` days of history before it if possible."""
        room = max(0, (self.today - kid.floor).days - pre)
        days = self.rng.randint(min(low, room), max(min(low, room), min(high, room)))
        return _day(self.today, -days)

    def programme_age(self, kid: _Kid) -> date:
        """When an active programme was decided: a third within six months, the rest older."""
        roll = self.rng.random()
        if roll < 0.3:
            return self.dwell(kid, 7, 180)
        if roll < 0.6:
            return self.dwell(kid, 180, 365)
        return self.dwell(kid, 365, 900)

    def case_active(self, kid: _Kid, appeal: wf.AppealState | None = None) -> None:
        low = {None: 0, wf.AppealState.DISMISSED_LATE: 60, wf.AppealState.BOARD_UPHELD: 200}
        decided = self.programme_age(kid)
        if appeal is not None:
            decided = self.dwell(kid, low[appeal], low[appeal] + 150)
        _referral, _inv, programme, served = self.case_programme(
            kid, decided, served="received" if appeal else "auto", cover=appeal is None
        )
        self.run_programme(
            kid, programme, _known(programme.in_force_from), overdue=self.chance(OVERDUE_SHARE)
        )
        if appeal is not None:
            self.appeal(kid, served, appeal)

    def case_revised(self, kid: _Kid, *, pending: bool = False) -> None:
        """Version 1 evaluated with "revise": version 2 in force (or still a draft)."""
        rng = self.rng
        if pending:
            revised_on = _day(self.today, -rng.randint(3, 25))
            first = self.dwell(kid, 100 + (self.today - revised_on).days, 500)
        else:
            first = self.dwell(kid, 150, 700)
            room = (self.today - first).days
            revised_on = _day(first, rng.randint(min(90, room - 30), max(90, room - 30)))
        revised_on = min(max(revised_on, _day(first, 14)), self.today)
        referral, _investigation, v1, _served = self.case_programme(kid, first)
        self.end_programme(kid, v1, first, revised_on, wf.FollowUpOutcome.REVISE)
        reason = "Utvärderingen visar att åtgärderna inte räcker för alla behov."
        v2 = self.copy_programme(kid, v1, revised_on, reason)
        if pending:
            return
        decided = min(_day(revised_on, rng.randint(5, 20)), self.today)
        self.put_in_force(kid, v2, referral, decided, None)
        v1.state = wf.ProgrammeState.SUPERSEDED.value
        self.touch(v1, decided)
        self.run_programme(kid, v2, decided, overdue=self.chance(OVERDUE_SHARE))

    def case_reconsidered(self, kid: _Kid) -> None:
        """A programme decision appealed and changed by the rektor on reconsideration."""
        rng = self.rng
        first = self.dwell(kid, 60, 300)
        referral, _investigation, v1, served = self.case_programme(kid, first, served="received")
        service = next(s for s in served.services if s.received_on is not None)
        lodged = min(_day(_known(service.received_on), rng.randint(3, 15)), _day(self.today, -3))
        lodged = max(lodged, _day(first, 1))
        decided = min(_day(lodged, rng.randint(3, 12)), self.today)
        v1.follow_up_on = _day(first, 42)
        v1.evaluation_on = _day(first, 120)
        reason = "Ändrat vid omprövning efter vårdnadshavarnas överklagande."
        v2 = self.copy_programme(kid, v1, lodged, reason)
        self.put_in_force(kid, v2, referral, decided, None)
        v1.state = wf.ProgrammeState.SUPERSEDED.value
        self.touch(v1, decided)
        self.appeal(
            kid,
            served,
            wf.AppealState.CHANGED_ON_RECONSIDERATION,
            lodged=lodged,
            outcome_on=decided,
        )
        self.run_programme(kid, v2, decided, overdue=self.chance(OVERDUE_SHARE))

    def case_closed(self, kid: _Kid, *, lapse: bool = False) -> None:
        rng = self.rng
        closed = self.dwell(kid, 5, 500, pre=200)
        evaluated = self.clamp(kid, _day(closed, -rng.randint(3, 14)))
        first = self.clamp(kid, _day(evaluated, -rng.randint(120, 400)))
        referral, _inv, programme, _served = self.case_programme(kid, first)
        evaluated = min(max(evaluated, _day(_known(programme.in_force_from), 14)), self.today)
        closed = min(max(closed, evaluated), self.today)
        # Now and then a revision had been started and is overtaken by the closure: the draft
        # lapses and stays on file (services.decide_closure, process.md design rule 5).
        lapsed: ActionProgramme | None = None
        started = max(
            _day(evaluated, -rng.randint(10, 60)), _day(_known(programme.in_force_from), 7)
        )
        if (self.chance(LAPSED_SHARE) or lapse) and started < evaluated:
            lapsed = self.copy_programme(
                kid, programme, started, "Behoven har förändrats; en revidering påbörjades."
            )
        self.end_programme(
            kid, programme, _known(programme.in_force_from), evaluated, wf.FollowUpOutcome.CLOSE
        )
        closure = self.decide(
            kid,
            referral,
            wf.DecisionKind.ACTION_PROGRAMME_CLOSURE,
            closed,
            programme=programme,
            reasons=(
                f"Utvärderingen den {evaluated.isoformat()} visar att behoven är tillgodosedda. "
                "Eleven får fortsatt ledning och stimulans och vid behov extra anpassningar."
            ),
        )
        programme.state = wf.ProgrammeState.CLOSED.value
        programme.valid_until = closed
        self.touch(programme, closed)
        if lapsed is not None:
            lapsed.state = wf.ProgrammeState.LAPSED.value
            self.touch(lapsed, closed)
            decider = self.users[_known(closure.decision.decided_by_id)]
            self.event(
                kid, decider, "programme.draft_lapsed", "action_programme", lapsed.id, closed
            )
        referral.state = wf.CaseState.CLOSED.value
        self.touch(referral, closed)

    def case_no_programme(
        self,
        kid: _Kid,
        appeal: wf.AppealState | None = None,
        *,
        decided: date | None = None,
        delegate: bool | None = None,
        service_mode: str | None = None,
    ) -> _Served:
        windows = {
            None: (5, 500),
            wf.AppealState.REGISTERED: (6, 16),
            wf.AppealState.FORWARDED: (30, 90),
            wf.AppealState.BOARD_UPHELD: (150, 350),
            wf.AppealState.BOARD_SET_ASIDE: (90, 200),
            wf.AppealState.BOARD_RETURNED: (90, 200),
            wf.AppealState.DISMISSED_LATE: (50, 200),
        }
        if decided is None:
            decided = self.dwell(kid, *windows[appeal])
        referral, investigation, _needs, decided = self.open_case(kid, decided, needed=False)
        if delegate is None:
            delegate = self.chance(0.5)
        served = self.decide(
            kid,
            referral,
            wf.DecisionKind.NO_ACTION_PROGRAMME,
            decided,
            investigation=investigation,
            reasons=(
                "Utredningen visar att eleven utvecklas mot kriterierna med extra anpassningar "
                "inom ordinarie undervisning. Eleven bedöms inte vara i behov av särskilt stöd."
            ),
            instead=(
                "Eleven får fortsatt extra anpassningar som utvärderas var sjätte vecka. Mentorn "
                "håller vårdnadshavarna informerade."
            ),
            delegate=delegate,
            served=service_mode or ("received" if appeal else "auto"),
        )
        investigation.closed_on = decided
        self.touch(investigation, decided)
        referral.state = wf.CaseState.NO_PROGRAMME.value
        self.touch(referral, decided)
        if self.chance(0.7):  # the next step is normally continued extra adaptations
            self.active_adaptation(kid, decided)
        if appeal is not None:
            outcome_on = None
            if appeal in (wf.AppealState.BOARD_SET_ASIDE, wf.AppealState.BOARD_RETURNED):
                outcome_on = _day(self.today, -self.rng.randint(0, 15))
            recorded = self.appeal(kid, served, appeal, outcome_on=outcome_on)
            if outcome_on is not None:
                # Set aside or returned by the board: the case awaits a new decision and the
                # investigation opens again (services._reopen_after_appeal, SL 28 kap. 16 §).
                day = _known(recorded.outcome_on)
                investigation.closed_on = None
                investigation.assessed_on = None
                investigation.target_on = _day(day, wf.DEFAULT_DEADLINES.decision_days)
                self.touch(investigation, day)
                referral.state = wf.CaseState.INVESTIGATING.value
                self.touch(referral, day)
                principal = self.users[_known(served.decision.decided_by_id)]
                self.event(
                    kid, principal, "case.reopened_after_appeal", "referral", referral.id, day
                )
        return served

    def case_investigating(self, kid: _Kid, stage: str) -> None:
        """stage: "opened", "mapped", "assessed_no" (decision due) or "assessed_yes" (draft)."""
        rng = self.rng
        if stage == "opened":
            opened = self.dwell(kid, 0, 14, pre=20)
        elif stage == "mapped":
            opened = self.dwell(kid, 10, 45, pre=20)
        else:
            opened = self.dwell(kid, 25, 60, pre=20)
        reported, received, opened = self.backwards(
            kid, opened, [rng.randint(0, 4), rng.randint(1, 9)]
        )
        referral = self.referral(kid, reported, received=received)
        mapped = assessed = None
        needed = None
        if stage != "opened":
            mapped = min(_day(opened, rng.randint(5, 20)), self.today)
        if stage.startswith("assessed"):
            assessed = min(max(mapped, _day(self.today, -rng.randint(0, 20))), self.today)  # type: ignore[type-var]
            needed = stage == "assessed_yes"
        investigation, needs = self.investigation(
            kid, referral, opened, mapped=mapped, assessed=assessed, needed=needed
        )
        if needed and assessed is not None:
            programme = self.programme(
                kid, referral, investigation, assessed, needs, reserved=self.reserved_setting(kid)
            )
            programme.follow_up_on = _day(self.today, rng.randint(30, 50))
            programme.evaluation_on = _day(self.today, rng.randint(100, 150))
        if self.chance(0.5):
            self.active_adaptation(kid, _day(opened, -60))

    def case_waiting(self, kid: _Kid, received: bool) -> None:
        rng = self.rng
        if received:
            day = self.dwell(kid, 0, 12, pre=10)
            reported, day = self.backwards(kid, day, [rng.randint(0, 4)])
            self.referral(kid, reported, received=day)
        else:
            self.referral(kid, self.dwell(kid, 0, 6, pre=10))
        if self.chance(0.5):
            self.active_adaptation(kid, _day(self.today, -90))

    def case_adaptations(self, kid: _Kid) -> None:
        for _ in range(2 if self.chance(0.25) else 1):
            self.active_adaptation(kid, _day(self.today, -400), concern_share=0.8)
        if self.chance(0.2):
            self.case_ended(kid)

    def case_ended(self, kid: _Kid) -> None:
        rng = self.rng
        end = self.dwell(kid, 1, 400, pre=60)
        start = self.clamp(kid, _day(end, -rng.randint(45, 200)))
        if (end - start).days < 10:
            return
        category = self.pick(self.adaptation_need_pick)
        concern = None
        if self.chance(0.7):
            concern = self.concern(
                kid,
                self.clamp(kid, _day(start, -rng.randint(2, 14))),
                wf.ConcernState.ADAPTATIONS,
                category=category,
            )
        self.adaptation(kid, start, end=end, category=category, concern=concern)

    def case_concern(self, kid: _Kid, closed: bool) -> None:
        rng = self.rng
        if not closed:
            self.concern(kid, self.dwell(kid, 0, 20, pre=0), wf.ConcernState.OPEN)
            return
        raised = self.dwell(kid, 10, 300, pre=0)
        concern = self.concern(kid, raised, wf.ConcernState.OPEN)
        self.close_concern(kid, concern, min(_day(raised, rng.randint(2, 20)), self.today))

    # --- the demo users' unit ----------------------------------------------------------------

    def demo(self) -> set[uuid.UUID]:
        """Fixed cases at unit A for the demo users; returns the pupils they use."""
        b, today = self.b, self.today
        unit_plan = b.unit_plans[0]
        unit = self.units[unit_plan.unit.id]
        classes = {c.group.name: c for c in unit_plan.classes}
        demo_class = classes[DEMO_CLASS]
        larare, mentor = unit_plan.larare, demo_class.mentor
        educator = unit.educators[0]
        assert larare is not None
        assert mentor is not None
        assert b.elev_pupil is not None
        elev_id = b.elev_pupil.id
        used: set[uuid.UUID] = set()

        def ordinary(class_name: str, count: int) -> list[_Kid]:
            found = []
            for pupil_id, class_plan, protected, _starts in b.pupil_refs:
                if class_plan is not classes[class_name] or protected or pupil_id in used:
                    continue
                if pupil_id in self.moved or pupil_id == elev_id:
                    continue
                found.append(self.kid(pupil_id))
                used.add(pupil_id)
                if len(found) == count:
                    break
            return found

        def days(offset: int) -> date:
            return _day(today, offset)

        def group(kid: _Kid, abbr: str) -> Group:
            return next(g for a, g in kid.class_plan.subject_groups if a == abbr)

        # Ella: a programme in its second version, adaptations evaluated, follow-ups.
        ella = self.kid(elev_id)
        used.add(ella.id)
        self.ella = ella
        self.demo_ella(ella, larare, mentor, educator, group(ella, "Ma"), group(ella, "Sv"))

        p1, p2, p3, p4, p5 = ordinary(DEMO_CLASS, 5)
        maths = wf.NeedCategory.MATHEMATICS
        # larare: one adaptation overdue for evaluation, one due within the week.
        self.adaptation(
            p1,
            self.clamp(p1, days(-60)),
            category=maths,
            staff=(group(p1, "Ma"), larare),
            evaluate_on=self.clamp(p1, days(-4)),
        )
        self.adaptation(
            p2,
            self.clamp(p2, days(-50)),
            category=maths,
            staff=(group(p2, "Ma"), larare),
            evaluate_on=days(6),
        )
        # mentor: an adaptation overdue, one due, and a report waiting for the rektor's receipt.
        reading = wf.NeedCategory.READING_WRITING
        self.adaptation(
            p3,
            self.clamp(p3, days(-70)),
            category=reading,
            staff=(group(p3, "Sv"), mentor),
            evaluate_on=self.clamp(p3, days(-2)),
        )
        self.adaptation(
            p4,
            self.clamp(p4, days(-30)),
            category=maths,
            staff=(group(p4, "Ma"), larare),
            evaluate_on=days(10),
        )
        self.referral(
            p4,
            self.clamp(p4, days(-1)),
            ground=wf.ReferralGround.DESPITE_ADAPTATIONS,
            reporter=mentor,
        )
        # mentor: a programme whose follow-up is overdue.
        _r, _i, programme, _s = self.case_programme(
            p5, self.clamp(p5, days(-75)), follow_up_by=mentor, evaluation_by=educator
        )
        sessions, _fu, evaluation = self.schedule(
            _known(programme.in_force_from), days(-20), overdue=False
        )
        self.follow_ups(p5, programme, sessions)
        programme.follow_up_on = self.clamp(p5, days(-5))
        programme.evaluation_on = max(evaluation, days(30))

        q1, q2, q3, q4, q5 = ordinary("9A", 3) + ordinary("7A", 2)
        # specialpedagog investigates with the mentor; due within ten days.
        reported, received, opened = self.backwards(q1, days(-18), [2, 3])
        referral = self.referral(q1, reported, received=received, reporter=q1.mentor)
        self.investigation(
            q1,
            referral,
            opened,
            mapped=self.clamp(q1, days(-6)),
            target=days(9),
            investigators=[educator, q1.mentor],
        )
        # rektor: an assessed investigation with a draft programme, the decision overdue.
        reported, received, opened, assessed = self.backwards(q2, days(-16), [1, 2, 25])
        referral = self.referral(q2, reported, received=received)
        investigation, needs = self.investigation(
            q2,
            referral,
            opened,
            mapped=_day(assessed, -10),
            assessed=assessed,
            needed=True,
            investigators=[educator, q2.mentor],
            need_count=2,
        )
        draft = self.programme(
            q2, referral, investigation, assessed, needs, measure_staff={maths: larare}
        )
        draft.follow_up_on, draft.evaluation_on = days(40), days(120)
        # rektor: a received report whose investigation should have started.
        reported, received = self.backwards(q3, days(-9), [1])
        self.referral(q3, reported, received=received)
        # rektor: a no-programme decision by the delegated specialpedagog, appealed.
        valid_from = unit.delegation.valid_from if unit.delegation else days(-10)
        decided = min(max(days(-10), self.clamp(q4, valid_from)), today)
        self.case_no_programme(q4, wf.AppealState.REGISTERED, decided=decided, delegate=True)
        # rektor: a decision made two days ago and not yet sent to anyone (serve it).
        (q6,) = ordinary("7A", 1)
        self.case_no_programme(
            q6, decided=self.clamp(q6, days(-2)), delegate=False, service_mode="none"
        )
        # specialpedagog: a programme evaluation overdue; larare responsible for a measure.
        _r, _i, programme, _s = self.case_programme(
            q5,
            self.clamp(q5, days(-160)),
            follow_up_by=q5.mentor,
            evaluation_by=educator,
            measure_staff={maths: larare},
        )
        sessions, follow_up, _ev = self.schedule(
            _known(programme.in_force_from), days(-8), overdue=False
        )
        sessions = [s for s in sessions if s.kind is wf.FollowUpKind.FOLLOW_UP]
        self.follow_ups(q5, programme, sessions)
        programme.follow_up_on = max(follow_up, days(12))
        programme.evaluation_on = self.clamp(q5, days(-6))
        return used

    def demo_ella(
        self, ella: _Kid, larare: User, mentor: User, educator: User, maths: Group, swedish: Group
    ) -> None:
        """Ella Johansson's chain: concern, adaptations (one led to the report, one runs on),
        report, investigation, programme version 1, evaluation, version 2 in force."""
        today = self.today
        # Days before today, squeezed into Ella's history if the rektor or mentor is new.
        offsets = [330, 320, 234, 233, 230, 215, 200, 192, 108, 98, 3]
        (
            concern_on,
            adapted,
            reported,
            received,
            opened,
            mapped,
            assessed,
            first,
            revised_on,
            second,
            recent,
        ) = self.backwards(
            ella,
            _day(today, -offsets[-1]),
            [offsets[i] - offsets[i + 1] for i in range(len(offsets) - 1)],
        )
        maths_need = wf.NeedCategory.MATHEMATICS
        structure = wf.NeedCategory.STRUCTURE_AND_PLANNING
        concern = self.concern(
            ella,
            concern_on,
            wf.ConcernState.REFERRED,
            source=wf.ConcernSource.TEACHING,
            category=maths_need,
            author=larare,
        )
        tried = self.adaptation(
            ella,
            adapted,
            end=max(_day(reported, -1), _day(adapted, 1)),
            end_step=wf.AdaptationNextStep.REFER,
            category=maths_need,
            concern=concern,
            staff=(maths, larare),
        )
        # Structure and planning with the mentor runs on; evaluated, next due in five days.
        self.adaptation(
            ella,
            adapted,
            category=structure,
            concern=concern,
            staff=(swedish, mentor),
            evaluate_on=_day(today, 5),
        )
        referral = self.row(
            Referral,
            reported,
            pupil_id=ella.id,
            school_unit_id=ella.unit.id,
            created_by_id=mentor.id,
            concern_id=concern.id,
            reported_on=reported,
            reporter_role=self.title(mentor, ella.unit),
            ground=wf.ReferralGround.DESPITE_ADAPTATIONS.value,
            description=REFERRAL_TEXT[wf.ReferralGround.DESPITE_ADAPTATIONS],
            results="Diagnoserna i matematik under terminen ligger under kravnivån.",
            guardian_informed=True,
            pupil_informed=True,
            received_at=self.moment(received),
            received_by_id=ella.unit.principal.id,
            state=wf.CaseState.RECEIVED.value,
            version=1,
        )
        referral._tried = [tried]  # type: ignore[attr-defined]
        self.chain.referrals.append(referral)
        self.chain.referral_adaptations.append(
            Referral.adaptations.through(referral_id=referral.id, adaptation_id=tried.id)
        )
        self.event(ella, mentor, "referral.created", "referral", referral.id, reported)
        self.event(
            ella, ella.unit.principal, "referral.received", "referral", referral.id, received
        )
        investigation, needs = self.investigation(
            ella,
            referral,
            opened,
            mapped=mapped,
            assessed=assessed,
            needed=True,
            investigators=[educator, mentor],
            need_count=2,
        )
        needs[0].category, needs[1].category = maths_need.value, structure.value
        needs[0].description = NEED_TEXT[maths_need][0]
        needs[1].description = NEED_TEXT[structure][0]
        staff = {maths_need: larare, structure: mentor}
        v1 = self.programme(
            ella,
            referral,
            investigation,
            assessed,
            needs,
            follow_up_by=mentor,
            evaluation_by=educator,
            measure_staff=staff,
        )
        served_v1 = self.put_in_force(ella, v1, referral, first, investigation, served="received")
        self.end_programme(ella, v1, first, revised_on, wf.FollowUpOutcome.REVISE)
        v2 = self.copy_programme(
            ella,
            v1,
            revised_on,
            "Utvärderingen visar att stödet i matematik inte räcker; enskild undervisning läggs "
            "till under en period.",
        )
        description, extent, location, reasons = RESERVED_MEASURES[
            wf.MeasureSetting.INDIVIDUAL_TEACHING
        ]
        special = ella.unit.special_teachers or [educator]
        measure = self.measure(
            ella,
            v2,
            v2._needs[0],  # type: ignore[attr-defined]
            maths_need,
            revised_on,
            description,
            extent,
            wf.MeasureSetting.INDIVIDUAL_TEACHING,
            len(v2._measures),  # type: ignore[attr-defined]
            {maths_need: special[0]},
        )
        measure.special_reasons, measure.location = reasons, location
        measure.return_plan = "Återgången till undervisning i klassen prövas vid utvärderingen."
        v2._measures.append(measure)  # type: ignore[attr-defined]
        self.chain.measures.append(measure)
        served_v2 = self.put_in_force(ella, v2, referral, second, None, served="received")
        v1.state = wf.ProgrammeState.SUPERSEDED.value
        self.touch(v1, second)
        # Served on both guardians: the demo guardian confirmed in the app, the other not yet.
        self.ella_services(ella, served_v2, second)
        sessions, _fu, _ev = self.schedule(second, recent, overdue=False)
        sessions = [s for s in sessions if s.kind is wf.FollowUpKind.FOLLOW_UP]
        self.follow_ups(ella, v2, sessions)
        v2.follow_up_on = _day(today, 3)
        v2.evaluation_on = _day(today, 20)
        self.ella_decisions = (served_v1, served_v2)
        self.ella_programme = v2

    def ella_services(self, ella: _Kid, served: _Served, day: date) -> None:
        guardian_user = self.b.demo_guardian.user_id if self.b.demo_guardian else None
        for service in served.services:
            if service.recipient_kind != RecipientKind.GUARDIAN.value:
                continue
            sent = min(_day(day, 1), self.today)
            if self.b.demo_guardian is not None and service.guardian_id == self.b.demo_guardian.id:
                received = min(_day(sent, 2), self.today)
                service.__dict__.update(
                    sent_on=sent,
                    received_on=received,
                    appeal_deadline=wf.appeal_deadline(received, days_off_around(received)),
                    method=(
                        ServiceMethod.CONFIRMED_IN_APP if guardian_user else ServiceMethod.DIGITAL
                    ).value,
                    recorded_by_id=guardian_user or ella.mentor.id,
                )
            else:
                service.__dict__.update(
                    sent_on=sent,
                    received_on=None,
                    appeal_deadline=None,
                    method=ServiceMethod.DIGITAL.value,
                    recorded_by_id=ella.mentor.id,
                )
        # The automatic service events above no longer match; the ones we keep are re-derived.
        decision_id = served.decision.id
        self.chain.events = [
            e
            for e in self.chain.events
            if not (e.verb == "decision.served" and e.record_id == decision_id)
        ]
        for service in served.services:
            if service.sent_on is not None and service.recorded_by_id is not None:
                actor = self.users[service.recorded_by_id]
                self.event(
                    ella,
                    actor,
                    "decision.served",
                    "decision",
                    decision_id,
                    service.received_on or service.sent_on,
                )

    def participant_views(self) -> None:
        """Views the demo family adds themselves (rule 6); only they have logins."""
        guardian = self.b.demo_guardian
        ella = getattr(self, "ella", None)
        if guardian is None or ella is None or guardian.user_id is None:
            return
        pupil_user = ella.pupil.user_id
        programme = self.ella_programme
        decision = self.ella_decisions[1].decision
        follow_ups = [f for f in self.chain.follow_ups if f.programme_id == programme.id]
        views = [
            (
                guardian.user_id,
                RecipientKind.GUARDIAN,
                {"programme_id": programme.id},
                "Vi tycker att den enskilda undervisningen i matematik är bra, men vill att Ella "
                "får vara med klassen på genomgångarna.",
                _day(_known(programme.in_force_from), 4),
            ),
            (
                guardian.user_id,
                RecipientKind.GUARDIAN,
                {"decision_id": decision.id},
                "Vi har tagit del av beslutet och har inget att invända.",
                _day(decision.decided_on, 3),
            ),
        ]
        if pupil_user is not None and follow_ups:
            latest = max(follow_ups, key=lambda f: f.held_on)
            views.append(
                (
                    pupil_user,
                    RecipientKind.PUPIL,
                    {"follow_up_id": latest.id},
                    "Det går bättre på matten nu, men planeringen är fortfarande svår.",
                    latest.held_on,
                )
            )
        for author, kind, target, text, day in views:
            day = min(day, self.today)
            view = self.row(
                ParticipantView,
                day,
                pupil_id=ella.id,
                author_id=author,
                author_kind=kind.value,
                programme_id=None,
                decision_id=None,
                follow_up_id=None,
                text=text,
            )
            view.__dict__.update(target)
            self.chain.views.append(view)
            ((key, record_id),) = target.items()
            record_type = {"programme_id": "action_programme", "decision_id": "decision"}.get(
                key, "follow_up"
            )
            self.event(ella, self.users[author], "view.added", record_type, record_id, day)

    # --- the whole municipality --------------------------------------------------------------

    def build(self) -> SupportChain:
        rng, plan = self.rng, self.plan
        loaded = self.moment(self.today)
        for provider in plan.providers:
            self.chain.deadlines.append(
                _make(
                    ProviderDeadlines,
                    id=self.uid(),
                    provider_id=provider.id,
                    updated_by_id=None,
                    created_at=loaded,
                    updated_at=loaded,
                )
            )
        used = self.demo()
        demo_active = sum(
            1 for p in self.chain.programmes if p.state == wf.ProgrammeState.IN_FORCE.value
        )

        n = len(plan.pupils)
        per_state = max(1, round(n / PUPILS_PER_APPEAL))
        active = round(ACTIVE_PROGRAMME_SHARE * n)
        revised = max(2, round(active * REVISED_SHARE))
        pending = max(1, round(active * REVISION_DRAFT_SHARE))
        programme_appeals = [wf.AppealState.DISMISSED_LATE, wf.AppealState.BOARD_UPHELD]
        plain = max(
            0,
            active
            - demo_active
            - revised
            - pending
            - per_state
            - len(programme_appeals) * per_state,
        )
        investigating = max(4, round(INVESTIGATING_SHARE * n))
        # Every stage at least once, then about 30 % opened, 35 % mapped, 10 % assessed without
        # a need (decision due) and 25 % assessed with a draft programme.
        stages = ["opened", "mapped", "assessed_no", "assessed_yes"] + [
            "opened"
            if i % 20 < 6
            else "mapped"
            if i % 20 < 13
            else "assessed_no"
            if i % 20 < 15
            else "assessed_yes"
            for i in range(investigating - 4)
        ]
        no_programme_appeals = [
            wf.AppealState.REGISTERED,
            wf.AppealState.FORWARDED,
            wf.AppealState.BOARD_SET_ASIDE,
            wf.AppealState.BOARD_RETURNED,
        ]
        no_programme = max(
            round(NO_PROGRAMME_SHARE * n) - 1, len(no_programme_appeals) * per_state + 1
        )

        pool = [pupil.id for pupil in plan.pupils if pupil.id not in used]
        rng.shuffle(pool)
        spans = {pupil_id: (self.today - self.floor_of(pupil_id)).days for pupil_id in pool}
        taken: set[uuid.UUID] = set()

        def take(count: int, span: int) -> list[_Kid]:
            found: list[_Kid] = []
            for pupil_id in pool:
                if len(found) == count:
                    break
                if pupil_id not in taken and spans[pupil_id] >= span:
                    taken.add(pupil_id)
                    found.append(self.kid(pupil_id))
            return found

        closing = take(max(2, round(CLOSED_PROGRAMME_SHARE * n)), 220)
        for index, kid in enumerate(closing):
            # The first one always has a lapsed revision, so every tier shows that state.
            self.case_closed(kid, lapse=index == 0)
        for kid in take(revised, 220):
            self.case_revised(kid)
        for kid in take(per_state, 120):
            self.case_reconsidered(kid)
        for kid in take(pending, 140):
            self.case_revised(kid, pending=True)
        for state in programme_appeals:
            for kid in take(per_state, 320):
                self.case_active(kid, state)
        for kid in take(plain, 60):
            self.case_active(kid)
        for state in no_programme_appeals:
            for kid in take(per_state, 300):
                self.case_no_programme(kid, state)
        for kid in take(no_programme - len(no_programme_appeals) * per_state, 60):
            self.case_no_programme(kid)
        for kid, stage in zip(take(len(stages), 25), stages, strict=False):
            self.case_investigating(kid, stage)
        for kid in take(max(1, round(RECEIVED_SHARE * n)), 8):
            self.case_waiting(kid, received=True)
        for kid in take(max(1, round(REPORTED_SHARE * n)), 5):
            self.case_waiting(kid, received=False)
        for kid in take(round(ENDED_ONLY_SHARE * n), 70):
            self.case_ended(kid)
        for kid in take(max(2, round(CLOSED_CONCERN_SHARE * n)), 15):
            self.case_concern(kid, closed=True)
        for kid in take(max(2, round(OPEN_CONCERN_SHARE * n)), 0):
            self.case_concern(kid, closed=False)
        target = round(ACTIVE_ADAPTATION_SHARE * n)
        for pupil_id in [pupil_id for pupil_id in pool if pupil_id not in taken]:
            if self.active_adaptations >= target:
                break
            self.case_adaptations(self.kid(pupil_id))

        # Last, so that whether the family has logins shifts nothing else.
        self.participant_views()
        # Ids follow time, as the services would have written them.
        self.chain.events.sort(key=lambda e: (e.on_date, e.occurred_at))
        return self.chain


_EVALUATION_COMMENT = {
    wf.AdaptationEffect.SUFFICIENT: "Anpassningen fungerar och eleven arbetar mer självständigt.",
    wf.AdaptationEffect.PARTLY: "Viss effekt; eleven kommer igång men behöver fortfarande stöd.",
    wf.AdaptationEffect.NOT_SUFFICIENT: "Ingen tydlig effekt; risken att inte nå kriterierna "
    "kvarstår.",
}
_REVIEW_EFFECTS = {
    wf.FollowUpOutcome.CONTINUE: (10, 35, 40, 15),
    wf.FollowUpOutcome.REVISE: (5, 15, 35, 45),
    wf.FollowUpOutcome.CLOSE: (60, 35, 5, 0),
}
