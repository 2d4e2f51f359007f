"""The authorization matrix (security.md): every URL pattern × every persona × every target.

Walks get_resolver(): a pattern without a row here fails the suite, so a new page cannot ship
without a declared expectation. Canary strings of pupils a persona may not see must never
appear in any response.

The world, every record the rows read (each area module's `prepare`) and one signed-in session
per persona are built once for the module, inside a transaction rolled back at its end
(tests/scoped_data.py); each test runs in a savepoint of it, so what a row's POST writes (a
logout's flushed session included) is undone after that test. Each request is made by a fresh
Client carrying the persona's session cookie. PDFs are served as the HTML WeasyPrint would have
been given (see `_DocumentHTML`), so the canary check reads the document's real text: in a
PDF the text sits in compressed streams with subset fonts, where no canary can ever be found.
Real PDF rendering is tested in elevstod/documents/tests.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from elevstod.documents import rendering
from tests.matrix import (
    LEADERS_A,
    PUPIL_TARGETS,
    Row,
    everyone,
    leads_unit_of,
    only,
    sees_pupil,
)
from tests.scoped_data import kept_for_scope
from tests.world import CANARIES, PERSONAS, STAFF, VISIBLE, World, build_world

MATRIX: dict[str, Row] = {
    "healthz": Row(allowed=everyone, anonymous=200),
    "set_language": Row(allowed=everyone, method="post", ok=302, anonymous=302),
    "api:openapi-json": Row(allowed=everyone, anonymous=200),
    "api:api-root": Row(allowed=lambda p, t: False, anonymous=404),
    "api:list_schools": Row(allowed=everyone, anonymous=401),
    "api:list_groups": Row(allowed=everyone, anonymous=401),
    "api:list_pupils": Row(allowed=everyone, anonymous=401),
    "api:get_pupil": Row(allowed=sees_pupil, anonymous=401, targets=PUPIL_TARGETS),
    "api:list_access_events": Row(
        allowed=leads_unit_of,
        anonymous=401,
        targets={key: lambda w: {} for key in PUPIL_TARGETS},
        query=lambda w, t: {"pupil": str(w.pupils[t].pk) if t in w.pupils else str(uuid.uuid4())},
    ),
    # Signing in: the login page redirects those already signed in.
    "accounts:login": Row(allowed=lambda p, t: False, denied=302, anonymous=200),
    "accounts:logout": Row(allowed=everyone, method="post", ok=302),
    # Staff have a confirmed device in the world and see the form; others are sent to set-up.
    "accounts:otp_verify": Row(allowed=lambda p, t: p not in _NO_DEVICE, denied=302),
    "accounts:otp_setup": Row(allowed=lambda p, t: p in _NO_DEVICE, denied=302),
    "accounts:api_tokens": Row(allowed=lambda p, t: p in STAFF),
    "accounts:api_token_revoke": Row(
        allowed=everyone,
        ok=302,
        method="post",
        targets={"-": lambda w: {"token_id": uuid.uuid4()}},
    ),
    "organisation:delegation_list": Row(allowed=only("principal_a", "principal_b")),
    "organisation:delegation_revoke": Row(
        allowed=only("principal_a"),
        ok=302,
        method="post",
        targets={"a": lambda w: {"delegation_id": w.delegation.pk}},
    ),
    # The access log's pages (audit:*): tests/matrix_rows/security.py.
    "front:start": Row(allowed=everyone),
    "front:pupil_list": Row(allowed=everyone),
    "front:pupil_detail": Row(allowed=sees_pupil, targets=PUPIL_TARGETS),
    "front:unit_detail": Row(
        allowed=lambda p, t: (t == "a" and p in LEADERS_A) or (t == "b" and p == "principal_b"),
        targets={
            "a": lambda w: {"unit_id": w.units["a"].pk},
            "b": lambda w: {"unit_id": w.units["b"].pk},
            "c": lambda w: {"unit_id": w.units["c"].pk},
        },
    ),
    "front:organisation": Row(allowed=only("huvudman_admin")),
}


# Each area module's `prepare(world)`: builds every record its rows read (and cache on the world)
# before the first test, in the module's transaction. Built inside one test instead, a record
# would be rolled back with that test's savepoint while still cached for the next.
PREPARE: list[Callable[[World], None]] = []


def _merge_area_rows() -> None:
    """Rows for the support chain live beside their feature (tests/matrix_rows/*.py)."""
    import importlib
    import pkgutil

    import tests.matrix_rows as package

    for module_info in pkgutil.iter_modules(package.__path__):
        module: ModuleType = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for name, row in module.ROWS.items():
            assert name not in MATRIX, f"{name} has two matrix rows"
            MATRIX[name] = row
        if hasattr(module, "prepare"):
            PREPARE.append(module.prepare)


_NO_DEVICE = {
    "guardian_x",
    "guardian_x_no_custody",
    "guardian_y",
    "pupil_x",
    "pupil_y",
}


_merge_area_rows()


def url_routes() -> Iterator[tuple[str, str]]:
    """Every URL pattern's name (with its namespaces) and its whole route."""

    def walk(
        resolver: URLResolver, namespace: str | None, prefix: str
    ) -> Iterator[tuple[str, str]]:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, inner, route)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or f"<unnamed {pattern.pattern}>"
                yield (f"{namespace}:{name}" if namespace else name), route

    yield from walk(get_resolver(), None, "")


def url_names() -> Iterator[str]:
    return (name for name, _route in url_routes())


ALL_NAMES = sorted(set(url_names()))
APP_NAMES = [name for name in ALL_NAMES if not name.startswith("admin:")]


def test_every_url_pattern_has_a_row_in_the_matrix() -> None:
    missing = [name for name in APP_NAMES if name not in MATRIX]
    assert missing == [], f"URL patterns without an authorization row: {missing}"
    stale = [name for name in MATRIX if name not in APP_NAMES]
    assert stale == [], f"Matrix rows for URL patterns that no longer exist: {stale}"


def _canaries_hidden_from(persona: str) -> list[str]:
    return [CANARIES[key] for key in CANARIES if key not in VISIBLE[persona]]


def _leaked(persona: str, body: str) -> list[str]:
    return [c for c in _canaries_hidden_from(persona) if c in body]


# ----------------------------------------------------------------------------- the module's world


class _DocumentHTML:
    """Stands in for weasyprint.HTML in `rendering.render_pdf`: the "PDF" is the exact HTML
    the real `render_html` produced for the document, so the canary check reads its text."""

    def __init__(self, *, string: str, **_options: Any) -> None:
        self.string = string

    def write_pdf(self, *_args: Any, **_options: Any) -> bytes:
        return self.string.encode()


@dataclass
class SignedIn:
    """The module's world and one session per signed-in persona (its session key)."""

    world: World
    sessions: dict[str, str]

    def client(self, persona: str) -> Client:
        """A fresh client carrying the persona's session (none for the anonymous persona)."""
        client = Client()
        if persona in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client


def _cached_on(world: World) -> dict[str, object]:
    """What is kept on the world (the area modules cache their records there), by key. A test
    must never add to it: a record first built inside a test is rolled back after it.
    `_specialed_next` is not a cache: each target that sets it is followed by the query that
    reads it, in the same request."""
    return {
        name: sorted(value) if isinstance(value, dict) else value
        for name, value in vars(world).items()
        if name != "_specialed_next"
    }


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker) -> Iterator[SignedIn]:  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as patch, kept_for_scope(django_db_blocker):
        patch.setattr(rendering, "HTML", _DocumentHTML)
        world = build_world()
        for prepare in PREPARE:
            prepare(world)
        # Signed in as World.client_for does (force_login, the second factor in the session).
        sessions = {
            persona: world.client_for(persona).cookies[settings.SESSION_COOKIE_NAME].value
            for persona in PERSONAS
            if persona != "anonymous"
        }
        yield SignedIn(world=world, sessions=sessions)


@pytest.fixture
def world(matrix: SignedIn, db) -> Iterator[World]:  # type: ignore[no-untyped-def]
    """The module's world (overrides conftest.py's here), each test in a savepoint of it."""
    # Cached page fragments may name rows that an earlier test wrote and rolled back.
    cache.clear()
    before = _cached_on(matrix.world)
    yield matrix.world
    assert _cached_on(matrix.world) == before, "a test cached a record built inside it"


def _request(matrix: SignedIn, name: str, persona: str, target: str) -> HttpResponse:
    row = MATRIX[name]
    url = reverse(name, kwargs=row.targets[target](matrix.world) or None)
    query = row.query(matrix.world, target) if row.query else {}
    response: HttpResponse = getattr(matrix.client(persona), row.method)(url, query)
    if response.get("Content-Type") == "application/pdf":
        # Real PDF bytes would hide every canary: the document must be served as its HTML.
        assert not response.content.startswith(b"%PDF"), f"{name}: a PDF not made by render_pdf"
    return response


# ----------------------------------------------------------------------------- the matrix


@pytest.mark.parametrize("name", [n for n in APP_NAMES if n in MATRIX])
def test_matrix_row(matrix: SignedIn, world: World, name: str) -> None:
    row = MATRIX[name]
    failures = []
    for persona in PERSONAS:
        for target in row.targets:
            response = _request(matrix, name, persona, target)
            expected = row.expected(persona, target)
            if response.status_code != expected:
                failures.append(f"{persona} {target}: {response.status_code} != {expected}")
            leaked = _leaked(persona, response.content.decode(errors="replace"))
            if leaked:
                failures.append(f"{persona} {target}: leaked {leaked}")
    assert failures == []


# Every row serving a PDF, with a persona allowed to read it and what its document must say:
# the canary of a pupil the persona sees, or, for documents that never name a pupil, a name
# from the world. Proves the canary check above reads the document's text, so it can fail.
PDF_ROWS = {
    "support:programme_pdf": ("principal_a", "x", CANARIES["x"]),
    "support:decision_pdf": ("guardian_y", "y", CANARIES["y"]),
    "support:investigation_pdf": ("special_educator_a", "z", CANARIES["z"]),
    "support:follow_up_pdf": ("mentor_a", "x", CANARIES["x"]),
    "api:action_programme_pdf": ("principal_b", "y", CANARIES["y"]),
    "quality:unit_report": ("principal_a", "a", "Björkskolan"),
    "quality:provider_report": ("huvudman_admin", "-", "Exempelstads kommun"),
    "routines:deviation_export_pdf": ("principal_a", "-", "Avvikelser i samverkan"),
}


@pytest.mark.parametrize("name", sorted(PDF_ROWS))
def test_pdf_rows_are_checked_in_the_document_text(
    matrix: SignedIn, world: World, name: str
) -> None:
    persona, target, expected_text = PDF_ROWS[name]
    response = _request(matrix, name, persona, target)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content.decode()
    assert "<html" in body, body[:200]
    assert expected_text in body
    if expected_text in CANARIES.values():
        # The same document served to someone who may not see its pupil fails the matrix.
        outsider = next(p for p in PERSONAS if expected_text in _canaries_hidden_from(p))
        assert _leaked(outsider, body) == [expected_text]


def test_every_pdf_route_is_in_pdf_rows() -> None:
    """PDF_ROWS names every URL pattern whose route serves a PDF (the routes say "pdf")."""
    pdf_names = {name for name, route in url_routes() if "pdf" in route.lower()}
    assert sorted(pdf_names) == sorted(PDF_ROWS)


def test_a_logout_is_undone_with_its_test(matrix: SignedIn, world: World) -> None:
    """The logout row flushes each persona's shared session; the savepoint around the test
    (here an inner one) brings it back, so the next test is still signed in."""
    start = reverse("front:start")
    with transaction.atomic():
        assert matrix.client("principal_a").post(reverse("accounts:logout")).status_code == 302
        assert matrix.client("principal_a").get(start).status_code == 302
        transaction.set_rollback(True)
    assert matrix.client("principal_a").get(start).status_code == 200


def test_forbidden_revoke_changes_nothing(world: World) -> None:
    client = world.client_for("principal_b")
    url = reverse("organisation:delegation_revoke", kwargs={"delegation_id": world.delegation.pk})
    assert client.post(url).status_code == 404
    world.delegation.refresh_from_db()
    assert world.delegation.revoked_at is None


# Named regressions from IMY's Skolplattformen decision (security.md).


def test_guardian_cannot_open_other_child(world: World) -> None:
    client = world.client_for("guardian_x")
    for name in ("front:pupil_detail", "api:get_pupil"):
        response = client.get(reverse(name, kwargs={"pupil_id": world.pupils["y"].pk}))
        assert response.status_code == 404
        assert CANARIES["y"] not in response.content.decode()


def test_unrelated_staff_cannot_see_protected_pupil(world: World) -> None:
    z = world.pupils["z"]
    for persona in ("principal_a", "mentor_a", "teacher_a", "counsellor_a", "principal_b"):
        client = world.client_for(persona)
        assert (
            client.get(reverse("front:pupil_detail", kwargs={"pupil_id": z.pk})).status_code == 404
        )
        listing = client.get(reverse("front:pupil_list"), {"q": "ElevZ"})
        assert CANARIES["z"] not in listing.content.decode()
        assert CANARIES["z"] not in client.get(reverse("front:start")).content.decode()
        assert CANARIES["z"] not in client.get("/api/v1/pupils/?limit=100").content.decode()


def test_admin_urls_require_login_and_staff_role(world: World) -> None:
    for persona in PERSONAS:
        client = world.client_for(persona)
        for path in ("/admin/", "/admin/accounts/user/", "/admin/login/"):
            response = client.get(path)
            assert response.status_code == 302, (persona, path)
            assert (
                response["Location"].startswith("/accounts/login/")
                or "/admin/login/" in response["Location"]
            )
