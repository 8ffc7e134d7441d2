"""Settings from environment variables (prefix ``WC_``).

Every default makes the embedded setup work with no configuration at all: a local
dev server on :7233, an SQLite file under ``./data`` and an SMTP relay on localhost.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.deadlines import DEFAULT_POLICY_FILE
from models.occupations import DEFAULT_OCCUPATIONS_FILE
from models.programmes import DEFAULT_PROGRAMMES_FILE
from models.staff import DEFAULT_STAFF_FILE
from models.yaml_file import load_yaml

DEFAULT_OFFICES_FILE = DEFAULT_STAFF_FILE.parent / "offices.yaml"


class Office(BaseModel):
    """One office of the installation (config/offices.yaml): its namespace, policy and staff."""

    name: str = Field(min_length=1)
    namespace: str = Field(min_length=1)
    staff_file: Path
    deadline_policy: Path


class Offices(BaseModel):
    offices: dict[str, Office] = Field(min_length=1)


@lru_cache(maxsize=8)
def load_offices(path: Path) -> dict[str, Office]:
    """The offices, their files resolved against the offices file's folder."""
    found = load_yaml(path, Offices, "offices_file").offices
    return {
        key: office.model_copy(
            update={
                "staff_file": path.parent / office.staff_file,
                "deadline_policy": path.parent / office.deadline_policy,
            }
        )
        for key, office in found.items()
    }


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WC_", env_file=".env", extra="ignore")

    temporal_address: str = "localhost:7233"
    # The office this process serves (config/offices.yaml): its namespace, deadline policy
    # and staff list, unless set one by one below (#25 point 8).
    office: str = "region-hannover"
    offices_file: Path = DEFAULT_OFFICES_FILE
    office_name: str = "Welcome Center Region Hannover"
    temporal_namespace: str = "default"
    task_queue: str = "welcome-center-cases"
    # mTLS to the Temporal frontend (the production topology, bin/cluster): the CA that
    # signed the server's certificate, this client's certificate and key, and the name the
    # server's certificate carries when it differs from the address's host. All unset: plain.
    temporal_tls_ca_file: Path | None = None
    temporal_tls_cert_file: Path | None = None
    temporal_tls_key_file: Path | None = None
    temporal_tls_server_name: str | None = None
    # Base address of the Temporal Web UI, used for links printed by the starter.
    temporal_ui_url: str = "http://localhost:8470/ui"  # the Web UI as people open it: through the service

    database_url: str = "sqlite:///data/cases.sqlite3"

    smtp_host: str = "localhost"
    smtp_port: int = 1025
    smtp_sender: str = "welcome-center@region-hannover.example"
    # TLS to the relay, always with certificate verification: STARTTLS on a plain port, or
    # SMTPS (implicit TLS, e.g. port 465). smtp_ca_file adds the CA of an office relay.
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_ca_file: Path | None = None
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # Advisors are addressed as <handle>@<staff_email_domain>, so no mailbox is kept in histories.
    staff_email_domain: str = "region-hannover.example"
    team_lead_email: str = "welcome-center-lead@region-hannover.example"
    operations_email: str = "welcome-center-ops@region-hannover.example"

    # The Welcome Center's deadline policy (periods, legal basis, escalation ladder).
    deadline_policy: Path = DEFAULT_POLICY_FILE
    # Length of one policy day: 86400 s in production; tests and demos shrink it.
    deadline_day_seconds: float = Field(default=86400.0, gt=0)

    # Prometheus /metrics of the worker (SDK runtime metrics and cases by stage); 0 turns it off.
    metrics_port: int = Field(default=9464, ge=0, le=65535)
    # Loopback unless a scraper elsewhere needs it (#26 point 3): the figures name no person,
    # but an open port is one more door.
    metrics_host: str = "127.0.0.1"
    metrics_refresh_seconds: float = Field(default=30.0, gt=0)

    # Encrypt every payload Temporal stores: "id:base64key,..." (first = current key).
    # The Web UI decodes them through the office service's /codec, for people signed in.
    payload_keys: SecretStr | None = None
    # ... or read from this file (same format; bin/run creates it with mode 0600 on first run).
    payload_key_file: Path | None = None
    # Encryption fails closed (#26 point 2): without a key no process starts, and a payload in
    # plaintext is refused. The migration switch allows both while histories written before
    # encryption run out; the tests' unencrypted stack uses it too. Off in every deployment.
    allow_plaintext_payloads: bool = False
    # The office service (#25), the one door for people: loopback unless stated, and off
    # loopback only over HTTPS (the certificate and its key).
    service_host: str = "127.0.0.1"
    service_port: int = Field(default=8470, ge=0, le=65535)
    service_tls_cert_file: Path | None = None
    service_tls_key_file: Path | None = None
    # In a container: the service binds 0.0.0.0 there, and its port is published on the
    # host's loopback only (docker-compose.yml), so plain HTTP stays on this machine.
    service_published_on_loopback: bool = False
    # The service as people's machines reach it: the calendar addresses it mints start with it.
    service_public_url: str = "http://localhost:8470"
    # Production (bin/cluster, compose): people sign in at the office's OpenID Connect
    # provider instead of with a password here; the role comes from its group claim, mapped
    # in the staff file. Unset: the embedded accounts (bin/service set-password).
    oidc_issuer: str | None = None
    oidc_client_id: str = "office-service"
    oidc_client_secret: SecretStr | None = None
    oidc_groups_claim: str = "groups"
    # The Temporal Web UI server the service shows behind its login under /ui (started with
    # --ui-public-path /ui, on loopback); unset: no Web UI through the service.
    ui_upstream_url: str | None = None

    # Who may act, in which role (config/staff.yaml): unknown handles are refused at the door.
    staff_file: Path = DEFAULT_STAFF_FILE
    # Candidate reference formats per origin programme (config/programmes.yaml).
    programmes_file: Path = DEFAULT_PROGRAMMES_FILE
    # The office's occupation codes with their KldB 2010 codes (config/occupations.yaml).
    occupations_file: Path = DEFAULT_OCCUPATIONS_FILE

    # Where the local mail sink keeps emails (bin/run without a relay): erase-case removes a case's.
    mail_sink_dir: Path | None = None

    # The language of what staff read: emails of the digest, the calendar, (more to come).
    language: Literal["de", "en"] = "de"

    log_level: str = "INFO"
    # Threads for the synchronous (database, SMTP) activities.
    activity_threads: int = Field(default=8, ge=1)
    # Workflows kept in the worker's memory between their tasks (#14). Open cases mostly wait
    # days on their clocks; one that is not cached is replayed from its history when its next
    # task comes (milliseconds). Each cached case or journey costs about 0.4 MB.
    max_cached_workflows: int = Field(default=200, ge=0)

    @field_validator(
        "temporal_tls_ca_file",
        "temporal_tls_cert_file",
        "temporal_tls_key_file",
        "temporal_tls_server_name",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value  # WC_TEMPORAL_TLS_CA_FILE= turns it off, not "."

    @model_validator(mode="after")
    def _the_office(self) -> Settings:
        offices = load_offices(self.offices_file)
        if self.office not in offices:
            raise ValueError(
                f"office: '{self.office}' is not in {self.offices_file} (there: {', '.join(sorted(offices))})"
            )
        office = offices[self.office]
        given = set(self.model_fields_set)
        for name, value in (
            ("office_name", office.name),
            ("temporal_namespace", office.namespace),
            ("staff_file", office.staff_file),
            ("deadline_policy", office.deadline_policy),
        ):
            if name not in given:  # what the environment names one by one wins
                setattr(self, name, value)
        return self

    @model_validator(mode="after")
    def _client_certificate_in_pairs(self) -> Settings:
        if (self.temporal_tls_cert_file is None) != (self.temporal_tls_key_file is None):
            raise ValueError(
                "temporal_tls_cert_file: a client certificate needs its key (WC_TEMPORAL_TLS_CERT_FILE and "
                "WC_TEMPORAL_TLS_KEY_FILE together)"
            )
        return self

    @model_validator(mode="after")
    def _login_only_over_tls(self) -> Settings:
        if self.smtp_username and not (self.smtp_starttls or self.smtp_ssl):
            raise ValueError(
                "smtp_username: the mail login needs TLS (set WC_SMTP_STARTTLS=true or WC_SMTP_SSL=true), "
                "never a password in the clear"
            )
        if self.smtp_starttls and self.smtp_ssl:
            raise ValueError("smtp_ssl: either STARTTLS or SMTPS, not both")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
