"""After a repair, an event written again keeps its email once, and an email with new content
goes out under a key of its own (#26 point 6, activities/records.py): the reset run of
``repair`` writes the discarded part again, and an email sent before the reset must neither
go out twice nor hide what the event now says. On SQLite and PostgreSQL, sealed as the
worker writes them."""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from activities.records import CaseRecordActivities
from core.sealed import Sealer
from models.journey import JourneyStage
from models.mail import Notification, RecipientRole, again_key
from models.records import JourneyTransitionRecord
from records.schema import journey_events, notifications
from starter.repair import take_back
from tests.records.test_record_activities import journey_record
from tests.records.test_sealed import keys_on

WORKFLOW = "case-WC-0000000042-j1"
KEY = f"{WORKFLOW}/3/advisor"


def with_email(body: str) -> JourneyTransitionRecord:
    record = journey_record(3, JourneyStage.RECOGNITION)
    email = Notification(
        idempotency_key=KEY, case_id="WC-0000000042", recipient_role=RecipientRole.ADVISOR, advisor="m.koch",
        subject="[WC-0000000042 / THAMM-4711] Anerkennung", body=body,
    )  # fmt: skip
    return record.model_copy(update={"notification": email})


def emails(engine: Engine, sealer: Sealer) -> dict[str, tuple[str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(select(notifications.c.idempotency_key, notifications.c.status, notifications.c.body))
        return {r.idempotency_key: (r.status, sealer.open("WC-0000000042", "notifications.body", r.body)) for r in rows}


def sent(engine: Engine, key: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(notifications).where(notifications.c.idempotency_key == key).values(status="sent"))


def reset(engine: Engine) -> None:
    """What ``repair`` does to the records before the reset: event 3 on is taken back."""
    url = engine.url.render_as_string(hide_password=False)
    taken = take_back(url, WORKFLOW, [{"event": {"seq": 3}, "notification": {"idempotency_key": KEY}}])
    assert taken == 1
    with engine.connect() as conn:
        assert conn.execute(select(journey_events.c.seq)).scalars().all() == []


def test_an_email_written_again_goes_out_once_and_one_with_new_content_under_its_own_key(
    fresh_engine: Engine,
) -> None:
    sealer = Sealer(keys_on(fresh_engine))
    queued: list[str] = []
    records = CaseRecordActivities(fresh_engine, email_queued=queued.append, sealer=sealer)
    assert records.record_journey_transition(with_email("Die Anerkennung ist eingegangen.")) is True
    sent(fresh_engine, KEY)
    assert queued == [KEY]

    # Reset, and the event written again saying the same: the email is not sent again.
    reset(fresh_engine)
    assert records.record_journey_transition(with_email("Die Anerkennung ist eingegangen.")) is True
    assert emails(fresh_engine, sealer) == {KEY: ("sent", "Die Anerkennung ist eingegangen.")}
    assert queued == [KEY]

    # Reset, and the event now says something else (a deadline ran out meanwhile): its
    # email goes out under a key of its own; a retry of the activity adds nothing.
    reset(fresh_engine)
    changed = with_email("Die Frist für die Anerkennung ist abgelaufen.")
    assert records.record_journey_transition(changed) is True
    assert records.record_journey_transition(changed) is False
    second = again_key(KEY, 2)
    assert emails(fresh_engine, sealer) == {
        KEY: ("sent", "Die Anerkennung ist eingegangen."),
        second: ("pending", "Die Frist für die Anerkennung ist abgelaufen."),
    }
    assert queued == [KEY, second, KEY]  # the retry hands the relay the event's key: sent, so skipped

    # A later repair takes the unsent one back with its event, and the next one is written
    # under that key again; once sent, a third content gets the third key.
    reset(fresh_engine)
    assert emails(fresh_engine, sealer) == {KEY: ("sent", "Die Anerkennung ist eingegangen.")}
    assert records.record_journey_transition(changed) is True
    sent(fresh_engine, second)
    reset(fresh_engine)
    assert records.record_journey_transition(with_email("Die Anerkennung wurde abgelehnt.")) is True
    assert emails(fresh_engine, sealer)[again_key(KEY, 3)] == ("pending", "Die Anerkennung wurde abgelehnt.")
    assert len(emails(fresh_engine, sealer)) == 3
