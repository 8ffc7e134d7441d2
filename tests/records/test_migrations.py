"""The records schema lives under Alembic migrations, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text

from records.database import BASELINE, migrate
from records.schema import cases, metadata


def test_migrations_build_exactly_the_schema_the_code_uses(fresh_engine: Engine) -> None:
    migrate(fresh_engine)
    with fresh_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert diff == []
    assert version == "0014"


def test_migrate_is_safe_to_run_again(fresh_engine: Engine) -> None:
    migrate(fresh_engine)
    migrate(fresh_engine)
    assert {"cases", "case_events", "notifications", "journeys", "journey_events"} <= set(
        inspect(fresh_engine).get_table_names()
    )


def test_a_database_from_before_migrations_is_adopted_and_keeps_its_rows(fresh_engine: Engine) -> None:
    # What create_all built before Alembic: the tables of the first revision, no version table.
    migrate(fresh_engine, revision=BASELINE)
    with fresh_engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(
            cases.insert().values(
                case_id="WC-0000000001", stage="consultation", advisor="m.koch", employer_name="X GmbH",
                occupation="cook", route="18a", procedure="regular", positions=1, origin_countries="",
                opened_at=text("CURRENT_TIMESTAMP"), last_event_seq=1,
            )
        )  # fmt: skip
    migrate(fresh_engine)
    with fresh_engine.connect() as conn:
        assert conn.execute(select(cases.c.case_id)).scalars().all() == ["WC-0000000001"]
    assert "journeys" in inspect(fresh_engine).get_table_names()


def test_workers_starting_together_migrate_one_at_a_time(fresh_engine: Engine) -> None:
    # bin/cluster and compose start several workers at once, each migrating on start: on
    # PostgreSQL two concurrent first migrations collided on CREATE TABLE alembic_version.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        for future in [pool.submit(migrate, fresh_engine) for _ in range(3)]:
            future.result()
    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0014"


def _downgrade(engine: Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from records.database import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_the_pseudonym_revisions_go_back_only_while_nothing_counts_on_them(fresh_engine: Engine) -> None:
    """0014 and 0013 refuse a downgrade that would lose what the figures count by (an erased
    journey's or case's pseudonym) or cut sealed values; unused, they go back."""
    import pytest

    migrate(fresh_engine)
    _downgrade(fresh_engine, "0012")  # nothing written yet: both go
    migrate(fresh_engine)
    with fresh_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO journeys (journey_id, case_id, number, candidate_ref, candidate_pseudonym, origin_country,"
                " occupation, route, procedure, stage, started_at, last_event_seq, documents)"
                " VALUES ('case-WC-00000000A1-j1', 'WC-00000000A1', 1, 'erased', 'p1', 'TN', 'cook', '18a',"
                " 'regular', 'finished', CURRENT_TIMESTAMP, 1, '')"
            )
        )
    with pytest.raises(RuntimeError, match="0014 cannot be downgraded"):
        _downgrade(fresh_engine, "0013")
    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0014"
        assert conn.execute(text("SELECT candidate_pseudonym FROM journeys")).scalar_one() == "p1"
