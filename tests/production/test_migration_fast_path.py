"""A store already at the newest revision opens without importing Alembic; anything else migrates."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from sqlalchemy import text

from rm_copilot.db import make_engine
from rm_copilot.migrations import alembic_config, current_revision, declared_head, head_revision, upgrade_to_head


def test_declared_head_is_alembics_head():
    assert declared_head() == head_revision()


def test_store_at_head_opens_without_alembic(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    probe = ("import sys; from rm_copilot.db import make_engine; from rm_copilot.migrations import upgrade_to_head; "
             f"upgrade_to_head(make_engine({url!r})); print('alembic' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_store_behind_the_head_is_still_upgraded(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade_to_head(engine)
    with engine.connect() as connection:  # back one revision: rate_limit_windows is the newest's
        command.downgrade(alembic_config(connection), "-1")
        connection.commit()
    assert current_revision(engine) != head_revision()
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM rate_limit_windows")).one()
    engine.dispose()
