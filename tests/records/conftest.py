"""The records tests run on both databases: SQLite (the default) and PostgreSQL.

bin/test starts a throwaway PostgreSQL server and passes its URL in
WC_TEST_POSTGRES_URL; without it (a bare `pytest`) the PostgreSQL half is skipped
with that reason in the summary.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from core.config import Settings
from records.database import create_records_engine
from tests.support import SmtpRecorder, start_smtp_server


@pytest.fixture
def own_smtp() -> Iterator[tuple[Settings, SmtpRecorder]]:
    """A mail server of the test's own, and settings that send to it."""
    controller, recorder = start_smtp_server()
    settings = Settings(smtp_host=controller.hostname, smtp_port=controller.port, _env_file=None)  # type: ignore[call-arg]
    yield settings, recorder
    controller.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each kind (PostgreSQL: a new database per test)."""
    if request.param == "sqlite":
        engine = create_records_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
        yield engine
        engine.dispose()
        return
    base = os.environ.get("WC_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("WC_TEST_POSTGRES_URL not set (bin/test starts a PostgreSQL server)")
    name = f"records_{uuid.uuid4().hex[:12]}"
    admin = create_records_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_records_engine(make_url(base).set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()
