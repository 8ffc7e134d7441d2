"""docker-compose.yml cannot run here (no Docker engine), so it is checked the way
`docker compose config` checks it: tools/compose-check loads it with compose-go
(the compose-spec schema, interpolation, references between services)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from cluster.layout import write_compose_configs
from core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "tools" / "compose-check"


@pytest.fixture(scope="module")
def compose_check(tmp_path_factory: pytest.TempPathFactory) -> Path:
    binary = tmp_path_factory.mktemp("bin") / "compose-check"
    subprocess.run(
        ["go", "build", "-o", str(binary), "."],
        cwd=CHECKER,
        env={**os.environ, "GOTOOLCHAIN": "local"},
        check=True,
        timeout=600,
    )
    return binary


# No defaults: each must come from .env (the identity provider's address too: the office's own).
PASSWORDS = (
    "POSTGRES_PASSWORD", "TEMPORAL_DB_PASSWORD", "WELCOME_DB_PASSWORD", "WC_OIDC_ISSUER", "WC_OIDC_CLIENT_SECRET",
)  # fmt: skip


def load(
    checker: Path, compose_file: Path, password: str | None = "a-secret", leave_out: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in (*PASSWORDS, "WC_PAYLOAD_KEYS")}
    env["WC_PAYLOAD_KEYS"] = "2026-11:" + "A" * 43 + "="
    if password is not None:
        env.update({name: password for name in PASSWORDS if name != leave_out})
    return subprocess.run(
        [str(checker), str(compose_file)], capture_output=True, text=True, timeout=60, env=env, cwd=compose_file.parent
    )


def test_the_compose_file_is_valid_and_complete(compose_check: Path) -> None:
    result = load(compose_check, ROOT / "docker-compose.yml")
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert {
        "postgresql", "temporal-schema", "temporal", "temporal-ui", "worker", "register-search-attributes",
        "office",
    } <= set(services)  # fmt: skip
    # The Web UI only behind the office service's login: no port of its own (#25).
    assert "ports" not in services["temporal-ui"]
    assert services["office"]["environment"]["WC_UI_UPSTREAM_URL"] == "http://temporal-ui:8080"
    # People sign in at the office's identity provider (bin/cluster starts a Keycloak instead).
    assert services["office"]["environment"]["WC_OIDC_CLIENT_ID"] == "office-service"
    office_env = {k for k in services["office"]["environment"] if k.startswith("WC_")}
    assert office_env <= {f"WC_{name.upper()}" for name in Settings.model_fields}, office_env
    worker = services["worker"]
    assert worker["build"]["context"] == str(ROOT)
    assert worker["deploy"]["replicas"] == 2  # two workers share the task queue, as bin/cluster's
    # Every WC_* variable the stack sets is one the worker's settings understand.
    env = {k: v for k, v in worker["environment"].items() if k.startswith("WC_")}
    known = {f"WC_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= known, set(env) - known
    assert services["register-search-attributes"]["command"][-2:] == ["core.search_attributes", "register"]
    assert "workflows.retention schedule" in services["schedules"]["entrypoint"][-1]
    assert "workflows.digest schedule" in services["schedules"]["entrypoint"][-1]
    assert "workflows.stuck schedule" in services["schedules"]["entrypoint"][-1]


def test_the_same_server_and_config_shape_as_bin_cluster(compose_check: Path, tmp_path: Path) -> None:
    services = json.loads(load(compose_check, ROOT / "docker-compose.yml").stdout)["services"]
    # The Temporal pieces are built from the module proxy at the versions bin/cluster builds.
    for name, target in (("temporal-schema", "admin"), ("temporal", "server"), ("temporal-ui", "ui")):
        assert services[name]["build"]["target"] == target, name
        assert services[name]["build"]["context"] == str(ROOT / "deploy" / "temporal"), name
        assert "image" not in services[name], name
    script = (ROOT / "scripts" / "temporal-server.sh").read_text()
    dockerfile = (ROOT / "deploy" / "temporal" / "Dockerfile").read_text()
    for variable in ("TEMPORAL_SERVER_VERSION", "TEMPORAL_UI_SERVER_VERSION"):
        (version,) = re.findall(variable + r'="\$\{' + variable + r':-([\d.]+)\}"', script)
        assert f"ARG {variable}={version}" in dockerfile, variable
    assert not [s["image"] for s in services.values() if "auto-setup" in s.get("image", "")]
    # The same server as bin/cluster's: built from deploy/temporal/server, given the same
    # access policy, and each client's certificate names a party it grants what it does.
    assert "COPY server /src/server" in dockerfile and "go.temporal.io/server/cmd/server@" not in dockerfile
    assert '"--access", "/etc/temporal/access.yaml"' in dockerfile and "allow-no-auth" not in dockerfile
    mounted = {v["target"]: v["source"] for v in services["temporal"]["volumes"]}
    assert mounted["/etc/temporal/access.yaml"] == str(ROOT / "config" / "temporal-access.yaml")
    parties = yaml.safe_load((ROOT / "config" / "temporal-access.yaml").read_text())["parties"]
    needs = {"register-search-attributes": "AddSearchAttributes", "schedules": "CreateSchedule",
             "worker": "PollWorkflowTaskQueue", "office": "UpdateWorkflowExecution"}  # fmt: skip
    for name, call in needs.items():
        party = Path(services[name]["environment"]["WC_TEMPORAL_TLS_CERT_FILE"]).stem
        assert call in parties[party]["calls"], (name, party, call)
    # The server's and the UI's configuration are what cluster/layout.py generates today.
    for generated in write_compose_configs(tmp_path):
        committed = ROOT / "deploy" / generated.relative_to(tmp_path)
        assert committed.read_text() == generated.read_text(), f"{committed}: run python -m cluster compose-config"


def test_separate_database_users_and_mtls_everywhere(compose_check: Path) -> None:
    services = json.loads(load(compose_check, ROOT / "docker-compose.yml").stdout)["services"]
    assert services["worker"]["environment"]["WC_DATABASE_URL"].startswith("postgresql://welcome:")
    assert services["temporal-schema"]["environment"]["SQL_USER"] == "temporal"
    server = yaml.safe_load((ROOT / "deploy" / "temporal" / "config" / "production.yaml").read_text())
    assert {store["sql"]["user"] for store in server["persistence"]["datastores"].values()} == {"temporal"}
    tls = server["global"]["tls"]
    assert tls["frontend"]["server"]["requireClientAuth"] and tls["internode"]["server"]["requireClientAuth"]
    for name in ("worker", "office", "register-search-attributes", "schedules"):
        env = services[name]["environment"]
        assert env["WC_TEMPORAL_TLS_CERT_FILE"].startswith("/certs/"), name
        assert any(v["target"] == "/certs" for v in services[name]["volumes"]), name
    # Each party its own certificate; the advisors' command line holds none (#25 point 3).
    assert services["office"]["environment"]["WC_TEMPORAL_TLS_CERT_FILE"] == "/certs/office.pem"
    starter = services["starter"]
    assert starter["environment"]["WC_SERVICE_URL"] == "http://office:8470"
    assert not [k for k in starter["environment"] if k.startswith(("WC_TEMPORAL_TLS", "WC_PAYLOAD", "WC_DATABASE"))]
    assert not any(v["target"] == "/certs" for v in starter.get("volumes", []))
    ui = yaml.safe_load((ROOT / "deploy" / "ui" / "config" / "production.yaml").read_text())
    assert ui["tls"]["certFile"].endswith("/ui.pem") and ui["codec"]["endpoint"] == "http://localhost:8470/codec"
    assert ui["publicPath"] == "/ui" and ui["codec"]["includeCredentials"] is True
    assert "0.0.0.0" not in json.dumps([s.get("ports", []) for s in services.values()])


def test_no_default_password_ports_on_loopback_and_pinned_images(compose_check: Path) -> None:
    for name in PASSWORDS:
        missing = load(compose_check, ROOT / "docker-compose.yml", leave_out=name)
        assert missing.returncode == 1 and name in missing.stderr, (name, missing.stderr)
    services = json.loads(load(compose_check, ROOT / "docker-compose.yml").stdout)["services"]
    for name, service in services.items():
        for port in service.get("ports", []):
            assert port["host_ip"] == "127.0.0.1", (name, port)
        if image := service.get("image"):
            tag = image.rsplit(":", 1)[-1] if ":" in image else ""
            assert tag and tag != "latest" and any(c.isdigit() for c in tag), (name, image)


def test_the_checker_rejects_a_broken_file(compose_check: Path, tmp_path: Path) -> None:
    broken = (
        (ROOT / "docker-compose.yml")
        .read_text()
        .replace("condition: service_healthy", "condition: when_it_feels_like_it", 1)
    )
    (tmp_path / "docker-compose.yml").write_text(broken)
    (tmp_path / "deploy").symlink_to(ROOT / "deploy")
    result = load(compose_check, tmp_path / "docker-compose.yml")
    assert result.returncode == 1
    assert "condition" in result.stderr


def test_the_image_contains_every_package_the_worker_imports() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\S+) ", dockerfile, flags=re.MULTILINE))
    imported = set(re.findall(r"^from (\w+)[. ]", (ROOT / "worker.py").read_text(), flags=re.MULTILINE))
    local = {name for name in imported if (ROOT / name).is_dir()}
    assert local and local <= copied, local - copied


# Packages the worker and the starter never import: tests, tools and benchmarks.
# cluster: the topology without Docker (bin/cluster); compose runs the same pieces as services.
DEVELOPMENT_ONLY = {"tests", "tools", "bench", "cluster"}


def test_the_image_carries_every_package_the_worker_and_starter_import() -> None:
    # A package missing from the Dockerfile only shows when the image starts: check here.
    copied = set(re.findall(r"^COPY (\S+) \./", (ROOT / "Dockerfile").read_text(), flags=re.M))
    packages = {
        p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name not in DEVELOPMENT_ONLY
    }
    assert packages, "no packages found"
    assert packages <= copied, sorted(packages - copied)
    assert "worker.py" in copied and "config" in copied and "locale" in copied  # the German texts
