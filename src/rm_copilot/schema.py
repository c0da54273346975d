"""The model registry: every ORM models module, so the metadata is complete without `db` naming the layers above it.

Only the composition root and the migrations import this module. A new table is added here and in a
new revision under `migrations/versions/` (tests/migrations fail when the two disagree).
"""
from __future__ import annotations

from sqlalchemy import Engine, MetaData

import rm_copilot.assistant.models  # noqa: F401,E402
import rm_copilot.campaigns.models  # noqa: F401,E402
import rm_copilot.channels.wecom.models  # noqa: F401,E402
import rm_copilot.channels.wecom.pending  # noqa: F401,E402
import rm_copilot.channels.wecom.session_map  # noqa: F401,E402
import rm_copilot.compliance.audit  # noqa: F401,E402
import rm_copilot.customers.models  # noqa: F401,E402
import rm_copilot.customers.need_models  # noqa: F401,E402
import rm_copilot.marketing.models  # noqa: F401,E402
import rm_copilot.rate_limits  # noqa: F401,E402
from rm_copilot import db


def metadata() -> MetaData:
    return db.Base.metadata


def upgrade(engine: Engine) -> None:
    """Create or migrate the store to the newest revision (every store opening calls this)."""
    from rm_copilot.migrations import upgrade_to_head

    upgrade_to_head(engine)
