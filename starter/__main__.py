import os
import sys

# Through the office service (#25), the people's door: the thin client imports neither the
# Temporal SDK nor the models, and holds no key. Directly to Temporal with the keys and the
# records only on the server, for operations' scripts (WC_STARTER_DIRECT=1).
if os.environ.get("WC_STARTER_DIRECT") != "1" or sys.argv[1:2] in (["login"], ["logout"]):
    from starter.remote import main as remote

    sys.exit(remote(sys.argv[1:]))

from core.process import run_to_exit  # noqa: E402
from starter.cli import main  # noqa: E402

run_to_exit(main())
