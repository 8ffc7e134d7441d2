"""`bin/cluster env`: the settings a starter or worker needs to reach the cluster (no cluster needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bin_cluster_env_prints_what_a_starter_needs(tmp_path: Path) -> None:
    env = {**os.environ, "WC_CLUSTER_DIR": str(tmp_path), "WC_TEMPORAL_PORT": "27233"}
    for key in [k for k in env if k.startswith("WC_TEMPORAL_TLS") or k == "WC_DATABASE_URL"]:
        env.pop(key)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "welcome.password").write_text("s3cret\n")
    out = subprocess.run(
        [sys.executable, "-m", "cluster", "env", "starter"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert f"export WC_TEMPORAL_TLS_CERT_FILE={tmp_path}/certs/starter.pem" in out.stdout
    assert "export WC_TEMPORAL_ADDRESS=127.0.0.1:27233" in out.stdout
