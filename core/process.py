"""How short-lived processes that open a Temporal client end: with their own status.

The client's native runtime threads can abort a finalising interpreter ("Fatal Python
error: PyGILState_Release ... finalizing", SIGABRT, exit 134; sdk-python issue 300), so
a command whose work was done could still report a crash. Every entry point that opens a
client (starter, search-attribute registration, worker) runs its main through
:func:`run_to_exit`, which flushes what was written and leaves without finalisation.
"""

from __future__ import annotations

import asyncio
import os
import sys
import traceback
from collections.abc import Coroutine
from typing import Any, NoReturn


def run_to_exit(main: Coroutine[Any, Any, int | None], fast_loop: bool = False) -> NoReturn:
    """``fast_loop``: on uvloop where it is installed (the worker: the SDK passes every
    activation between its threads and the loop, and uvloop's loop costs less CPU there)."""
    if fast_loop:
        try:
            import uvloop
        except ImportError:  # a platform without it: asyncio's own loop
            pass
        else:
            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    try:
        code = asyncio.run(main) or 0
    except BrokenPipeError:  # e.g. `bin/starter list | head`: the reader has gone
        code = 0
    except KeyboardInterrupt:
        code = 130
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported, then the process's own failure status
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass
    os._exit(code)
