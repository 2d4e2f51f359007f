"""The PDF documents: content (checked in the HTML), a real PDF, filenames and query counts.

No PDF text extractor is installed, so content is asserted on the HTML that `render_pdf` turns
into the PDF (captured by wrapping `render_pdf`), and each document is also rendered for real.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from weasyprint import HTML

from elevstod.documents import rendering
from elevstod.organisation.models import Delegation, SchoolUnit
from elevstod.people.models import ProtectedIdentity, Pupil
from elevstod.support import workflow as wf
from elevstod.support.labels import APPEAL_INSTRUCTIONS
from elevstod.support.models import (
    ActionProgramme,
    Decision,
    DecisionService,
    FollowUp,
    Investigation,
    InvestigationNeed,
    MeasureReview,
    ParticipantView,
    ProgrammeMeasure,
    ProgrammeNeed,
    RecipientKind,
    Referral,
    ServiceMethod,
)
from tests.factories import GuardianFactory, PupilFactory, SchoolUnitFactory, UserFactory, place

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 10)


@dataclass
class Chain:
    unit: SchoolUnit
    pupil: Pupil
    investigation: Investigation
    programme: ActionProgramme
    decision: Decision
    no_programme: Decision
    closure: Decision
    follow_up: FollowUp


def _swedish(text: object) -> str:
    """Stored texts are Swedish whatever language a test left active (as services store them)."""
    with translation.override("sv"):
        return str(text)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of every document rendered in the test, in order; the PDF is still made."""
    pages: list[str] = []
    real_render_pdf = rendering.render_pdf

    def capturing(template_name: str, context: dict) -> bytes:
        pages.append(rendering.render_html(template_name, context))
        return real_render_pdf(template_name, context)

    monkeypatch.setattr(rendering, "render_pdf", capturing)
    return pages


def build_chain(pupil: Pupil | None = None, *, needs: int = 2, measures_per_need: int = 2) -> Chain:
    unit = SchoolUnitFactory(name="Björkskolan")
    pupil = pupil or PupilFactory(first_name="Ebba", last_name="Testsson")
    place(pupil, unit, starts=DAY - timedelta(days=200), grade=5)
    principal = UserFactory(first_name="Rut", last_name="Rektorsson")
    educator = UserFactory(first_name="Siv", last_name="Specialpedagog")
    mentor = UserFactory(first_name="Max", last_name="Mentorsson")
    common = {"pupil": pupil, "school_unit": unit, "created_by": educator}

    referral = Referral.objects.create(
        **common,
        reported_on=DAY - timedelta(days=60),
        ground=wf.ReferralGround.DESPITE_ADAPTATIONS,
        description="Svårt att komma igång med skrivuppgifter.",
        state=wf.CaseState.PROGRAMME_ACTIVE,
    )
    investigation = Investigation.objects.create(
        **common,
        referral=referral,
        opened_on=DAY - timedelta(days=50),
        target_on=DAY - timedelta(days=20),
        individual_level="Individnivå: läser långsamt.",
        group_level="Gruppnivå: stökig klass.",
        school_level="Skolnivå: många vikarier.",
        results="Svenska: nära kravnivån.",
        adaptations_effect="Bildstöd gav viss effekt.",
        pupil_view="Eleven vill ha lugnare plats.",
        guardian_view="Vårdnadshavarna ser trötthet.",
        eht_consulted=False,
        eht_skip_reason="Elevhälsan träffade eleven nyligen i samma fråga.",
        cause_analysis="Orsaken är främst lärmiljön.",
        special_support_needed=True,
        proposed_measures="Speciallärarstöd i liten grupp.",
        assessed_on=DAY - timedelta(days=15),
    )
    investigation.investigators.add(educator, mentor)
    InvestigationNeed.objects.create(
        investigation=investigation,
        category=wf.NeedCategory.READING_WRITING,
        description="Behöver stöd att strukturera text.",
    )

    previous = ActionProgramme.objects.create(
        **common, referral=referral, investigation=investigation, number=1,
        state=wf.ProgrammeState.SUPERSEDED,
    )  # fmt: skip
    programme = ActionProgramme.objects.create(
        **common,
        referral=referral,
        investigation=investigation,
        number=2,
        previous=previous,
        state=wf.ProgrammeState.IN_FORCE,
        revision_reason="Utvärderingen visade att mer stöd behövs.",
        pupil_participation_offered=True,
        pupil_view="Jag vill gå till Studion.",
        guardian_participation_offered=True,
        guardian_view="Vi tycker att det är bra.",
        follow_up_on=DAY + timedelta(days=30),
        follow_up_responsible=mentor,
        evaluation_on=DAY + timedelta(days=90),
        evaluation_responsible=educator,
        in_force_from=DAY,
        valid_until=DAY + timedelta(days=120),
    )
    for n in range(needs):
        need = ProgrammeNeed.objects.create(
            programme=programme,
            category=wf.NeedCategory.READING_WRITING if n == 0 else wf.NeedCategory.CONCENTRATION,
            description=f"Behov nummer {n}",
            position=n,
        )
        for m in range(measures_per_need):
            reserved = n == 0 and m == 1
            ProgrammeMeasure.objects.create(
                programme=programme,
                need=need,
                description=f"Insats {n}-{m}",
                responsible=educator,
                extent=f"{m + 2} lektioner i veckan",
                setting=(
                    wf.MeasureSetting.SPECIAL_TEACHING_GROUP
                    if reserved
                    else wf.MeasureSetting.OWN_GROUP
                ),
                special_reasons="Eleven klarar inte helklass just nu." if reserved else "",
                location="Studion" if reserved else "",
                return_plan="Återgång prövas vid utvärderingen." if reserved else "",
                starts_on=DAY if reserved else None,
                ends_on=DAY + timedelta(days=60) if reserved else None,
                position=m,
            )
    ParticipantView.objects.create(
        pupil=pupil,
        author=educator,
        author_kind=RecipientKind.GUARDIAN,
        programme=programme,
        text="Vårdnadshavarens egen synpunkt.",
    )

    delegation = Delegation.objects.create(
        school_unit=unit,
        delegated_by=principal,
        delegate=educator,
        decision_type="no_action_programme",
        valid_from=DAY - timedelta(days=100),
        valid_until=DAY + timedelta(days=100),
    )
    decision_fields = {
        **common,
        "referral": referral,
        "appeal_instructions": _swedish(APPEAL_INSTRUCTIONS),
    }
    decision = Decision.objects.create(
        **decision_fields,
        kind=wf.DecisionKind.ACTION_PROGRAMME,
        investigation=investigation,
        programme=programme,
        decided_on=DAY,
        decided_by=principal,
        decided_by_name="Rut Rektorsson",
        decided_by_title="Rektor",
        statement_of_reasons="Utredningen visar behov av särskilt stöd.",
    )
    guardian = GuardianFactory(first_name="Greta", last_name="Vårdnadsson")
    DecisionService.objects.create(
        decision=decision,
        recipient_kind=RecipientKind.GUARDIAN,
        guardian=guardian,
        recipient_name=guardian.full_name,
        sent_on=DAY + timedelta(days=1),
        method=ServiceMethod.LETTER,
        received_on=DAY + timedelta(days=3),
        appeal_deadline=DAY + timedelta(days=24),
    )
    no_programme = Decision.objects.create(
        **decision_fields,
        kind=wf.DecisionKind.NO_ACTION_PROGRAMME,
        investigation=investigation,
        decided_on=DAY - timedelta(days=10),
        decided_by=educator,
        decided_by_name="Siv Specialpedagog",
        decided_by_title="Specialpedagog",
        delegation=delegation,
        statement_of_reasons="Extra anpassningar räcker.",
        instead="Fortsatta extra anpassningar i svenska.",
    )
    follow_up = FollowUp.objects.create(
        **common,
        programme=programme,
        kind=wf.FollowUpKind.EVALUATION,
        planned_on=DAY + timedelta(days=90),
        held_on=DAY + timedelta(days=92),
        participants="Mentor, specialpedagog, eleven och vårdnadshavare",
        pupil_invited=True,
        guardian_invited=True,
        pupil_view="Det har gått bättre.",
        guardian_view="Hemma märks skillnad.",
        summary="Målen är nådda.",
        outcome=wf.FollowUpOutcome.CLOSE,
    )
    for measure in programme.measures.all():
        MeasureReview.objects.create(
            follow_up=follow_up,
            measure=measure,
            carried_out=wf.CarriedOut.PARTLY,
            effect=wf.MeasureEffect.CLEAR_PROGRESS,
            comment=f"Kommentar om {measure.description}",
        )
    closure = Decision.objects.create(
        **decision_fields,
        kind=wf.DecisionKind.ACTION_PROGRAMME_CLOSURE,
        programme=programme,
        decided_on=DAY + timedelta(days=95),
        decided_by=principal,
        decided_by_name="Rut Rektorsson",
        decided_by_title="Rektor",
        statement_of_reasons="Eleven når kunskapskraven utan särskilt stöd.",
    )
    return Chain(unit, pupil, investigation, programme, decision, no_programme, closure, follow_up)


@pytest.fixture
def chain() -> Chain:
    return build_chain()


def assert_header(html: str, chain: Chain, doc_type: str) -> None:
    number = chain.pupil.identity_number
    assert "Björkskolan" in html
    assert "Ebba Testsson" in html
    assert f"{number[:8]}-{number[8:]}" in html
    assert doc_type in html
    assert "Uppgifterna kan omfattas av sekretess enligt 23 kap. 2 § offentlighets-" in html
    assert 'Sida <span class="page"></span> av <span class="pages"></span>' in html
    assert chain.pupil.street_address not in html


def assert_pdf(filename: str, pdf: bytes, chain: Chain) -> None:
    assert pdf.startswith(b"%PDF")
    assert filename.endswith(".pdf")
    for personal in (chain.pupil.first_name, chain.pupil.last_name, chain.pupil.identity_number):
        assert personal not in filename


@dataclass(frozen=True)
class Document:
    """What one rendered document must show: its type in the header and its own content."""

    doc_type: str
    texts: tuple[str, ...]
    filename: Callable[[Chain], str] | None = None
    absent: tuple[str, ...] = ()
    in_order: tuple[str, ...] = ()  # each of these appears after the one before it
    counts: tuple[tuple[str, int], ...] = ()


DOCUMENTS: dict[str, Document] = {
    "investigation": Document(
        doc_type="Pedagogisk utredning",
        filename=lambda chain: f"utredning-{chain.investigation.pk.hex[:8]}.pdf",
        texts=(
            "Individnivå: läser långsamt.",
            "Gruppnivå: stökig klass.",
            "Skolnivå: många vikarier.",
            "Svenska: nära kravnivån.",
            "Bildstöd gav viss effekt.",
            "Eleven vill ha lugnare plats.",
            "Vårdnadshavarna ser trötthet.",
            "uppenbart obehövligt",
            "Elevhälsan träffade eleven nyligen i samma fråga.",
            "Orsaken är främst lärmiljön.",
            "Ja, eleven är i behov av särskilt stöd.",
            "Läsa och skriva",
            "Behöver stöd att strukturera text.",
            "Speciallärarstöd i liten grupp.",
            "Siv Specialpedagog",
            "Max Mentorsson",
            "Svårt att komma igång med skrivuppgifter.",
            "årskurs 5",
            "2025-02-23",  # assessed_on, the document's date
        ),
    ),
    # A decision on an action programme carries the programme.
    "decision": Document(
        doc_type="Beslut om åtgärdsprogram",
        filename=lambda chain: f"beslut-{chain.decision.pk.hex[:8]}.pdf",
        texts=(
            "version 2",
            "ersätter version 1",
            "Utvärderingen visade att mer stöd behövs.",
            "Behov 1: Läsa och skriva",
            "Behov 2: Koncentration och uthållighet",
            "Insats 1-1",
            "3 lektioner i veckan",
            "Siv Specialpedagog",
            "Särskild undervisningsgrupp (3 kap. 11 §)",
            "Eleven klarar inte helklass just nu.",
            "Studion",
            "Återgång prövas vid utvärderingen.",
            "får inte delegeras",
            "2025-04-09",  # follow-up date
            "Max Mentorsson",  # follow-up responsible
            "2025-06-08",  # evaluation date
            "Jag vill gå till Studion.",
            "Vi tycker att det är bra.",
            "Vårdnadshavarens egen synpunkt.",
            "Utredningen visar behov av särskilt stöd.",
            "Rut Rektorsson, Rektor",
            "Greta Vårdnadsson",
            "2025-03-13",  # received
            "2025-04-03",  # appeal deadline
            "Överklagandehänvisning",
            "Skolväsendets överklagandenämnd",
            "inom tre veckor",
        ),
        # Measures are grouped under their need, in order.
        in_order=("Behov 1:", "Insats 0-0", "Insats 0-1", "Behov 2:", "Insats 1-0"),
    ),
    "no_programme": Document(
        doc_type="Beslut att inte utarbeta åtgärdsprogram",
        texts=(
            "Något åtgärdsprogram ska inte utarbetas för eleven.",
            "3 kap. 9 § tredje stycket",
            "Extra anpassningar räcker.",
            "Fortsatta extra anpassningar i svenska.",
            "2025-01-19",  # investigation opened
            "Siv Specialpedagog, Specialpedagog",
            "delegering från Rut Rektorsson",
            "Skolväsendets överklagandenämnd",
        ),
        absent=("Delgivning",),  # no service recorded yet
    ),
    "closure": Document(
        doc_type="Beslut att avsluta åtgärdsprogram",
        texts=(
            "Åtgärdsprogrammet, version 2, avslutas.",
            "Eleven når kunskapskraven utan särskilt stöd.",
            "Utvärdering 2025-06-10: Avsluta programmet (beslut)",
            "Målen är nådda.",
            "Skolväsendets överklagandenämnd",
        ),
    ),
    # The programme with the decision that adopted it.
    "programme": Document(
        doc_type="Åtgärdsprogram",
        filename=lambda chain: "atgardsprogram-v2.pdf",
        texts=("Insats 1-1", "Utredningen visar behov", "Greta Vårdnadsson", "överklagande"),
        absent=("Utkast",),
    ),
    "follow_up": Document(
        doc_type="Utvärdering",
        filename=lambda chain: f"utvardering-{chain.follow_up.pk.hex[:8]}.pdf",
        texts=(
            "Utvärdering av åtgärdsprogram",
            "Version 2",
            "Insats 0-0",
            "Kommentar om Insats 1-1",
            "Delvis",
            "Tydlig utveckling",
            "Det har gått bättre.",
            "Hemma märks skillnad.",
            "Målen är nådda.",
            "Avsluta programmet (beslut)",
        ),
        counts=(("Tydlig utveckling", 4),),  # one review per measure
    ),
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document_shows_its_content_under_the_header(
    name: str, chain: Chain, rendered: list[str]
) -> None:
    document = DOCUMENTS[name]
    filename, pdf = RENDERERS[name](chain)

    assert_pdf(filename, pdf, chain)
    if document.filename is not None:
        assert filename == document.filename(chain)
    html = rendered[0]
    assert_header(html, chain, document.doc_type)
    for text in document.texts:
        assert text in html, text
    for text in document.absent:
        assert text not in html, text
    positions = [html.index(text) for text in document.in_order]
    assert all(before < after for before, after in pairwise(positions)), document.in_order
    for text, count in document.counts:
        assert html.count(text) == count, text


def test_draft_programme_without_decision(chain: Chain, rendered: list[str]) -> None:
    draft = ActionProgramme.objects.create(
        pupil=chain.pupil,
        school_unit=chain.unit,
        created_by=chain.programme.created_by,
        referral=chain.programme.referral,
        number=3,
        previous=chain.programme,
        state=wf.ProgrammeState.DRAFT,
    )

    filename, pdf = rendering.programme_pdf(draft)

    assert pdf.startswith(b"%PDF")
    assert filename == "atgardsprogram-v3.pdf"
    html = rendered[0]
    assert_header(html, chain, "Åtgärdsprogram")
    assert "Utkast: åtgärdsprogrammet är inte beslutat." in html
    assert "Åtgärdsprogrammet är ännu inte beslutat." in html
    assert "Inga behov angivna." in html


def test_protected_pupil_shows_name_and_birth_date_only(rendered: list[str]) -> None:
    pupil = PupilFactory(
        first_name="Ebba",
        last_name="Testsson",
        protected_identity=ProtectedIdentity.PROTECTED_REGISTRATION,
    )
    chain = build_chain(pupil, needs=1, measures_per_need=1)

    documents = [
        rendering.investigation_pdf(chain.investigation),
        rendering.decision_pdf(chain.decision),
        rendering.decision_pdf(chain.no_programme),
        rendering.decision_pdf(chain.closure),
        rendering.programme_pdf(chain.programme),
        rendering.follow_up_pdf(chain.follow_up),
    ]

    number = pupil.identity_number
    assert len(rendered) == len(documents)
    for (filename, pdf), html in zip(documents, rendered, strict=True):
        assert pdf.startswith(b"%PDF")
        assert "Ebba Testsson" in html
        assert "2013-05-17" in html  # birth date
        assert number not in html
        assert f"{number[:8]}-{number[8:]}" not in html
        for address in (pupil.street_address, pupil.postal_code, pupil.city, pupil.phone):
            assert address not in html
        assert number not in filename


RENDERERS: dict[str, Callable[[Chain], tuple[str, bytes]]] = {
    "investigation": lambda chain: rendering.investigation_pdf(chain.investigation),
    "programme": lambda chain: rendering.programme_pdf(chain.programme),
    "decision": lambda chain: rendering.decision_pdf(chain.decision),
    "no_programme": lambda chain: rendering.decision_pdf(chain.no_programme),
    "closure": lambda chain: rendering.decision_pdf(chain.closure),
    "follow_up": lambda chain: rendering.follow_up_pdf(chain.follow_up),
}


@pytest.mark.parametrize("document", RENDERERS)
def test_query_count_does_not_grow_with_the_document(document: str) -> None:
    render = RENDERERS[document]
    small = build_chain(needs=1, measures_per_need=1)
    large = build_chain(needs=4, measures_per_need=3)
    for chain in (small, large):  # more rows of every kind the documents list
        ParticipantView.objects.create(
            pupil=chain.pupil,
            author=chain.programme.created_by,
            author_kind=RecipientKind.PUPIL,
            programme=chain.programme,
            text="Ännu en synpunkt.",
        )
    large.investigation.investigators.add(UserFactory())
    InvestigationNeed.objects.create(
        investigation=large.investigation, category=wf.NeedCategory.OTHER, description="Mer."
    )

    counts = []
    for chain in (small, large):
        with CaptureQueriesContext(connection) as queries:
            render(chain)
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[0] <= 10


def test_every_page_has_the_header_and_numbered_footer(rendered: list[str]) -> None:
    # WeasyPrint's layout tree (a private attribute) is the one place the page margin boxes
    # can be read without a PDF text extractor; the content is long enough to need pages.
    chain = build_chain(needs=5, measures_per_need=4)
    rendering.decision_pdf(chain.decision)

    document = HTML(string=rendered[0], url_fetcher=rendering.url_fetcher()).render()
    pages = len(document.pages)
    assert pages > 2
    for number, page in enumerate(document.pages, start=1):
        text = " ".join(" ".join(_texts(page._page_box)).split())
        assert f"Sida {number} av {pages}" in text
        assert "23 kap. 2 § offentlighets- och sekretesslagen" in text
        assert "Björkskolan" in text
        assert "Ebba Testsson" in text


def _texts(box: object) -> Iterator[str]:
    text = getattr(box, "text", None)
    if text:
        yield text
    for child in getattr(box, "children", None) or ():
        yield from _texts(child)


def test_url_fetcher_refuses_the_network() -> None:
    fetcher = rendering.url_fetcher()

    for url in ("https://example.org/logo.png", "http://127.0.0.1/x.css", "ftp://example.org/f"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hej").read() == b"hej"


def test_render_pdf_never_opens_a_remote_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    monkeypatch.setattr(
        "urllib.request.OpenerDirector.open", lambda self, url, *a, **k: opened.append(url)
    )
    monkeypatch.setattr(
        rendering,
        "render_html",
        lambda template_name, context: (
            '<link rel="stylesheet" href="https://example.org/x.css">'
            '<img src="http://example.org/x.png"><p>Hej</p>'
        ),
    )

    pdf = rendering.render_pdf("documents/pdf/base.html", {})

    assert pdf.startswith(b"%PDF")
    assert opened == []


def test_reserved_settings_name_their_own_paragraph_and_appeal_ground() -> None:
    """A programme with a measure in a special teaching group or as adapted study path cites
    3 kap. 11 § / 12 § and its own appeal ground (SL 28 kap. 16 § första stycket 2–3)."""
    from elevstod.documents.rendering import SETTING_BASES, _legal_bases

    class _Measure:
        def __init__(self, setting: str) -> None:
            self.setting = setting

    class _Rel:
        def __init__(self, items: list) -> None:
            self.items = items

        def all(self) -> list:
            return self.items

    class _Need:
        def __init__(self, *settings: str) -> None:
            self.measures = _Rel([_Measure(s) for s in settings])

    class _Programme:
        needs = _Rel(
            [
                _Need(wf.MeasureSetting.OWN_GROUP, wf.MeasureSetting.SPECIAL_TEACHING_GROUP),
                _Need(wf.MeasureSetting.ADAPTED_STUDY_PATH),
            ]
        )

    bases = _legal_bases(cast(ActionProgramme, _Programme()))
    assert bases == [
        SETTING_BASES[wf.MeasureSetting.SPECIAL_TEACHING_GROUP],
        SETTING_BASES[wf.MeasureSetting.ADAPTED_STUDY_PATH],
    ]
    assert "28 kap. 16 § första stycket 2" in bases[0][1]
    assert "3 kap. 12 §" in bases[1][1]
