import os
import sys

# Through the office service (#25) when it is named, and to sign in or out: the thin client
# imports neither the Temporal SDK nor the models.
if os.environ.get("WC_SERVICE_URL") or sys.argv[1:2] in (["login"], ["logout"]):
    from starter.remote import main as remote

    sys.exit(remote(sys.argv[1:]))

from core.process import run_to_exit  # noqa: E402
from starter.cli import main  # noqa: E402

run_to_exit(main())
