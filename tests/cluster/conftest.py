"""The production topology's one cluster for the tests of this directory (session scope):
bin/cluster's pieces in a temporary directory on free ports, with two more accounts at its
identity provider for the sign-in tests (cluster/identity.py)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cluster.__main__ import Cluster, settings_from
from cluster.layout import Layout, free_ports
from core.config import Settings

# At the identity provider but unfit to act here: not on the staff list; on it, in no group.
STRANGER, UNGROUPED = "x.fremd", "a.yilmaz"


def up(cluster: Cluster) -> None:
    # cluster.up() runs its own event loop: in a thread, beside the tests' loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(cluster.up).result()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("cluster")
    for directory in (root, *root.parents):
        if directory == Path("/"):
            break
        directory.chmod(directory.stat().st_mode | 0o005)  # PostgreSQL's own user must reach it
    running = Cluster(
        Layout(root, free_ports()), workers=2, extra_people={STRANGER: "welcome-center-advisors", UNGROUPED: None}
    )
    try:
        up(running)
        yield running
    finally:
        running.stop()


def settings_for(cluster: Cluster, who: str = "office", **changes: object) -> Settings:
    values: dict[str, object] = {**settings_from(cluster.client_env(who)), **changes}
    return Settings.model_validate(values)
