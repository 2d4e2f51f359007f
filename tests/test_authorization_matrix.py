"""The authorization matrix (security.md): every URL pattern × every persona × every target.

Walks get_resolver(): a pattern without a row here fails the suite, so a new page cannot ship
without a declared expectation. Canary strings of pupils a persona may not see must never
appear in any response.
"""

import uuid
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix import (
    LEADERS_A,
    PUPIL_TARGETS,
    Row,
    everyone,
    leads_unit_of,
    only,
    sees_pupil,
)
from tests.world import CANARIES, PERSONAS, STAFF, VISIBLE, World

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
    "audit:log_review": Row(allowed=only("principal_a", "deputy_a", "principal_b")),
    "audit:log_review_record": Row(
        allowed=only("principal_a", "deputy_a", "principal_b"), ok=302, method="post"
    ),
    "audit:pupil_log_extract": Row(allowed=leads_unit_of, targets=PUPIL_TARGETS),
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


def _merge_area_rows() -> None:
    """Rows for the support chain live beside their feature (tests/matrix_rows/*.py)."""
    import importlib
    import pkgutil

    import tests.matrix_rows as package

    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for name, row in module.ROWS.items():
            assert name not in MATRIX, f"{name} has two matrix rows"
            MATRIX[name] = row


_NO_DEVICE = {
    "guardian_x",
    "guardian_x_no_custody",
    "guardian_y",
    "pupil_x",
    "pupil_y",
}


_merge_area_rows()


def url_names() -> Iterator[str]:
    def walk(resolver: URLResolver, namespace: str | None) -> Iterator[str]:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or f"<unnamed {pattern.pattern}>"
                yield f"{namespace}:{name}" if namespace else name

    yield from walk(get_resolver(), None)


ALL_NAMES = sorted(set(url_names()))
APP_NAMES = [name for name in ALL_NAMES if not name.startswith("admin:")]


def test_every_url_pattern_has_a_row_in_the_matrix() -> None:
    missing = [name for name in APP_NAMES if name not in MATRIX]
    assert missing == [], f"URL patterns without an authorization row: {missing}"
    stale = [name for name in MATRIX if name not in APP_NAMES]
    assert stale == [], f"Matrix rows for URL patterns that no longer exist: {stale}"


def _canaries_hidden_from(persona: str) -> list[str]:
    return [CANARIES[key] for key in CANARIES if key not in VISIBLE[persona]]


@pytest.mark.parametrize("name", [n for n in APP_NAMES if n in MATRIX])
def test_matrix_row(world: World, name: str) -> None:
    row = MATRIX[name]
    failures = []
    for persona in PERSONAS:
        for target, kwargs_for in row.targets.items():
            client = world.client_for(persona)
            url = reverse(name, kwargs=kwargs_for(world) or None)
            query = row.query(world, target) if row.query else {}
            response = getattr(client, row.method)(url, query)
            expected = row.expected(persona, target)
            if response.status_code != expected:
                failures.append(f"{persona} {target}: {response.status_code} != {expected}")
            body = response.content.decode(errors="replace")
            leaked = [c for c in _canaries_hidden_from(persona) if c in body]
            if leaked:
                failures.append(f"{persona} {target}: leaked {leaked}")
    assert failures == []


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
