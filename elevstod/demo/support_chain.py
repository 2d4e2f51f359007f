"""The support chain of the generated municipality: every state, in scale.md's proportions.

The generator (elevstod.demo.generator) calls `build_support_chain` once the pupils, their
placements, the staff and the demo users exist, and `write_support_chain` inside its transaction.
Every row is an unsaved model instance with an explicit id, inserted in bulk (elevstod.demo.rows):
the big tiers have tens of thousands of records, too many to write one service call at a time. So
the chain is made here, in layers (elevstod.demo.chain: people → records → programmes → cases →
the demo unit), each step as the service in elevstod.support.services would have made it and
moved only by elevstod.support.workflow's transitions and guards; the tests in
elevstod/demo/tests/test_generated_chain_obeys_workflow.py check every generated record against
those rules.

Like the rest of the generator it is deterministic for a seed and `today`: it draws from its own
Random seeded from the plan's seed, so the people, groups and access log are exactly what they
were without it, and demo mode (which draws numbers for the demo users) does not shift it.

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

Unit A gets a fixed set of cases for the demo users first (elevstod.demo.chain.demo_unit).
"""

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils import translation

from elevstod.demo.chain.base import Kid
from elevstod.demo.chain.demo_unit import DemoUnitStories
from elevstod.demo.chain.tables import (
    ACTIVE_ADAPTATION_SHARE,
    ACTIVE_PROGRAMME_SHARE,
    CLOSED_CONCERN_SHARE,
    CLOSED_PROGRAMME_SHARE,
    ENDED_ONLY_SHARE,
    INVESTIGATING_SHARE,
    NO_PROGRAMME_SHARE,
    OPEN_CONCERN_SHARE,
    PUPILS_PER_APPEAL,
    RECEIVED_SHARE,
    REPORTED_SHARE,
    REVISED_SHARE,
    REVISION_DRAFT_SHARE,
)
from elevstod.demo.plan import Population, SupportChain
from elevstod.demo.rows import Writer, make_row, say, write_batches
from elevstod.support import workflow as wf
from elevstod.support.models import ProviderDeadlines

PROGRAMME_APPEALS = (wf.AppealState.DISMISSED_LATE, wf.AppealState.BOARD_UPHELD)
NO_PROGRAMME_APPEALS = (
    wf.AppealState.REGISTERED,
    wf.AppealState.FORWARDED,
    wf.AppealState.BOARD_SET_ASIDE,
    wf.AppealState.BOARD_RETURNED,
)
INVESTIGATION_STAGES = ("opened", "mapped", "assessed_no", "assessed_yes")
# Of every 20 investigations: the first 6 opened, the next 7 mapped, 2 assessed without a need.
STAGE_CUTS = ((6, "opened"), (13, "mapped"), (15, "assessed_no"), (20, "assessed_yes"))
# A case of a kind: how many, the history a pupil needs for it (days), and how it is told.
Story = Callable[[Kid, int], object]
CaseKind = tuple[int, int, Story]


def build_support_chain(population: Population) -> SupportChain:
    """The chain for the population's pupils; call after the pupils, staff and demo users exist."""
    with translation.override("sv"):
        return ChainBuilder(population).build()


def write_support_chain(chain: SupportChain, log: Writer | None = None) -> dict[str, int]:
    """Insert the chain (inside the caller's transaction); returns the rows written per model."""
    started = time.perf_counter()
    counts = write_batches(chain.batches(), log)
    seconds = time.perf_counter() - started
    say(log, f"  Stödkedjan: {sum(counts.values())} rader ({seconds:.1f} s)")
    return counts


def investigation_stages(count: int) -> list[str]:
    """Every stage at least once, then about 30 % opened, 35 % mapped, 10 % assessed without a
    need (decision due) and 25 % assessed with a draft programme."""
    rest = [
        next(stage for cut, stage in STAGE_CUTS if i % 20 < cut)
        for i in range(count - len(INVESTIGATION_STAGES))
    ]
    return [*INVESTIGATION_STAGES, *rest]


@dataclass(frozen=True)
class Quotas:
    """How many cases of each kind the municipality holds, for `pupils` pupils (scale.md)."""

    pupils: int
    demo_active: int  # programmes in force at unit A's fixed cases

    @property
    def per_state(self) -> int:  # appeals in each state
        return max(1, round(self.pupils / PUPILS_PER_APPEAL))

    @property
    def revised(self) -> int:
        return max(2, round(self.active * REVISED_SHARE))

    @property
    def pending(self) -> int:  # revisions drafted, not yet decided
        return max(1, round(self.active * REVISION_DRAFT_SHARE))

    @property
    def active(self) -> int:
        return round(ACTIVE_PROGRAMME_SHARE * self.pupils)

    @property
    def plain(self) -> int:  # programmes in force with nothing else to them
        others = self.revised + self.pending + self.per_state * (1 + len(PROGRAMME_APPEALS))
        return max(0, self.active - self.demo_active - others)

    @property
    def no_programme(self) -> int:  # no-programme decisions without an appeal
        appealed = len(NO_PROGRAMME_APPEALS) * self.per_state
        return max(round(NO_PROGRAMME_SHARE * self.pupils) - 1, appealed + 1) - appealed

    def share(self, share: float, least: int = 0) -> int:
        return max(least, round(share * self.pupils))


class ChainBuilder(DemoUnitStories):
    def __init__(self, population: Population) -> None:
        super().__init__(population)
        self.spans: dict[uuid.UUID, int] = {}  # days of history at the unit, by pupil
        self.taken: set[uuid.UUID] = set()

    def build(self) -> SupportChain:
        self.provider_deadlines()
        used = self.demo()
        demo_active = sum(
            1 for p in self.chain.programmes if p.state == wf.ProgrammeState.IN_FORCE.value
        )
        quotas = Quotas(len(self.plan.pupils), demo_active)
        pool = [pupil.id for pupil in self.plan.pupils if pupil.id not in used]
        self.rng.shuffle(pool)
        self.spans = {pupil_id: (self.today - self.floor_of(pupil_id)).days for pupil_id in pool}
        for count, span, story in self.case_kinds(quotas):
            for index, kid in enumerate(self.take(pool, count, span)):
                story(kid, index)
        target = quotas.share(ACTIVE_ADAPTATION_SHARE)
        for pupil_id in [pupil_id for pupil_id in pool if pupil_id not in self.taken]:
            if self.active_adaptations >= target:
                break
            self.case_adaptations(self.kid(pupil_id))
        # Last, so that whether the family has logins shifts nothing else.
        self.participant_views()
        # Ids follow time, as the services would have written them.
        self.chain.events.sort(key=lambda e: (e.on_date, e.occurred_at))
        return self.chain

    def provider_deadlines(self) -> None:
        """Each huvudman's deadlines, at the defaults (process.md §3)."""
        loaded = self.moment(self.today)
        for provider in self.plan.providers:
            self.chain.deadlines.append(
                make_row(
                    ProviderDeadlines,
                    id=self.uid(),
                    provider_id=provider.id,
                    updated_by_id=None,
                    created_at=loaded,
                    updated_at=loaded,
                )
            )

    def take(self, pool: Sequence[uuid.UUID], count: int, span: int) -> list[Kid]:
        """`count` pupils not yet in a case, with at least `span` days of history at the unit."""
        found: list[Kid] = []
        for pupil_id in pool:
            if len(found) == count:
                break
            if pupil_id not in self.taken and self.spans[pupil_id] >= span:
                self.taken.add(pupil_id)
                found.append(self.kid(pupil_id))
        return found

    def case_kinds(self, quotas: Quotas) -> list[CaseKind]:
        """The cases in the order they are drawn: programmes, decisions, open cases, then
        adaptations and concerns."""
        per_state = quotas.per_state
        stages = investigation_stages(quotas.share(INVESTIGATING_SHARE, least=4))
        kinds: list[CaseKind] = [
            # The first closed case always has a lapsed revision, so every tier shows that state.
            (quotas.share(CLOSED_PROGRAMME_SHARE, 2), 220, self.closed_story),
            (quotas.revised, 220, lambda kid, _i: self.case_revised(kid)),
            (per_state, 120, lambda kid, _i: self.case_reconsidered(kid)),
            (quotas.pending, 140, lambda kid, _i: self.case_revised(kid, pending=True)),
        ]
        kinds += [(per_state, 320, self.active_story(state)) for state in PROGRAMME_APPEALS]
        kinds.append((quotas.plain, 60, lambda kid, _i: self.case_active(kid)))
        kinds += [(per_state, 300, self.no_programme_story(s)) for s in NO_PROGRAMME_APPEALS]
        return [
            *kinds,
            (quotas.no_programme, 60, lambda kid, _i: self.case_no_programme(kid)),
            (len(stages), 25, lambda kid, i: self.case_investigating(kid, stages[i])),
            (quotas.share(RECEIVED_SHARE, 1), 8, lambda kid, _i: self.case_waiting(kid, True)),
            (quotas.share(REPORTED_SHARE, 1), 5, lambda kid, _i: self.case_waiting(kid, False)),
            (quotas.share(ENDED_ONLY_SHARE), 70, lambda kid, _i: self.case_ended(kid)),
            (
                quotas.share(CLOSED_CONCERN_SHARE, 2),
                15,
                lambda kid, _i: self.case_concern(kid, True),
            ),
            (quotas.share(OPEN_CONCERN_SHARE, 2), 0, lambda kid, _i: self.case_concern(kid, False)),
        ]

    def closed_story(self, kid: Kid, index: int) -> None:
        self.case_closed(kid, lapse=index == 0)

    def active_story(self, state: wf.AppealState) -> Story:
        return lambda kid, _index: self.case_active(kid, state)

    def no_programme_story(self, state: wf.AppealState) -> Story:
        return lambda kid, _index: self.case_no_programme(kid, state)
