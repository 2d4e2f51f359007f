import factory.random
import pytest

from tests.world import World, build_world

# Faker-generated names are repeatable between runs.
factory.random.reseed_random("elevstod")


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
