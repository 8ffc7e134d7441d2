"""The production topology without Docker (#15): a real Temporal server on PostgreSQL, mTLS.

    bin/cluster                      # build once, start everything, Ctrl-C stops everything
    bin/cluster --workers 3          # more worker processes (one per core is the rule)
    bin/cluster env office           # the WC_* settings of operations' scripts on the server (source it):
                                     # the office service's certificate, WC_STARTER_DIRECT=1

What it runs, all on 127.0.0.1, all kept in WC_CLUSTER_DIR (default data/cluster):
PostgreSQL (persistence, advanced visibility and the case records; a role per user), the
Temporal server (frontend, history with 4 shards, matching and the system worker in one
process; mTLS on every connection), the Web UI server (its own client certificate, shown
under /ui by the office service to people signed in, cases decoded by its /codec), a mail
sink when no SMTP relay is set, two workers on the same task queue, the office service, and
an identity provider for its single sign-on unless the office has its own (WC_OIDC_ISSUER):
Keycloak (cluster/identity.py). A second run keeps every case.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from cluster.layout import Layout, Ports, write_configs

ROOT = Path(__file__).resolve().parent.parent


def say(message: str) -> None:
    print(f">> {message}", file=sys.stderr, flush=True)


def default_layout() -> Layout:
    root = Path(os.environ.get("WC_CLUSTER_DIR") or ROOT / "data" / "cluster").resolve()
    return Layout(root=root, ports=Ports(int(os.environ.get("WC_TEMPORAL_PORT", "7233"))))


def binaries() -> Path:
    out = subprocess.run([str(ROOT / "scripts" / "temporal-server.sh")], check=True, stdout=subprocess.PIPE, text=True)
    return Path(out.stdout.strip())


class Cluster:
    """Starts the pieces in order and stops them in reverse."""

    def __init__(self, layout: Layout, workers: int = 2, extra_people: dict[str, str | None] | None = None) -> None:
        self.layout = layout
        self.workers = workers
        self.extra_people = extra_people  # tests: more accounts at the identity provider (handle -> group)
        self.oidc: dict[str, str] = {}
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.bin = Path()
        self.smtp: tuple[str, int] | None = None

    # --- set-up (idempotent) ---------------------------------------------------------------

    def prepare(self) -> None:
        layout = self.layout
        self.bin = binaries()
        layout.root.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(ROOT / "scripts" / "make-certs.sh"), str(layout.certs)], check=True)
        layout.ensure_secrets()
        layout.logs.mkdir(parents=True, exist_ok=True)
        # Every payload Temporal stores is encrypted, as with bin/run (key made once, 0600).
        key_file = layout.root / "payload-keys"
        subprocess.run(
            [sys.executable, "-m", "core.codec", "ensure-key-file", str(key_file), time.strftime("%Y-%m")], check=True
        )
        self.start_postgres()
        self.start_identity_provider()  # boots while the schemas and the server come up
        self.setup_schemas()
        self.migrate_records()
        write_configs(layout)

    def start_postgres(self) -> None:
        script = ROOT / "scripts" / "cluster-postgres.sh"
        subprocess.run(
            [
                str(script),
                "start",
                str(self.layout.postgres),
                str(self.layout.ports.postgres),
                str(self.layout.secrets),
            ],
            check=True,
        )

    def start_identity_provider(self) -> None:
        """Keycloak for the office's sign-in (cluster/identity.py), unless the office has its
        own provider (WC_OIDC_ISSUER)."""
        from cluster import identity
        from core.config import DEFAULT_STAFF_FILE
        from models.staff import load_staff

        if os.environ.get("WC_OIDC_ISSUER"):
            return
        office = load_staff(Path(os.environ.get("WC_STAFF_FILE") or DEFAULT_STAFF_FILE))
        secret_file = self.layout.secrets / "identity-client-secret"
        if not secret_file.exists():
            secret_file.touch(mode=0o600)
            secret_file.write_text(secrets.token_urlsafe(32) + "\n")
        secret = secret_file.read_text().strip()
        people = identity.staff_people(office, self.layout.secrets / "identity-passwords", self.extra_people)
        office_url = f"http://localhost:{self.layout.ports.office}"
        home = identity.install(
            identity.keycloak_source(ROOT), self.layout.root / "keycloak", identity.realm(office_url, secret, people)
        )
        say(f"Starting the identity provider (Keycloak) on http://localhost:{self.layout.ports.identity}")
        self.spawn("identity-provider", identity.command(home, self.layout.ports.identity))
        self.oidc = {
            "WC_OIDC_ISSUER": identity.issuer(self.layout.ports.identity),
            "WC_OIDC_CLIENT_ID": identity.CLIENT_ID,
            "WC_OIDC_CLIENT_SECRET": secret,
        }

    def until_identity_ready(self, timeout: float = 240.0) -> None:
        if not self.oidc:
            return
        address = self.oidc["WC_OIDC_ISSUER"] + "/.well-known/openid-configuration"
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            try:
                with urllib.request.urlopen(address, timeout=5) as answer:  # noqa: S310 - our own provider
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the identity provider did not answer in {timeout:.0f} s")
            time.sleep(1)

    def stop_postgres(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "cluster-postgres.sh"), "stop", str(self.layout.postgres)], check=False)

    def migrate_records(self) -> None:
        """The case records at the newest revision before any client or worker uses them
        (the starter writes a case's data key before a worker may have started)."""
        from records.database import create_records_engine, migrate

        engine = create_records_engine(self.layout.records_url())
        try:
            migrate(engine)
        finally:
            engine.dispose()

    def setup_schemas(self) -> None:
        """Create the Temporal databases and bring their schemas to this server's version
        with its own schema tool (what compose's one-shot job does; no auto-setup)."""
        env = {
            **os.environ,
            "SQL_PLUGIN": "postgres12",
            "SQL_HOST": "127.0.0.1",
            "SQL_PORT": str(self.layout.ports.postgres),
            "SQL_USER": "temporal",
            "SQL_PASSWORD": self.layout.password("temporal"),
        }
        tool = str(self.bin / "temporal-sql-tool")
        schemas = self.bin / "schema" / "postgresql" / "v12"
        for database, directory in (("temporal", "temporal"), ("temporal_visibility", "visibility")):
            base = [tool, "--plugin", "postgres12", "--db", database]
            with (self.layout.logs / "schema.log").open("ab") as log:
                for args in (
                    ["create-database"],
                    ["setup-schema", "-v", "0.0"],
                    ["update-schema", "-d", str(schemas / directory / "versioned")],
                ):
                    subprocess.run([*base, *args], env=env, check=True, stdout=log, stderr=log)
        say("Temporal schemas are at this server's version")

    # --- processes ---------------------------------------------------------------------------

    def spawn(self, name: str, args: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.layout.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(list(args), cwd=ROOT, env=env or dict(os.environ), stdout=log, stderr=log)
        self.processes.append((name, process))
        return process

    def client_env(self, who: str) -> dict[str, str]:
        env = {**os.environ, **self.layout.client_environment(who)}
        env["WC_PAYLOAD_KEY_FILE"] = str(self.layout.root / "payload-keys")
        if self.smtp is not None:
            env["WC_SMTP_HOST"], env["WC_SMTP_PORT"] = self.smtp[0], str(self.smtp[1])
            env["WC_MAIL_SINK_DIR"] = str(self.layout.root / "mail")
        return env

    def start_server(self) -> None:
        say(f"Starting the Temporal server (frontend 127.0.0.1:{self.layout.ports.frontend}, mTLS)")
        self.spawn(
            "temporal-server",
            [
                str(self.bin / "temporal-server"),
                "--root", str(self.layout.root / "temporal"),
                "--config", "config",
                "--env", "production",
                "--access", str(ROOT / "config" / "temporal-access.yaml"),  # who may call what (#25)
                "start",
            ],
        )  # fmt: skip

    def stop_server(self) -> None:
        """Only the Temporal server (the fault-injection run restarts it)."""
        for name, process in list(self.processes):
            if name == "temporal-server":
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
                self.processes.remove((name, process))

    async def until_ready(self, timeout: float = 180.0) -> None:
        """Connected with mTLS, the namespace registered, the search attributes with it."""
        from temporalio.service import RPCError

        from core import search_attributes
        from core.client import connect
        from core.config import Settings
        from core.namespace import RETENTION, ensure_namespace

        settings = Settings.model_validate(settings_from(self.client_env("office")))
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            try:
                client = await connect(settings)
                break
            except RuntimeError as err:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the Temporal server did not answer in {timeout:.0f} s: {err}") from err
                await asyncio.sleep(1)
        if await ensure_namespace(client, "default"):
            say(f"Namespace default registered (closed workflows kept {RETENTION.days} days)")
        for _ in range(60):  # a namespace just registered reaches every service within seconds
            try:
                added = await search_attributes.register(client, "default")
                break
            except RPCError:
                await asyncio.sleep(1)
        else:
            raise RuntimeError("could not register the search attributes")
        say(f"Search attributes added: {', '.join(added) or 'none (all present)'}")

    def check_alive(self, restart_workers: bool = False) -> None:
        """A dead worker is started again (as compose's restart policy would); any other
        piece that exits stops the cluster with its log's last lines."""
        for index, (name, process) in enumerate(self.processes):
            if process.poll() is not None and restart_workers and name.startswith("worker-"):
                say(f"{name} exited with {process.returncode}; starting it again")
                self.processes.pop(index)
                self.spawn(name, list(process.args), env=self._worker_env(int(name.removeprefix("worker-"))))  # type: ignore[arg-type]
                return
            if process.poll() is not None:
                log = self.layout.logs / f"{name}.log"
                tail = log.read_text(errors="replace").splitlines()[-20:] if log.exists() else []
                raise RuntimeError(f"{name} exited with {process.returncode}; last lines of {log}:\n" + "\n".join(tail))

    def start_services(self) -> None:
        python = sys.executable
        if not os.environ.get("WC_SMTP_HOST"):
            port = self.layout.ports.mail  # no relay configured: emails kept as files
            self.spawn("mail-sink", [python, "-m", "scripts.mail_sink", str(self.layout.root / "mail"), str(port)])
            self.smtp = ("127.0.0.1", port)
        env = self.client_env("worker")
        say(f"Starting the Web UI server on 127.0.0.1:{self.layout.ports.ui}, shown by the office service")
        self.spawn(
            "ui-server",
            [
                str(self.bin / "temporal-ui-server"),
                "--root",
                str(self.layout.root / "ui"),
                "--env",
                "production",
                "start",
            ],
        )
        for schedule in ("workflows.retention", "workflows.digest", "workflows.stuck"):
            subprocess.run([python, "-m", schedule, "schedule"], env=env, check=True)
        for number in range(1, self.workers + 1):
            self.spawn(f"worker-{number}", [python, "worker.py"], env=self._worker_env(number))
        say(f"{self.workers} workers on one task queue (logs in {self.layout.logs})")
        # The office service, the door for people (#25), with its own certificate.
        office = {
            **self.client_env("office"),
            "WC_SERVICE_PORT": str(self.layout.ports.office),
            "WC_UI_UPSTREAM_URL": f"http://127.0.0.1:{self.layout.ports.ui}",
            **self.oidc,
        }
        self.spawn("office-service", [python, "-m", "service"], env=office)
        say(f"Office service on http://localhost:{self.layout.ports.office} (the Web UI under /ui, signed in)")

    def _worker_env(self, number: int) -> dict[str, str]:
        env = self.client_env("worker")
        env["WC_METRICS_PORT"] = str(self.layout.ports.worker_metrics) if number == 1 else "0"
        return env

    def stop(self) -> None:
        # Workers first (they finish their tasks), the server after them, PostgreSQL last.
        for name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    say(f"{name} did not stop in 30 s; killed")
                    process.kill()
                    process.wait()
        self.processes.clear()
        self.stop_postgres()

    def up(self) -> None:
        self.prepare()
        self.start_server()
        asyncio.run(self.until_ready())
        self.start_services()
        self.until_identity_ready()


def settings_from(env: dict[str, str]) -> dict[str, str]:
    return {k.removeprefix("WC_").lower(): v for k, v in env.items() if k.startswith("WC_") and k != "WC_CLUSTER_DIR"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bin/cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="worker processes on the task queue (default 2)")
    sub = parser.add_subparsers(dest="command")
    env_parser = sub.add_parser("env", help="print the WC_* settings to reach the cluster, as shell exports")
    env_parser.add_argument("who", choices=["office", "worker"], nargs="?", default="office")
    sub.add_parser("compose-config", help="write deploy/temporal and deploy/ui for docker-compose.yml")
    args = parser.parse_args(argv)
    if args.command == "compose-config":
        from cluster.layout import write_compose_configs

        for path in write_compose_configs():
            print(path.relative_to(ROOT))
        return 0
    layout = default_layout()
    cluster = Cluster(layout, workers=args.workers)
    if args.command == "env":
        env = cluster.client_env(args.who)
        if args.who == "office":
            env["WC_STARTER_DIRECT"] = "1"  # bin/starter on the server, with the service's authority
        for key in sorted(k for k in env if k.startswith("WC_") and k not in os.environ):
            print(f"export {key}={shlex.quote(env[key])}")
        return 0

    stopping = False

    def interrupted(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    try:
        cluster.up()
        say(f"Temporal Web UI: http://localhost:{layout.ports.office}/ui, signed in   (Ctrl-C stops everything)")
        say(
            f"Advisors: sign in at http://localhost:{layout.ports.office}/tokens, make a token, then "
            f"WC_SERVICE_URL=http://localhost:{layout.ports.office} bin/starter login --token"
        )
        while not stopping:
            cluster.check_alive(restart_workers=True)
            time.sleep(1)
        return 0
    except (RuntimeError, subprocess.CalledProcessError) as err:
        say(f"cluster failed: {err}")
        return 1
    finally:
        say("Stopping workers, Web UI, Temporal server and PostgreSQL")
        cluster.stop()
        say(f"Stopped. Everything is kept in {layout.root}; bin/cluster starts it again.")


if __name__ == "__main__":
    sys.exit(main())
