"""The end-to-end case tests against the production topology instead of the dev server
(#15; the second step of bin/test-cluster):

    .venv/bin/python -m cluster.e2e [PYTEST ARGS]

Starts bin/cluster's pieces without workers in a temporary directory on free ports (each
test runs its own worker, as on the dev server), then runs the end-to-end modules with
WC_TEST_TEMPORAL_ADDRESS, the office service's mTLS certificate (the tests act as the door
does; their workers poll with the workers' certificate) and the cluster's PostgreSQL as
the records database; stops everything afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from cluster.__main__ import ROOT, Cluster, say
from cluster.layout import Layout, free_ports

END_TO_END = [
    "tests/workflows/test_case_workflow.py",  # cases and journeys, the door, incidents of input
    "tests/starter/test_cli.py",  # every advisor command, through the office service, carries a case to closed
    "tests/workflows/test_journey_branches.py",  # the journey's branches
    "tests/workflows/test_operations_views.py",  # the operations views on PostgreSQL visibility
    "tests/starter/test_end_after_placement.py",  # reopening a placed journey (update-with-start)
]


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="wc-e2e-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # PostgreSQL runs as its own user when we are root
        cluster = Cluster(Layout(root / "cluster", free_ports()), workers=0)
        try:
            cluster.up()
            cert, key = cluster.layout.cert("office")
            worker_cert, worker_key = cluster.layout.cert("worker")
            env = {
                **os.environ,
                "WC_TEST_TEMPORAL_ADDRESS": cluster.layout.frontend_address,
                "WC_TEST_TEMPORAL_TLS_CA_FILE": str(cluster.layout.ca),
                "WC_TEST_TEMPORAL_TLS_CERT_FILE": str(cert),
                "WC_TEST_TEMPORAL_TLS_KEY_FILE": str(key),
                "WC_TEST_TEMPORAL_TLS_SERVER_NAME": "localhost",
                # The tests' workers poll with the workers' certificate (the access policy).
                "WC_TEST_WORKER_TEMPORAL_TLS_CERT_FILE": str(worker_cert),
                "WC_TEST_WORKER_TEMPORAL_TLS_KEY_FILE": str(worker_key),
                "WC_TEST_DATABASE_URL": cluster.layout.records_url(),
                # The advisors' commands go through the office service, whose people sign in
                # at the cluster's real identity provider (tests/service/office.py: Door).
                "WC_TEST_OIDC_ISSUER": cluster.oidc["WC_OIDC_ISSUER"],
                "WC_TEST_OIDC_PASSWORDS": str(cluster.layout.secrets / "identity-passwords"),
            }
            say(f"End-to-end tests against the cluster at {cluster.layout.frontend_address}")
            return subprocess.run([sys.executable, "-m", "pytest", *END_TO_END, *argv], cwd=ROOT, env=env).returncode
        finally:
            cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
