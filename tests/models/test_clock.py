"""The one clock outside workflows (models/clock.py) moves as a whole, so the unit suite can
run as if it were a year later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from models import clock
from models.berlin import local_date


@pytest.fixture
def restored() -> Iterator[None]:
    before = clock.now() - datetime.now(UTC)  # real clock: the offset the session runs with
    yield
    clock.move_ahead(round(before / timedelta(days=1)))


def test_moving_the_clock_moves_now_and_today(restored: None) -> None:
    clock.move_ahead(365)
    real = datetime.now(UTC)  # real clock: what the moved clock is compared with
    assert timedelta(days=365) <= clock.now() - real < timedelta(days=365, seconds=5)
    assert clock.today() == local_date(clock.now())
    clock.move_ahead(0)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)  # real clock: back to it
