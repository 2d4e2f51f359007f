import factory.random
import pytest

from tests.world import World, build_world

# Faker-generated names are repeatable between runs.
factory.random.reseed_random("elevstod")


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    return build_world()
