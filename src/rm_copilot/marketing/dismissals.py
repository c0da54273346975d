"""Dismissed opportunities, keyed by the trigger's fingerprint (a changed trigger is a new one)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from rm_copilot.db import transaction
from rm_copilot.marketing.models import OpportunityDismissal


class DismissalStore:
    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory

    def dismiss(self, *, advisor_id: str, customer_id: str, trigger: str, fingerprint: str, reason: str) -> None:
        try:
            with transaction(self._factory) as session:
                exists = session.scalars(select(OpportunityDismissal.id).where(
                    OpportunityDismissal.advisor_id == advisor_id, OpportunityDismissal.customer_id == customer_id,
                    OpportunityDismissal.fingerprint == fingerprint)).first()
                if exists is None:
                    session.add(OpportunityDismissal(advisor_id=advisor_id, customer_id=customer_id,
                                                     trigger=trigger, fingerprint=fingerprint, reason=reason))
        except IntegrityError:
            pass  # dismissed twice at the same moment: once is enough

    def fingerprints(self, advisor_id: str) -> set[str]:
        with self._factory() as session:
            return set(session.scalars(select(OpportunityDismissal.fingerprint)
                                       .where(OpportunityDismissal.advisor_id == advisor_id)))
