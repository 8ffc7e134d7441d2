import asyncio
import os
import sys

from starter.cli import main

try:
    code = asyncio.run(main())
    sys.stdout.flush()
except BrokenPipeError:  # e.g. `python -m starter list | head`: the reader has gone
    code = 0
sys.stderr.flush()
# Skip interpreter finalisation: the Temporal client's native runtime threads can
# abort a finalising interpreter (PyGILState_Release), turning success into exit -6.
os._exit(code)
