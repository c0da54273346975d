"""The table of scripts shown to advisors, so outcomes can name the script they follow.

A script's id is a hash of who it was for and what it says: the same script drafted twice keeps
its id, a changed word gets a new one. Only the text's sha256 is stored, never the text.
"""
from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from rm_copilot.db import transaction
from rm_copilot.errors import NotFound
from rm_copilot.marketing.models import IssuedScript
from rm_copilot.marketing.segments import segment_of

OPERATOR = "cli"


def script_id_for(advisor_id: str, customer_id: str, product_id: str | None, scenario: str, channel: str,
                  variant: int, text: str) -> str:
    key = "\x1f".join((advisor_id, customer_id, product_id or "", scenario, channel, str(variant), text))
    return "S" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


class ScriptLog:
    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory

    def record(self, script: Any, *, brief: dict[str, Any], customer_id: str | None,
               advisor_id: str | None) -> str:
        """Store the script once (idempotent) and return its stable id."""
        return self.issue(
            advisor_id=advisor_id or OPERATOR, customer_id=customer_id or "", product_id=script.product_id,
            scenario=script.scenario, channel=script.channel, variant=script.variant,
            segment=segment_of(brief), verdict=script.compliance.verdict, text=script.text,
        )

    def issue(self, *, advisor_id: str, customer_id: str, product_id: str | None, scenario: str, channel: str,
              variant: int, segment: str, verdict: str, text: str) -> str:
        script_id = script_id_for(advisor_id, customer_id, product_id, scenario, channel, variant, text)
        row = IssuedScript(
            script_id=script_id, advisor_id=advisor_id, customer_id=customer_id, product_id=product_id,
            scenario=scenario, channel=channel, variant=variant, segment=segment, verdict=verdict,
            text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
        try:
            with transaction(self._factory) as session:
                if session.get(IssuedScript, script_id) is None:
                    session.add(row)
        except IntegrityError:
            pass  # the same script recorded at the same moment by another worker
        return script_id

    def latest_for(self, advisor_id: str, customer_id: str, *, channel: str | None = None) -> IssuedScript | None:
        """The advisor's most recent script for this customer (on `channel`), to attribute an outcome to."""
        stmt = (select(IssuedScript).where(IssuedScript.advisor_id == advisor_id,
                                           IssuedScript.customer_id == customer_id)
                .order_by(IssuedScript.created_at.desc()).limit(1))
        if channel is not None:
            stmt = stmt.where(IssuedScript.channel == channel)
        with self._factory() as session:
            return session.scalars(stmt).first()

    def get(self, script_id: str, *, advisor_id: str | None, customer_id: str | None = None) -> IssuedScript:
        """One issued script of this advisor (None: any) and customer; anything else is NotFound.

        An advisor sees only their own scripts: those drafted at the command line (owner OPERATOR) are not theirs.
        """
        stmt = select(IssuedScript).where(IssuedScript.script_id == script_id)
        if advisor_id is not None:
            stmt = stmt.where(IssuedScript.advisor_id == advisor_id)
        if customer_id is not None:
            stmt = stmt.where(IssuedScript.customer_id == customer_id)
        with self._factory() as session:
            found = session.scalars(stmt).one_or_none()
        if found is None:
            raise NotFound(f"没有找到话术 {script_id[:24]}")
        return found
