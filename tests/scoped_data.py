"""Data built once for a whole module (or class) of tests, inside a transaction that is rolled back.

Building a world or a demo municipality per test repeated the same inserts hundreds of times
(decision 0010). A fixture of wider scope builds it once inside `kept_for_scope()`; each test's
own `db` fixture then runs inside a savepoint nested in that transaction, so whatever a test
writes is undone after it, and the scope's data is undone at its end. Nothing is committed, so
the tests that follow on the same pytest-xdist worker see an empty database, as before.

    @pytest.fixture(scope="module")
    def municipality(django_db_setup, django_db_blocker):
        with kept_for_scope(django_db_blocker):
            yield generate(tier="small", seed=1)

Only for tests that use `db` (a transaction rolled back per test): `transactional_db` and the
live server commit and flush, which would end the scope's transaction.
"""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date

from django.core.cache import cache
from django.db import connections, transaction
from django.test import override_settings


@contextmanager
def kept_for_scope(django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), ExitStack() as stack:
        for alias in connections:
            stack.enter_context(transaction.atomic(using=alias))
        try:
            yield
        finally:
            for alias in connections:
                transaction.set_rollback(True, using=alias)
            # Cached fragments may name rows that are about to disappear.
            cache.clear()


@contextmanager
def demo_municipality_for_scope(  # type: ignore[no-untyped-def]
    django_db_blocker, *, today: date, access_log: bool = False
) -> Iterator[dict]:
    """The small demo municipality (seed 1) as of `today`, generated once for a scope:

    @pytest.fixture(scope="module")
    def _generated(django_db_setup, django_db_blocker):
        with demo_municipality_for_scope(django_db_blocker, today=TODAY) as generated:
            yield generated
    """
    from elevstod.demo.generator import generate

    with kept_for_scope(django_db_blocker):
        with override_settings(ELEVSTOD_DEMO_MODE=True):  # the generator refuses outside it
            generated = generate(tier="small", seed=1, today=today, access_log=access_log)
        yield generated
