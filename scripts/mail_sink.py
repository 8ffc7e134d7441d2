"""A local SMTP server for the embedded setup: keeps every email as a file.

bin/run starts it when no WC_SMTP_HOST is configured, so notifications work with
no configuration at all. Each message lands in DIR as <time>-<message-id>.eml;
open it with any mail program.

    python -m scripts.mail_sink DIR [PORT]
"""

from __future__ import annotations

import hashlib
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class MaildirSink:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content: bytes = envelope.original_content
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        digest = hashlib.sha256(content).hexdigest()[:12]
        (self.directory / f"{stamp}-{digest}.eml").write_bytes(content)
        return "250 OK"


def main(directory: Path, port: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(MaildirSink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f">> Mail sink on 127.0.0.1:{port}, emails kept in {directory}", file=sys.stderr)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) == 3 else 1025)
