"""The office service and its operations commands, run on the server.

python -m service                          serve (WC_SERVICE_HOST:WC_SERVICE_PORT, loopback by default)
python -m service set-password HANDLE      set a person's password (asked twice; --stdin for scripts)
python -m service tokens [HANDLE]          the tokens (command line, browser sessions, calendars), last use
python -m service revoke TOKEN_ID          revoke a token
python -m service accesses CASE_ID         who read or did what to a case, and when
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from core.config import Settings, get_settings
from records import accounts
from records.database import create_records_engine, migrate


def _admin(args: argparse.Namespace, settings: Settings) -> int:
    from models import staff

    engine = create_records_engine(settings.database_url)
    migrate(engine)
    if args.command == "set-password":
        staff.use(staff.load_staff(settings.staff_file))
        if why := staff.refusal(args.handle, staff.ANY_ROLE):
            print(f"error: {why.english()}", file=sys.stderr)
            return 2
        if args.stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"New password for {args.handle}: ")
            if getpass.getpass("Once more: ") != password:
                print("error: password: the two entries differ", file=sys.stderr)
                return 2
        try:
            accounts.set_password(engine, args.handle, password)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(f"Password set for {args.handle}; they sign in with: bin/starter login --advisor {args.handle}")
    elif args.command == "tokens":
        for t in accounts.tokens(engine, args.handle):
            state = "revoked" if t.revoked_at else ("expired" if t.expires_at <= _now() else "valid")
            used = t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "never"
            expires = f"{t.expires_at:%Y-%m-%d}"
            print(
                f"{t.token_id}  {t.handle:<16} {t.scope:<8} {t.name:<20} {state:<8} expires {expires}  last used {used}"
            )
    elif args.command == "revoke":
        if not accounts.revoke(engine, args.token_id):
            print(f"error: token: no valid token with the id {args.token_id}", file=sys.stderr)
            return 1
        print(f"Revoked {args.token_id}")
    elif args.command == "accesses":
        for row in accounts.accesses(engine, args.case_id):
            print(f"{row.at:%Y-%m-%d %H:%M:%S}  {row.handle:<16} {row.what:<28} exit {row.outcome}")
    return 0


def _now():  # type: ignore[no-untyped-def]
    from models import clock

    return clock.now()


async def _serve(settings: Settings) -> None:
    import uvicorn

    from core.client import connect
    from core.logging import configure_logging
    from models import occupations, programmes, staff
    from service.app import create_app
    from service.auth import is_loopback

    configure_logging(settings.log_level)
    staff.use(staff.load_staff(settings.staff_file))
    programmes.use(programmes.load_programmes(settings.programmes_file))
    occupations.use(occupations.load_occupations(settings.occupations_file))
    tls = settings.service_tls_cert_file is not None and settings.service_tls_key_file is not None
    if not (is_loopback(settings.service_host) or settings.service_published_on_loopback or tls):
        # Passwords, tokens and cases must not cross a network in the clear.
        raise SystemExit(
            f"service_host: {settings.service_host} is not loopback; off loopback the service speaks HTTPS only "
            "(set WC_SERVICE_TLS_CERT_FILE and WC_SERVICE_TLS_KEY_FILE)"
        )
    engine = create_records_engine(settings.database_url)
    migrate(engine)
    client = await connect(settings)
    app = create_app(settings, engine, client)
    config = uvicorn.Config(
        app,
        host=settings.service_host,
        port=settings.service_port,
        log_level="warning",
        access_log=False,  # request lines carry calendar tokens: never logged
        ssl_certfile=str(settings.service_tls_cert_file) if tls else None,
        ssl_keyfile=str(settings.service_tls_key_file) if tls else None,
    )
    await uvicorn.Server(config).serve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("set-password", help="set a person's password (on the staff list)")
    p.add_argument("handle")
    p.add_argument("--stdin", action="store_true", help="read the password from standard input")
    p = sub.add_parser("tokens", help="the personal access tokens")
    p.add_argument("handle", nargs="?")
    p = sub.add_parser("revoke", help="revoke a personal access token")
    p.add_argument("token_id")
    p = sub.add_parser("accesses", help="who read or did what to a case")
    p.add_argument("case_id")
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.command is None:
        asyncio.run(_serve(settings))
        return 0
    return _admin(args, settings)


if __name__ == "__main__":
    sys.exit(main())
