"""The mock provider with the built-in municipality, and a client pointed at it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from elevstod.ss12000.client import ClientConfig, SS12000Client
from elevstod.ss12000.mock.fixture import small_dataset
from elevstod.ss12000.mock.server import MockProvider
from elevstod.ss12000.tests.conformance import assert_conforms

TODAY = dt.date(2026, 10, 5)


@pytest.fixture
def provider() -> Iterator[MockProvider]:
    mock = MockProvider(small_dataset(), page_size=100, delay_seconds=0.5).start()
    try:
        yield mock
    finally:
        mock.stop()
    assert_conforms(mock.responses)


@pytest.fixture
def client(provider: MockProvider) -> Iterator[SS12000Client]:
    config = ClientConfig(
        base_url=provider.url, timeout_seconds=5.0, max_attempts=2, backoff_seconds=0, page_size=3
    )
    with SS12000Client(config, sleep=lambda _seconds: None) as ss12000:
        yield ss12000


@pytest.fixture
def lax_client() -> Iterator[tuple[SS12000Client, MockProvider]]:
    """A provider that sends rows the standard does not allow (its answers are not held to the
    document, as `provider`'s are), and a client pointed at it."""
    mock = MockProvider(small_dataset(), page_size=100).start()
    config = ClientConfig(base_url=mock.url, timeout_seconds=5.0, max_attempts=1, page_size=50)
    try:
        with SS12000Client(config, sleep=lambda _seconds: None) as ss12000:
            yield ss12000, mock
    finally:
        mock.stop()
