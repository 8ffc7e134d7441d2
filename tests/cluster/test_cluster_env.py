"""`bin/cluster` as the README names it (no cluster needed): its help, and `env`, the
settings a starter or worker needs to reach the cluster."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from core.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "WC_CLUSTER_DIR": str(tmp_path), "WC_TEMPORAL_PORT": "27233"}
    for key in [k for k in env if k.startswith("WC_TEMPORAL_TLS") or k == "WC_DATABASE_URL"]:
        env.pop(key)
    return env


def test_bin_cluster_help_names_its_commands(tmp_path: Path) -> None:
    out = subprocess.run([str(ROOT / "bin" / "cluster"), "--help"], env=_env(tmp_path), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "--workers" in out.stdout and "env" in out.stdout and "compose-config" in out.stdout


def test_bin_cluster_env_prints_what_operations_scripts_need(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "welcome.password").write_text("s3cret\n")
    out = subprocess.run(
        [str(ROOT / "bin" / "cluster"), "env", "office"], env=_env(tmp_path), capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert f"export WC_TEMPORAL_TLS_CERT_FILE={tmp_path}/certs/office.pem" in out.stdout
    assert "export WC_STARTER_DIRECT=1" in out.stdout  # on the server, with the door's authority
    assert "export WC_TEMPORAL_ADDRESS=127.0.0.1:27233" in out.stdout
    assert "export WC_DATABASE_URL=postgresql+psycopg://welcome:s3cret@127.0.0.1:25432/welcome_center" in out.stdout


def test_tls_settings_come_in_pairs_and_empty_means_unset() -> None:
    with pytest.raises(ValueError, match="temporal_tls_cert_file"):
        Settings(temporal_tls_cert_file=Path("starter.pem"), _env_file=None)  # type: ignore[call-arg]
    unset = Settings(temporal_tls_ca_file="", temporal_tls_cert_file="", _env_file=None)  # type: ignore[arg-type, call-arg]
    assert unset.temporal_tls_ca_file is None and unset.temporal_tls_cert_file is None
