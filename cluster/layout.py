"""Where the production topology keeps its files and which ports it uses, and the
configuration it writes for the Temporal server and the Web UI server (#15).

Everything listens on 127.0.0.1. Ports are a base plus fixed offsets, so two clusters (a
user's and the test suite's) can run side by side: the frontend on the base (7233 by
default), the Web UI on base + 1000 (8233), as with the dev server.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core import search_attributes

HISTORY_SHARDS = 4  # fixed for the life of a cluster: Temporal cannot change it later
ROLES = ("postgres_admin", "temporal", "welcome")


@dataclass(frozen=True)
class Ports:
    base: int = 7233

    @property
    def frontend(self) -> int:
        return self.base

    @property
    def history(self) -> int:
        return self.base + 1

    @property
    def matching(self) -> int:
        return self.base + 2

    @property
    def system_worker(self) -> int:
        return self.base + 6

    @property
    def frontend_http(self) -> int:
        return self.base + 10

    def membership(self, service_port: int) -> int:
        return service_port - 300  # 7233 -> 6933, as Temporal's own examples

    @property
    def metrics(self) -> int:
        return self.base + 767  # 8000

    @property
    def ui(self) -> int:
        return self.base + 1000

    @property
    def postgres(self) -> int:
        return self.base - 1801  # 5432

    @property
    def mail(self) -> int:
        return self.base - 6208  # 1025: the mail sink when no relay is configured

    @property
    def office(self) -> int:
        return self.base + 1237  # 8470: the office service (#25)

    @property
    def identity(self) -> int:
        return self.base + 947  # 8180: the identity provider when the office has none configured

    @property
    def worker_metrics(self) -> int:
        return self.base + 2231  # 9464

    def all(self) -> list[int]:
        services = [self.frontend, self.history, self.matching, self.system_worker]
        return [
            *services,
            *(self.membership(port) for port in services),
            self.frontend_http, self.metrics, self.ui, self.postgres, self.mail, self.identity, self.worker_metrics,
            self.office,
        ]  # fmt: skip


def free_ports(attempts: int = 50) -> Ports:
    """A base whose every port is free on loopback (tests, the fault-injection run)."""
    import random
    import socket

    for _ in range(attempts):
        # Below 32768 throughout: Temporal keeps membership ports as PostgreSQL smallint.
        ports = Ports(random.randint(12000, 30000))
        try:
            for port in ports.all():
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return ports
    raise RuntimeError("no free range of ports on 127.0.0.1")


@dataclass(frozen=True)
class Layout:
    root: Path
    ports: Ports

    @property
    def certs(self) -> Path:
        return self.root / "certs"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def postgres(self) -> Path:
        return self.root / "postgres"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def server_config_dir(self) -> Path:
        return self.root / "temporal" / "config"

    @property
    def ui_config_dir(self) -> Path:
        return self.root / "ui" / "config"

    @property
    def dynamic_config(self) -> Path:
        return self.root / "temporal" / "dynamicconfig.yaml"

    def cert(self, name: str) -> tuple[Path, Path]:
        return self.certs / f"{name}.pem", self.certs / f"{name}.key"

    @property
    def ca(self) -> Path:
        return self.certs / "ca.pem"

    def password(self, role: str) -> str:
        return (self.secrets / f"{role}.password").read_text().strip()

    def ensure_secrets(self) -> None:
        """A password per database role, made once (0600), never printed."""
        self.secrets.mkdir(parents=True, exist_ok=True)
        self.secrets.chmod(0o700)
        for role in ROLES:
            path = self.secrets / f"{role}.password"
            if not path.exists():
                path.touch(mode=0o600)
                path.write_text(secrets.token_urlsafe(24) + "\n")

    @property
    def frontend_address(self) -> str:
        return f"127.0.0.1:{self.ports.frontend}"

    def records_url(self) -> str:
        return f"postgresql+psycopg://welcome:{self.password('welcome')}@127.0.0.1:{self.ports.postgres}/welcome_center"

    def client_environment(self, who: str) -> dict[str, str]:
        """What a worker or the starter needs to reach this cluster (WC_* settings)."""
        cert, key = self.cert(who)
        return {
            "WC_TEMPORAL_ADDRESS": self.frontend_address,
            "WC_TEMPORAL_TLS_CA_FILE": str(self.ca),
            "WC_TEMPORAL_TLS_CERT_FILE": str(cert),
            "WC_TEMPORAL_TLS_KEY_FILE": str(key),
            "WC_TEMPORAL_TLS_SERVER_NAME": "localhost",
            # People open the Web UI through the office service, signed in (#25).
            "WC_TEMPORAL_UI_URL": f"http://localhost:{self.ports.office}/ui",
            "WC_SERVICE_PUBLIC_URL": f"http://localhost:{self.ports.office}",
            "WC_DATABASE_URL": self.records_url(),
        }


def server_config(
    layout: Layout,
    *,
    password: str | None = None,
    postgres_host: str = "127.0.0.1",
    certs: Path | None = None,
    public_frontend: bool = False,
    dynamic_config: Path | None = None,
) -> dict[str, Any]:
    """The Temporal server's configuration: PostgreSQL persistence and advanced visibility,
    mTLS on the frontend and between the services, every port on loopback (compose: the
    frontend on every interface of its container, the password from the environment)."""
    p = layout.ports
    certs = certs or layout.certs
    server_cert, server_key = certs / "server.pem", certs / "server.key"
    system_cert, system_key = certs / "system-worker.pem", certs / "system-worker.key"
    ca = str(certs / "ca.pem")
    mtls_server = {
        "certFile": str(server_cert),
        "keyFile": str(server_key),
        "requireClientAuth": True,
        "clientCaFiles": [ca],
    }
    client = {"serverName": "localhost", "rootCaFiles": [ca]}

    def store(database: str, connections: int) -> dict[str, Any]:
        return {
            "sql": {
                "pluginName": "postgres12",
                "databaseName": database,
                "connectAddr": f"{postgres_host}:{p.postgres}",
                "connectProtocol": "tcp",
                "user": "temporal",
                "password": password if password is not None else layout.password("temporal"),
                "maxConns": connections,
                "maxIdleConns": connections,
                "maxConnLifetime": "1h",
            }
        }

    def service(port: int, http: int | None = None, public: bool = False) -> dict[str, Any]:
        rpc: dict[str, Any] = {"grpcPort": port, "membershipPort": p.membership(port)}
        rpc.update({"bindOnIP": "0.0.0.0"} if public else {"bindOnLocalHost": True})
        if http is not None:
            rpc["httpPort"] = http
        return {"rpc": rpc}

    return {
        "log": {"stdout": True, "level": "warn"},
        "persistence": {
            "defaultStore": "postgres-default",
            "visibilityStore": "postgres-visibility",
            "numHistoryShards": HISTORY_SHARDS,
            "datastores": {
                "postgres-default": store("temporal", 20),
                "postgres-visibility": store("temporal_visibility", 10),
            },
        },
        "global": {
            "membership": {"maxJoinDuration": "30s", "broadcastAddress": "127.0.0.1"},
            "metrics": {
                "prometheus": {
                    "framework": "tally",
                    "timerType": "histogram",
                    "listenAddress": f"127.0.0.1:{p.metrics}",
                }
            },
            "tls": {
                "internode": {"server": mtls_server, "client": client},
                "frontend": {"server": mtls_server, "client": client},
                "systemWorker": {"certFile": str(system_cert), "keyFile": str(system_key), "client": client},
            },
        },
        "services": {
            "frontend": service(p.frontend, http=p.frontend_http, public=public_frontend),
            "history": service(p.history),
            "matching": service(p.matching),
            "worker": service(p.system_worker),
        },
        "clusterMetadata": {
            "enableGlobalNamespace": False,
            "failoverVersionIncrement": 10,
            "masterClusterName": "active",
            "currentClusterName": "active",
            "clusterInformation": {
                "active": {
                    "enabled": True,
                    "initialFailoverVersion": 1,
                    "rpcName": "frontend",
                    "rpcAddress": f"localhost:{p.frontend}",
                }
            },
        },
        "dcRedirectionPolicy": {"policy": "noop"},
        "dynamicConfigClient": {"filepath": str(dynamic_config or layout.dynamic_config), "pollInterval": "10s"},
    }


# As the CLI's dev server: a search attribute registered at start-up is usable at once
# (reads refresh the cache; rare, and the persistence limits are raised to match).
DYNAMIC_CONFIG: dict[str, Any] = {
    "system.forceSearchAttributesCacheRefreshOnRead": [{"value": True}],
    "frontend.persistenceMaxQPS": [{"value": 10000}],
    "history.persistenceMaxQPS": [{"value": 45000}],
}


def ui_config(
    layout: Layout,
    office_url: str,
    *,
    frontend: str | None = None,
    certs: Path | None = None,
    host: str = "127.0.0.1",
) -> dict[str, Any]:
    """The Web UI server: to the frontend with its own client certificate, under /ui, shown
    to people only by the office service at ``office_url`` (after they signed in), whose
    /codec decodes the cases in their browser."""
    certs = certs or layout.certs
    address = frontend or layout.frontend_address
    config: dict[str, Any] = {
        "temporalGrpcAddress": address,
        "host": host,
        "port": layout.ports.ui,
        "enableUi": True,
        "publicPath": "/ui",
        "defaultNamespace": "default",
        "cors": {"allowOrigins": [office_url], "cookieInsecure": True},
        "tls": {
            "caFile": str(certs / "ca.pem"),
            "certFile": str(certs / "ui.pem"),
            "keyFile": str(certs / "ui.key"),
            "serverName": "localhost" if frontend is None else address.split(":")[0],
            "enableHostVerification": True,
        },
    }
    config["codec"] = {"endpoint": f"{office_url}/codec", "includeCredentials": True}
    return config


def write_configs(layout: Layout) -> None:
    """The server's config holds the database password: written 0600."""
    for directory in (layout.server_config_dir, layout.ui_config_dir, layout.logs):
        directory.mkdir(parents=True, exist_ok=True)
    _write(layout.server_config_dir / "production.yaml", server_config(layout))
    _write(layout.dynamic_config, DYNAMIC_CONFIG)
    _write(layout.ui_config_dir / "production.yaml", ui_config(layout, f"http://localhost:{layout.ports.office}"))
    _write(layout.ui_config_dir / "base.yaml", {})


# docker-compose.yml runs the same server and UI server with these files (deploy/temporal,
# deploy/ui), generated by `python -m cluster compose-config`; a test keeps them current.
COMPOSE_DIR = Path(__file__).resolve().parent.parent / "deploy"
COMPOSE_PASSWORD = '{{ env "TEMPORAL_DB_PASSWORD" }}'  # the server's config template


def write_compose_configs(deploy: Path = COMPOSE_DIR) -> list[Path]:
    layout = Layout(root=Path("/etc/temporal"), ports=Ports())
    certs = Path("/etc/temporal/certs")
    server = server_config(
        layout,
        password=COMPOSE_PASSWORD,
        postgres_host="postgresql",
        certs=certs,
        public_frontend=True,
        dynamic_config=Path("/etc/temporal/dynamicconfig.yaml"),
    )
    ui = ui_config(layout, "http://localhost:8470", frontend="temporal:7233", certs=certs, host="0.0.0.0")
    ui["port"] = 8080
    files = {
        deploy / "temporal" / "config" / "production.yaml": (
            server,
            "# enable-template (the password comes from TEMPORAL_DB_PASSWORD)\n",
        ),
        deploy / "temporal" / "dynamicconfig.yaml": (DYNAMIC_CONFIG, ""),
        deploy / "ui" / "config" / "production.yaml": (ui, ""),
        deploy / "ui" / "config" / "base.yaml": ({}, ""),
    }
    header = "# Generated by `python -m cluster compose-config` from cluster/layout.py: do not edit.\n"
    for path, (content, first) in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(first + header + yaml.safe_dump(content, sort_keys=False))
    return list(files)


def search_attribute_names() -> list[str]:
    return [key.name for key in search_attributes.ALL]


def _write(path: Path, content: dict[str, Any]) -> None:
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(yaml.safe_dump(content, sort_keys=False))
