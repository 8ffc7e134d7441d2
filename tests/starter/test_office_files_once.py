"""The office's files are read once per change, not once per command (the office service
runs every command in one process), and a changed file is read again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.staff import load_staff
from starter.cli import _once


def test_a_file_is_read_again_only_when_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "staff.yaml"
    path.write_text("staff:\n  - {handle: m.koch, role: advisor}\n")
    reads: list[Path] = []

    def counting(p: Path):  # type: ignore[no-untyped-def]
        reads.append(p)
        return load_staff(p)

    first = _once(path, counting)
    assert _once(path, counting) is first and len(reads) == 1
    path.write_text("staff:\n  - {handle: m.koch, role: advisor}\n  - {handle: n.neu, role: advisor}\n")
    stamp = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))  # a change within the same clock tick still counts
    assert _once(path, counting).role_of("n.neu") is not None and len(reads) == 2


def test_a_missing_file_says_so_by_its_setting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="staff_file"):
        _once(tmp_path / "nowhere.yaml", load_staff)
