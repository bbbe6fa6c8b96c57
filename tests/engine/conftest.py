"""Fixtures of the engine tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import pypac
from tests.support.sound_servers import PrivateServer


@pytest.fixture
def enumerator(sound_server: PrivateServer) -> Iterator[pypac.SessionEnumerator]:
    en = pypac.SessionEnumerator()
    yield en
    en.close()
