"""The starter as a thin client of the office service (#25): no Temporal SDK, no keys, no
database on the person's machine; the service runs each command as the person signed in.

    bin/starter login --advisor m.koch     asks for the password, keeps a personal access token
    bin/starter login --token              single sign-on offices: keeps a token made at <service>/tokens
    bin/starter logout                     revokes it
    bin/starter COMMAND ...                the starter's commands, sent to the service

The service's address comes from ``WC_SERVICE_URL`` (default http://127.0.0.1:8470), the
token from ``WC_TOKEN`` or the token file (``WC_TOKEN_FILE``, default
``~/.config/welcome-center/token``, readable by its owner only), never from the command line.
A file an argument names (``--file``, the import's sheet) is sent along.
"""

from __future__ import annotations

import base64
import getpass
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, TextIO

DEFAULT_URL = "http://127.0.0.1:8470"
EXIT_BAD_INPUT, EXIT_REJECTED = 2, 1
# The client's own few sentences in the staff's language (WC_LANGUAGE, German by default):
# a catalogue lookup would import Babel into every command.
_GERMAN = {
    "error": "Fehler",
    "advisor: say who signs in: bin/starter login --advisor HANDLE": (
        "advisor: sagen Sie, wer sich anmeldet: bin/starter login --advisor KÜRZEL"
    ),
    "Password for {handle}: ": "Passwort für {handle}: ",
    "Signed in as {handle} until {day} (token {token_id} in {path})": (
        "Angemeldet als {handle} bis {day} (Token {token_id} in {path})"
    ),
    "not signed in": "nicht angemeldet",
    "Signed out": "Abgemeldet",
    "Token: ": "Token: ",
    "token: not valid here (expired, revoked or mistyped)": (
        "token: hier nicht gültig (abgelaufen, widerrufen oder vertippt)"
    ),
    "Signed in as {handle} (token in {path})": "Angemeldet als {handle} (Token in {path})",
    "cannot reach the office service at {url}: {why}": "der Bürodienst unter {url} ist nicht erreichbar: {why}",
}


def _t(text: str, **values: str) -> str:
    if os.environ.get("WC_LANGUAGE", "de") != "en":
        text = _GERMAN.get(text, text)
    return text.format(**values)


def service_url() -> str:
    return os.environ.get("WC_SERVICE_URL", DEFAULT_URL).rstrip("/")


def token_file() -> Path:
    configured = os.environ.get("WC_TOKEN_FILE")
    return Path(configured) if configured else Path.home() / ".config" / "welcome-center" / "token"


def _token() -> str | None:
    if token := os.environ.get("WC_TOKEN"):
        return token
    path = token_file()
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def _call(
    method: str, path: str, body: Any = None, token: str | None = None, url: str | None = None
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request((url or service_url()) + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - the configured service
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        try:
            return err.code, json.loads(err.read() or b"null")
        except ValueError:
            return err.code, {"error": err.reason}


def normalized(argv: list[str]) -> list[str]:
    """``--flag=value`` as two arguments, so that a file argument has an index of its own."""
    out: list[str] = []
    for arg in argv:
        if arg.startswith("--") and "=" in arg:
            out.extend(arg.split("=", 1))
        else:
            out.append(arg)
    return out


def file_arguments(argv: list[str]) -> tuple[list[int], list[int]]:
    """The indexes of the arguments that name files on the person's machine: read (``--file``,
    the import's sheet) and written (``report --chart``). The service runs no command with a
    path of its own machine in them: it writes what was sent and sends back what was written."""
    inputs, outputs = [], []
    command = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
    for i in range(1, len(argv)):
        if argv[i - 1] == "--file":
            inputs.append(i)
        elif argv[i - 1] == "--chart":
            outputs.append(i)
    if command is not None and argv[command] == "import":
        i = command + 1
        while i < len(argv):
            if argv[i] == "--advisor":
                i += 2
                continue
            if not argv[i].startswith("-"):
                inputs.append(i)
                break
            i += 1
    return inputs, outputs


def _uploads(argv: list[str]) -> dict[str, str]:
    inputs, _ = file_arguments(argv)
    return {str(i): base64.b64encode(Path(argv[i]).read_bytes()).decode() for i in inputs if Path(argv[i]).is_file()}


def _keep(token: str) -> Path:
    path = token_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(token + "\n")
    return path


def login_with_token(out: TextIO, err: TextIO) -> int:
    """Single sign-on offices: the token was made in the browser (/tokens) and is pasted here."""
    token = sys.stdin.readline().strip() if not sys.stdin.isatty() else getpass.getpass(_t("Token: "))
    status, answer = _call("GET", "/api/me", token=token)
    if status != 200 or not isinstance(answer, dict):
        err.write(f"{_t('error')}: {_t('token: not valid here (expired, revoked or mistyped)')}\n")
        return EXIT_REJECTED
    path = _keep(token)
    out.write(_t("Signed in as {handle} (token in {path})", handle=str(answer["handle"]), path=str(path)) + "\n")
    return 0


def login(argv: list[str], out: TextIO, err: TextIO) -> int:
    if "--token" in argv:
        return login_with_token(out, err)
    handle = None
    for i, arg in enumerate(argv):
        if arg == "--advisor" and i + 1 < len(argv):
            handle = argv[i + 1]
    handle = handle or os.environ.get("WC_ADVISOR")
    if not handle:
        err.write(f"{_t('error')}: {_t('advisor: say who signs in: bin/starter login --advisor HANDLE')}\n")
        return EXIT_BAD_INPUT
    password = os.environ.get("WC_PASSWORD") if not sys.stdin.isatty() else None
    password = password or getpass.getpass(_t("Password for {handle}: ", handle=handle))
    status, answer = _call("POST", "/api/login", {"handle": handle, "password": password, "name": "command line"})
    if status != 200:
        err.write(f"{_t('error')}: {answer.get('error') if isinstance(answer, dict) else answer}\n")
        return EXIT_REJECTED
    path = _keep(answer["token"])
    day, token_id = answer["expires_at"][:10], answer["token_id"]
    signed_in = "Signed in as {handle} until {day} (token {token_id} in {path})"
    out.write(_t(signed_in, handle=handle, day=day, token_id=token_id, path=str(path)) + "\n")
    return 0


def logout(out: TextIO, err: TextIO) -> int:
    token, path = _token(), token_file()
    if not token:
        err.write(f"{_t('error')}: {_t('not signed in')}\n")
        return EXIT_REJECTED
    _call("DELETE", "/api/session", token=token)
    if path.is_file():
        path.unlink()
    out.write(_t("Signed out") + "\n")
    return 0


def main(
    argv: list[str],
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    *,
    url: str | None = None,
    token: str | None = None,
) -> int:
    """A command through the service at ``url`` with ``token`` (by default: the settings and
    the token file above)."""
    if argv[:1] == ["login"]:
        return login(argv[1:], out, err)
    if argv[:1] == ["logout"]:
        return logout(out, err)
    token, argv, url = token or _token(), normalized(argv), url or service_url()
    try:
        status, answer = _call("POST", "/api/command", {"argv": argv, "files": _uploads(argv)}, token=token, url=url)
    except (urllib.error.URLError, OSError) as e:
        err.write(f"{_t('error')}: {_t('cannot reach the office service at {url}: {why}', url=url, why=str(e))}\n")
        return EXIT_REJECTED
    if status != 200 or not isinstance(answer, dict) or "code" not in answer:
        err.write(f"{_t('error')}: {answer.get('error') if isinstance(answer, dict) else answer}\n")
        return EXIT_REJECTED
    for index, content in (answer.get("written") or {}).items():  # report --chart: here, not on the server
        Path(argv[int(index)]).write_bytes(base64.b64decode(content))
    out.write(answer["out"])
    err.write(answer["err"])
    return int(answer["code"])
