"""`python -m rm_copilot.migrations revision "message"`: draft a revision from the models' changes.

The draft compares the models (rm_copilot.schema) with a scratch SQLite database upgraded to the
current head; review it by hand before committing (SQLite and PostgreSQL both run it).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from rm_copilot import schema
from rm_copilot.migrations import SCRIPT_LOCATION, alembic_config, upgrade_to_head


def _next_revision_id() -> str:
    numbers = [int(path.name[:4]) for path in (SCRIPT_LOCATION / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")]
    return f"{max(numbers, default=0) + 1:04d}"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "revision":
        print('usage: python -m rm_copilot.migrations revision "message"', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        upgrade_to_head(engine)
        with engine.connect() as connection:
            command.revision(alembic_config(connection, schema.metadata()), message=argv[1], autogenerate=True,
                             rev_id=_next_revision_id())
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
