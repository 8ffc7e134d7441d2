"""The office's identity provider for bin/cluster when none is configured (#25 point 2).

A real OpenID Connect provider, Keycloak (``scripts/keycloak.sh``: its distribution from
Maven Central, Java 17), started in dev mode with an in-memory database and the realm
``welcome-center`` imported at every start: the office service as a confidential client
(authorization code with PKCE, its redirect and sign-out addresses), a group per role
(``config/staff.yaml`` maps them), and one account per person on the staff list, each
with a password made once and kept in ``secrets/identity-passwords`` (0600). An office with
its own provider sets ``WC_OIDC_ISSUER``, ``WC_OIDC_CLIENT_ID`` and
``WC_OIDC_CLIENT_SECRET`` instead, and none of this runs.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

from models.staff import Staff

REALM = "welcome-center"
CLIENT_ID = "office-service"
# A script's client (direct grant, tests and tools): its tokens are for the office service.
SCRIPT_CLIENT_ID = "office-scripts"


def _groups_mapper() -> dict[str, Any]:
    return {
        "name": "groups",
        "protocol": "openid-connect",
        "protocolMapper": "oidc-group-membership-mapper",
        "config": {
            "full.path": "false",
            "id.token.claim": "true",
            "access.token.claim": "true",
            "userinfo.token.claim": "true",
            "claim.name": "groups",
        },
    }


def _audience_mapper(audience: str) -> dict[str, Any]:
    return {
        "name": f"audience {audience}",
        "protocol": "openid-connect",
        "protocolMapper": "oidc-audience-mapper",
        "config": {"included.client.audience": audience, "access.token.claim": "true", "id.token.claim": "false"},
    }


def realm(office_url: str, client_secret: str, people: dict[str, tuple[str, str | None]]) -> dict[str, Any]:
    """The realm: ``people`` maps a handle to its password and its group (None: in none)."""
    groups = sorted({group for _, group in people.values() if group})
    return {
        "realm": REALM,
        "enabled": True,
        "sslRequired": "external",  # plain HTTP on this machine only
        "accessTokenLifespan": 300,
        "groups": [{"name": group} for group in groups],
        "clients": [
            {
                "clientId": CLIENT_ID,
                "enabled": True,
                "protocol": "openid-connect",
                "publicClient": False,
                "clientAuthenticatorType": "client-secret",
                "secret": client_secret,
                "standardFlowEnabled": True,
                "directAccessGrantsEnabled": False,
                "redirectUris": [f"{office_url}/auth/callback"],
                "webOrigins": [office_url],
                "attributes": {
                    "pkce.code.challenge.method": "S256",
                    "post.logout.redirect.uris": f"{office_url}/login",
                },
                "protocolMappers": [_groups_mapper()],
            },
            {
                "clientId": SCRIPT_CLIENT_ID,
                "enabled": True,
                "protocol": "openid-connect",
                "publicClient": True,
                "standardFlowEnabled": False,
                "directAccessGrantsEnabled": True,
                "protocolMappers": [_groups_mapper(), _audience_mapper(CLIENT_ID)],
            },
        ],
        "users": [
            {
                "username": handle,
                "enabled": True,
                "email": f"{handle}@welcome-center.example",
                "emailVerified": True,
                "firstName": handle.split(".")[0].title(),
                "lastName": handle.split(".")[-1].title(),
                "credentials": [{"type": "password", "value": password, "temporary": False}],
                "groups": [f"/{group}"] if group else [],
            }
            for handle, (password, group) in sorted(people.items())
        ],
    }


def staff_people(
    office: Staff, passwords: Path, extra: dict[str, str | None] | None = None
) -> dict[str, tuple[str, str | None]]:
    """Everyone on the staff list in the group of their role (and ``extra``: handle -> group),
    each with a password made once."""
    by_role = {role: group for group, role in office.groups.items()}
    wanted: dict[str, str | None] = {m.handle: by_role.get(m.role) for m in office.staff}
    wanted.update(extra or {})
    known = dict(line.split(" ", 1) for line in passwords.read_text().splitlines()) if passwords.exists() else {}
    for handle in wanted:
        known.setdefault(handle, secrets.token_urlsafe(18))
    passwords.touch(mode=0o600)
    passwords.write_text("".join(f"{h} {p}\n" for h, p in sorted(known.items())))
    return {handle: (known[handle], group) for handle, group in wanted.items()}


def install(source: Path, home: Path, realm_file: dict[str, Any]) -> Path:
    """A Keycloak of this cluster's own (it writes its build and data into its directory),
    with the realm to import at start."""
    if not (home / "bin" / "kc.sh").exists():
        shutil.copytree(source, home, symlinks=True)
    imports = home / "data" / "import"
    imports.mkdir(parents=True, exist_ok=True)
    target = imports / f"{REALM}-realm.json"
    target.touch(mode=0o600)
    target.write_text(json.dumps(realm_file))
    return home


def command(home: Path, port: int) -> list[str]:
    return [
        str(home / "bin" / "kc.sh"),
        "start-dev",
        "--http-host=127.0.0.1",
        f"--http-port={port}",
        "--db=dev-mem",
        "--import-realm",
    ]


def issuer(port: int) -> str:
    return f"http://localhost:{port}/realms/{REALM}"


def keycloak_source(root: Path) -> Path:
    out = subprocess.run([str(root / "scripts" / "keycloak.sh")], check=True, stdout=subprocess.PIPE, text=True)
    return Path(out.stdout.strip())
