"""The records' free text sealed with the case's key, and the keyed pseudonyms (#26 point 1,
core/sealed.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from core.case_keys import CaseKeys
from core.sealed import ERASED, SEALED, Sealer
from records.database import create_records_engine, migrate
from records.schema import case_keys
from tests.support import SmtpRecorder

CASE, OTHER = "WC-00000000A1", "WC-00000000B2"
NOTE = "Rückruf bei Frau Sommer am Montag"


def keys_on(engine: Engine, master: bytes | None = None) -> CaseKeys:
    migrate(engine)
    url = engine.url.render_as_string(hide_password=False)
    return CaseKeys(url, {"k1": master or os.urandom(32)}, "k1")


def test_a_sealed_value_opens_only_with_its_case_and_column(fresh_engine: Engine) -> None:
    sealer = Sealer(keys_on(fresh_engine))
    sealed = sealer.seal(CASE, "case_events.note", NOTE)
    assert sealed is not None and sealed.startswith(SEALED) and "Sommer" not in sealed
    assert sealed != sealer.seal(CASE, "case_events.note", NOTE)  # a fresh nonce each time
    assert sealer.open(CASE, "case_events.note", sealed) == NOTE
    # Bound to where it was written: moved to another column or case, it does not open.
    with pytest.raises(ValueError, match="does not open"):
        sealer.open(CASE, "case_events.summary", sealed)
    sealer.seal(OTHER, "case_events.note", "x")  # the other case has its own key
    with pytest.raises(ValueError, match="does not open"):
        sealer.open(OTHER, "case_events.note", sealed)


@pytest.mark.parametrize(
    ("value", "reads_as"),
    [
        (None, None),  # an empty column stays empty
        ("Vermerk von früher", "Vermerk von früher"),  # written before sealing: as it is
        ("", ""),
    ],
)
def test_what_is_not_sealed_reads_as_it_is(fresh_engine: Engine, value: str | None, reads_as: str | None) -> None:
    sealer = Sealer(keys_on(fresh_engine))
    assert sealer.open(CASE, "case_events.note", value) == reads_as


def test_once_the_case_key_is_destroyed_every_copy_reads_as_erased(fresh_engine: Engine) -> None:
    keys = keys_on(fresh_engine)
    dumped = Sealer(keys).seal(CASE, "cases.employer_name", "Konditorei Mondschein Sehnde GmbH")
    with fresh_engine.begin() as conn:  # what the erasure does (records/erasure.py)
        conn.execute(delete(case_keys).where(case_keys.c.case_id == CASE))
    # A process that never held the key, and one that held it once its seconds ran out.
    assert Sealer(keys_on(fresh_engine, master=None)).open(CASE, "cases.employer_name", dumped) == ERASED
    keys._cache.clear()
    assert Sealer(keys).open(CASE, "cases.employer_name", dumped) == ERASED


def test_pseudonyms_are_keyed_per_installation_and_stable_within_it(fresh_engine: Engine) -> None:
    master = os.urandom(32)
    here = Sealer(keys_on(fresh_engine, master))
    name = "Konditorei Mondschein Sehnde GmbH"
    pseudonym = here.pseudonym("employer", name)
    # The same company however it was typed, in every process of this installation.
    assert here.pseudonym("employer", "  konditorei  MONDSCHEIN sehnde gmbh") == pseudonym
    assert Sealer(keys_on(fresh_engine, master)).pseudonym("employer", name) == pseudonym
    # Not the unkeyed hash anyone with a list of company names can compute.
    assert pseudonym not in hashlib.sha256(name.lower().encode()).hexdigest()
    assert here.pseudonym("employer", "Haustechnik Gehrden GmbH") != pseudonym


def test_another_installation_gets_other_pseudonyms(tmp_path: Path) -> None:
    engines = [create_records_engine(f"sqlite:///{tmp_path / n}.sqlite3") for n in ("a", "b")]
    try:
        found = {Sealer(keys_on(e)).pseudonym("employer", "Haustechnik Gehrden GmbH") for e in engines}
    finally:
        for e in engines:
            e.dispose()
    assert len(found) == 2


def test_without_payload_keys_nothing_is_sealed() -> None:
    # The test stack under the migration switch only: the product does not start without keys.
    sealer = Sealer(None)
    assert sealer.seal(CASE, "case_events.note", NOTE) == NOTE and not sealer.active
    with pytest.raises(ValueError, match="no payload key"):
        sealer.open(CASE, "case_events.note", SEALED + "AAAA")


def test_rows_written_before_sealing_are_sealed_once_and_erased_cases_left_alone(fresh_engine: Engine) -> None:
    from sqlalchemy import select, text

    from core.sealed import seal_existing
    from records.schema import case_events, cases, erasures

    sealer = Sealer(keys_on(fresh_engine))
    with fresh_engine.begin() as conn:
        for case_id, name in ((CASE, "Haustechnik Gehrden GmbH"), (OTHER, "erased:0123456789abcdef")):
            conn.execute(
                cases.insert().values(
                    case_id=case_id, stage="closed", advisor="m.koch", employer_name=name, occupation="cook",
                    route="18a", procedure="regular", positions=1, origin_countries="",
                    opened_at=text("CURRENT_TIMESTAMP"), last_event_seq=1,
                    outcome_reason="Stelle anders besetzt" if case_id == CASE else None,
                )
            )  # fmt: skip
            conn.execute(
                case_events.insert().values(
                    case_id=case_id, seq=1, occurred_at=text("CURRENT_TIMESTAMP"), action="add_note", advisor="m.koch",
                    to_stage="closed", summary="Notiz", note=NOTE if case_id == CASE else None,
                )
            )  # fmt: skip
        conn.execute(
            erasures.insert().values(case_id=OTHER, erased_at=text("CURRENT_TIMESTAMP"), erased_by="t.lead", basis="x")
        )

    assert seal_existing(fresh_engine, sealer) == 2  # the case row and its event; not the erased case's
    with fresh_engine.connect() as conn:
        ours = conn.execute(select(cases).where(cases.c.case_id == CASE)).one()
        event = conn.execute(select(case_events).where(case_events.c.case_id == CASE)).one()
        erased = conn.execute(select(cases).where(cases.c.case_id == OTHER)).one()
    assert sealer.open(CASE, "cases.employer_name", ours.employer_name) == "Haustechnik Gehrden GmbH"
    assert sealer.open(CASE, "cases.outcome_reason", ours.outcome_reason) == "Stelle anders besetzt"
    assert sealer.open(CASE, "case_events.note", event.note) == NOTE
    assert ours.employer_pseudonym == sealer.pseudonym("employer", "Haustechnik Gehrden GmbH")
    assert (erased.employer_name, erased.employer_pseudonym) == ("erased:0123456789abcdef", None)
    assert seal_existing(fresh_engine, sealer) == 0


def test_the_seal_existing_command_as_operations_run_it(tmp_path: Path) -> None:
    # docs/operations.md names it: run once after upgrading, with the product's settings.
    import base64
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    database = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WC_PAYLOAD_KEY")} | {"WC_DATABASE_URL": database}
    command = [sys.executable, "-m", "core.sealed", "seal-existing"]
    # From an empty directory: no .env file there to bring keys along.
    run = subprocess.run(command, cwd=tmp_path, env=env | {"PYTHONPATH": str(root)}, capture_output=True, text=True)
    assert (run.returncode, "payload_keys: none configured" in run.stderr) == (2, True), run.stderr
    env["WC_PAYLOAD_KEYS"] = "k1:" + base64.b64encode(os.urandom(32)).decode()
    run = subprocess.run(command, cwd=tmp_path, env=env | {"PYTHONPATH": str(root)}, capture_output=True, text=True)
    assert (run.returncode, run.stdout.strip()) == (0, "0 row(s) sealed"), run.stderr


def dump_of(engine: Engine) -> str:
    """The database as a backup holds it, taken by another process: pg_dump, or SQLite's
    own dump (a file this process opened would drop SQLite's locks, test_erase_case.py)."""
    import shutil
    import subprocess
    import sys

    from sqlalchemy.engine import make_url

    if engine.dialect.name == "postgresql":
        pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
        url = make_url(engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
        command = [pg_dump, "--data-only", "--dbname", url.render_as_string(hide_password=False)]
    else:
        script = "import sqlite3, sys; print('\\n'.join(sqlite3.connect(sys.argv[1]).iterdump()))"
        command = [sys.executable, "-c", script, str(engine.url.database)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_a_dump_taken_before_the_erasure_holds_nothing_readable_after_it(fresh_engine: Engine) -> None:
    import re

    from activities.records import CaseRecordActivities
    from core.sealed import SEALED_COLUMNS
    from models import clock
    from models.records import CaseTransitionRecord
    from records.erasure import erase_records

    keys = keys_on(fresh_engine)
    sealer = Sealer(keys)
    now = clock.now()
    employer = "Konditorei Mondschein Sehnde GmbH"
    record = CaseTransitionRecord.model_validate(
        {
            "event": {"seq": 2, "occurred_at": now, "action": "add_note", "advisor": "m.koch",
                      "from_stage": "consultation", "to_stage": "consultation", "summary": "Notiz", "note": NOTE},
            "row": {"case_id": CASE, "stage": "consultation", "advisor": "m.koch", "employer_name": employer,
                    "occupation": "cook", "route": "18a", "procedure": "regular", "positions": 1,
                    "origin_countries": "", "outcome": None, "outcome_reason": None, "opened_at": now,
                    "closed_at": None, "next_due_on": None},
        }
    )  # fmt: skip
    assert CaseRecordActivities(fresh_engine, sealer=sealer).record_case_transition(record)

    dump = dump_of(fresh_engine)
    assert NOTE not in dump and employer not in dump and "Mondschein" not in dump
    columns = [f"{table}.{column}" for table, names in SEALED_COLUMNS.items() for column in names]

    def opened(value: str) -> str | None:
        for column in columns:
            try:
                return sealer.open(CASE, column, value)
            except ValueError:
                continue
        return None

    sealed_in_dump = re.findall(re.escape(SEALED) + r"[A-Za-z0-9+/=]+", dump)
    assert {NOTE, employer} <= {opened(v) for v in sealed_in_dump}  # the backup holds them, sealed

    erase_records(fresh_engine, CASE, "t.lead", "Art. 17", lambda name: sealer.pseudonym("employer", name))
    keys._cache.clear()  # past core/case_keys.KEEP_SECONDS
    assert {opened(v) for v in sealed_in_dump} == {ERASED}  # the same backup: nothing opens


def test_an_email_queued_by_an_old_history_is_sealed_at_rest_and_sent_readable(
    fresh_engine: Engine, smtp: tuple[str, int, SmtpRecorder]
) -> None:
    from sqlalchemy import select

    from activities.notifications import NotificationActivities
    from core.config import Settings
    from models.mail import Notification, RecipientRole
    from records.schema import notifications

    host, port, recorder = smtp
    sealer = Sealer(keys_on(fresh_engine))
    settings = Settings(smtp_host=host, smtp_port=port, _env_file=None)  # type: ignore[call-arg]
    key = f"case-{CASE}-j1/7/advisor/{fresh_engine.dialect.name}/sealed"
    email = Notification(
        idempotency_key=key, case_id=CASE, recipient_role=RecipientRole.ADVISOR, advisor="m.koch",
        subject=f"[{CASE}] Rückruf", body=NOTE,
    )  # fmt: skip
    before = len(recorder.messages)
    assert NotificationActivities(fresh_engine, settings, sealer).send_notification(email)
    with fresh_engine.connect() as conn:
        row = conn.execute(select(notifications).where(notifications.c.idempotency_key == key)).one()
    assert row.subject.startswith(SEALED) and row.body.startswith(SEALED)
    (sent,) = recorder.messages[before:]
    assert sent["X-Case-Id"] == CASE and "sealed1:" not in str(sent["Subject"]) + str(sent.get_payload())
