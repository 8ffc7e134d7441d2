import asyncio
import sys

from starter.cli import main

sys.exit(asyncio.run(main()))
