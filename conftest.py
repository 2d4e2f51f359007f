import os

import factory.random
import pytest
from hypothesis import settings as hypothesis_settings

from tests.world import World, build_world

# With ELEVSTOD_REQUIRE_BROWSER=1 (CI's PostgreSQL run), a run without a browser test fails.
pytest_plugins = ["tests.browser_required"]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (pyproject.toml): on SQLite one worker more than there are cores, since a
    browser test waits on chromium and the live server in turn (two workers on two cores left
    a fifth of the CPU idle; three kept it 94 % busy). On PostgreSQL as many as cores: the
    server needs its share and each worker migrates its own database (9 s), and a third worker
    gained nothing (4:44 and 5:07 with two, 5:05 with three; decision 0010)."""
    cores = os.cpu_count() or 1
    on_postgresql = os.environ.get("ELEVSTOD_DB_ENGINE", "").startswith("postgres")
    return cores if on_postgresql else cores + 1


# Faker-generated names are repeatable between runs.
factory.random.reseed_random("elevstod")

# Hypothesis: HYPOTHESIS_PROFILE=ci (.ci/run) is Hypothesis's own "ci" profile (the same
# examples every run, no example database, no deadline, a failure printed as a blob to
# reproduce) with half the examples. Properties whose ground is also covered elsewhere (table
# tests beside them, or the same property at another level) state their counts as multiples of
# settings.default.max_examples, so CI runs half of them; the others keep fixed counts. No
# example database in CI: the tree is fresh, and the pytest-xdist workers share nothing.
# Without the variable Hypothesis chooses as before: "default", or "ci" (this one) if CI is set.
hypothesis_settings.register_profile("ci", hypothesis_settings.get_profile("ci"), max_examples=50)
if "HYPOTHESIS_PROFILE" in os.environ:
    hypothesis_settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    return build_world()


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    """Each test starts in the default language (Swedish). LocaleMiddleware leaves the language
    of the last request active on the thread, so without this a test that asked for English
    would change what the next test on the same worker sees."""
    from django.conf import settings
    from django.utils import translation

    from elevstod.audit.recording import clear_acting_role

    translation.activate(settings.LANGUAGE_CODE)
    clear_acting_role()
    yield
    translation.deactivate()
