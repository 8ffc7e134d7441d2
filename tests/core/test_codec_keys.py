"""The payload keys: the commands the README names, and the key file only its owner reads."""

from __future__ import annotations

from pathlib import Path

from core.codec import ensure_key_file, parse_keys


def test_a_key_file_is_made_once_and_for_its_owner_only(tmp_path: Path) -> None:
    key_file = tmp_path / "payload-keys"
    assert ensure_key_file(key_file, "2026-11") and not ensure_key_file(key_file, "again")
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert parse_keys(key_file.read_text())[1] == "2026-11"


def test_the_key_commands_the_readme_names_work(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]

    def codec(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "core.codec", *argv], cwd=root, capture_output=True, text=True, timeout=60
        )

    printed = codec("new-key", "2026-11")
    assert printed.returncode == 0 and parse_keys(printed.stdout.strip())[1] == "2026-11"
    key_file = tmp_path / "payload-keys"
    assert codec("ensure-key-file", str(key_file), "2026-11").returncode == 0
    assert (
        key_file.stat().st_mode & 0o777 == 0o600
        and "2026-11:" not in codec("ensure-key-file", str(key_file), "x").stdout
    )
    assert codec("rotate-key-file", str(key_file), "2027-01").returncode == 0
    keys, current = parse_keys(key_file.read_text())
    assert current == "2027-01" and set(keys) == {"2027-01", "2026-11"}
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert codec("nonsense").returncode != 0
