"""Save a case workflow's history as JSON, for the replay tests.

python -m scripts.export_history CASE_ID [OUT_FILE]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from core.client import connect
from core.config import get_settings
from models.case import workflow_id_for


async def main(case_id: str, out: Path | None) -> None:
    client = await connect(get_settings())
    workflow_id = workflow_id_for(case_id) if not case_id.startswith("case-") else case_id
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    out = out or Path("tests/workflows/histories") / f"{workflow_id}.json"
    out.write_text(history.to_json())
    print(out)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]) if len(sys.argv) == 3 else None))
