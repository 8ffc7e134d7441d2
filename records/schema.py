"""Tables of the case records database.

``cases`` mirrors each case's current summary; ``case_events`` is the append-only
audit trail (one row per transition); ``notifications`` is the email outbox that
makes sending idempotent. No candidate personal data is stored here either: cases
reference candidates by opaque ids.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(32), primary_key=True),
    Column("stage", String(40), nullable=False),
    Column("advisor", String(64), nullable=False),
    Column("employer_name", Text, nullable=False),  # sealed (core/sealed.py, revision 0013)
    Column("employer_pseudonym", String(32)),  # keyed: what the figures count (revision 0013)
    Column("occupation", String(120), nullable=False),
    Column("route", String(10), nullable=False),
    Column("procedure", String(10), nullable=False),
    Column("positions", Integer, nullable=False),
    Column("origin_countries", String(200), nullable=False, default=""),
    Column("outcome", String(40)),
    Column("outcome_reason", Text),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    # Highest event applied: a late retry of an older write never rolls the row back.
    Column("last_event_seq", Integer, nullable=False),
    Column("next_due_on", Date),  # earliest open deadline (revision 0003)
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("action", String(60), nullable=False),
    Column("advisor", String(64), nullable=False),
    Column("from_stage", String(40)),
    Column("to_stage", String(40), nullable=False),
    Column("summary", Text, nullable=False),
    Column("note", Text),
    UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("idempotency_key", String(200), primary_key=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("recipient_role", String(20), nullable=False),
    Column("advisor", String(64)),  # the addressee when the role is advisor; mailboxes come from settings
    Column("subject", Text, nullable=False),  # sealed, as the body (revision 0013)
    Column("body", Text),  # rows before revision 0004 have none
    # pending | sending (claimed until claimed_until by claim_token) | sent | undeliverable (last_error)
    Column("status", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claim_token", String(40)),
    Column("claimed_until", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    # A pending row the mail relay tried and failed: not before then (None: at once).
    Column("next_attempt_at", DateTime(timezone=True)),
)

# One row per candidate journey (child workflow), mirrored after every journey event.
journeys = Table(
    "journeys",
    metadata,
    Column("journey_id", String(48), primary_key=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("candidate_ref", Text, nullable=False),  # sealed (revision 0013)
    Column("candidate_pseudonym", String(32)),  # keyed: the distinct people the figures count (revision 0014)
    Column("origin_country", String(2), nullable=False),
    Column("occupation", String(120), nullable=False),
    Column("route", String(10), nullable=False),
    Column("procedure", String(10), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("outcome", String(40)),
    Column("outcome_reason", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("arrived_on", Date),
    Column("documents", Text, nullable=False, default=""),
    Column("last_event_seq", Integer, nullable=False),
    Column("next_due_on", Date),  # earliest open deadline (revision 0003)
    Column("probation_passed_on", Date),  # a placement counts from it (revision 0007)
    Column("permit_valid_until", Date),  # the residence permit's renewal is due by it (revision 0008)
    Column("employment_ended_on", Date),  # no renewal to list once the employment ended (revision 0009)
)

journey_events = Table(
    "journey_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("journey_id", String(48), nullable=False, index=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("action", String(60), nullable=False),
    Column("advisor", String(64), nullable=False),
    Column("from_stage", String(40)),
    Column("to_stage", String(40), nullable=False),
    Column("summary", Text, nullable=False),
    Column("note", Text),
    UniqueConstraint("journey_id", "seq", name="uq_journey_events_journey_seq"),
)

# One data key per case, wrapped (AES-GCM) by a master payload key; deleting the row
# makes the case's payloads unreadable wherever they are kept (crypto-shredding).
case_keys = Table(
    "case_keys",
    metadata,
    Column("case_id", String(32), primary_key=True),
    Column("master_key_id", String(64), nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Each erasure on request: who, when and on what basis, without any of the erased data.
erasures = Table(
    "erasures",
    metadata,
    Column("case_id", String(32), primary_key=True),
    Column("erased_at", DateTime(timezone=True), nullable=False),
    Column("erased_by", String(64), nullable=False),
    Column("basis", String(200), nullable=False),
)

# The office service's people (#25): one account per handle on the staff list, its password
# as an Argon2id hash; failed logins count and block the account for a growing while.
accounts = Table(
    "accounts",
    metadata,
    Column("handle", String(64), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("password_set_at", DateTime(timezone=True), nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("blocked_until", DateTime(timezone=True)),
)

# Personal access tokens for the command line, browser sessions and calendar feeds (the
# scope says which; a token is good for its own scope only): shown once, kept as a SHA-256
# of the token (256 random bits: a fast hash is enough), expiring, revocable, last use kept.
access_tokens = Table(
    "access_tokens",
    metadata,
    Column("token_id", String(16), primary_key=True),  # what listings and revocation name
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("handle", String(64), nullable=False, index=True),
    Column("name", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("scope", String(16), nullable=False, server_default="command"),
)

# Who read or did what to which case, and when (GDPR Art. 5(2), 32): no personal data, the
# command and its exit code only.
access_log = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("handle", String(64), nullable=False),
    Column("case_id", String(32), index=True),
    Column("what", String(64), nullable=False),
    Column("outcome", Integer, nullable=False),
)
