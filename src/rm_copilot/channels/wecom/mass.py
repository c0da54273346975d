"""企业群发: approved texts become WeCom tasks (`externalcontact/add_msg_template`) that the advisor
confirms inside WeCom — that confirmation is the human approval. Results come back by polling
`get_groupmsg_send_result`; each recipient WeCom reports sent becomes one `sent` outcome.

Nobody without marketing consent, without a WeCom external contact id, over the bank's weekly cap
or with a text the gate does not pass is ever put in a task; each is listed with the reason.
"""
from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from rm_copilot.channels.wecom.client import MASS_TEXT_LIMIT, WeComApiError
from rm_copilot.channels.wecom.mass_sources import Candidate
from rm_copilot.channels.wecom.models import WeComMassMessage, WeComMassRecipient
from rm_copilot.clock import utc_now
from rm_copilot.db import transaction
from rm_copilot.errors import BadInput, NotFound

log = logging.getLogger(__name__)

NO_CONSENT = "客户未授权营销"
NO_CONTACT = "客户不是企业微信外部联系人"
NOT_PASSED = "合规检查未通过"
NOT_FRIEND = "客户已不是该客户经理的企业微信联系人"
ALREADY_RECEIVED = "客户已收到其他群发消息（企业微信频率限制）"
REFUSED = "企业微信拒绝该外部联系人"
NOT_OWN = "客户不存在或不属于该客户经理"
TOO_LONG = f"文本超过企业微信群发长度上限（{MASS_TEXT_LIMIT} 字节）"
WEEK = timedelta(days=7)
COUNTED = ("pending", "sent")  # what uses up a customer's weekly cap
WECOM_STATUS = {1: ("sent", None), 2: ("failed", NOT_FRIEND), 3: ("failed", ALREADY_RECEIVED)}
# (text, product id, customer id, advisor id) → the compliance gate's verdict for channel wecom (audited)
Check = Callable[[str, str | None, str, str], str]


class MassSendFailed(Exception):
    """WeCom refused an add_msg_template call; `mass_id` is set when earlier tasks were created."""

    def __init__(self, errcode: int, mass_id: str | None):
        self.errcode, self.mass_id = errcode, mass_id
        super().__init__(f"add_msg_template failed with {errcode}")


class MassMessenger:
    def __init__(self, session_factory: sessionmaker[Session], customers: Any, client: Any, check: Check,
                 marketing: Any, *, max_per_week: int = 4, clock: Callable[[], datetime] = utc_now):
        self._factory, self._customers, self._client = session_factory, customers, client
        self._check, self._marketing = check, marketing
        self.max_per_week = max_per_week
        self._clock = clock

    # creating ---------------------------------------------------------------------------------

    def create(self, advisor: Any, candidates: list[Candidate], *, campaign_id: str | None = None,
               script_id: str | None = None) -> dict[str, Any]:
        if not advisor.wecom_userid:
            raise BadInput(f"客户经理 {advisor.id} 尚未绑定企业微信账号（rm-copilot advisors bind-wecom）")
        if not candidates:
            raise BadInput("没有可群发的客户")
        now = self._clock()
        included, excluded = self._screen(advisor.id, candidates, now)
        mass_id = uuid.uuid4().hex[:16]
        with transaction(self._factory) as session:
            session.add(WeComMassMessage(id=mass_id, advisor_id=advisor.id, sender=advisor.wecom_userid,
                                         campaign_id=campaign_id, script_id=script_id, created_at=now))
            session.add_all(self._row(mass_id, c, "excluded", reason, now) for c, reason in excluded)
        tasks: list[dict[str, Any]] = []
        by_text: dict[str, list[tuple[Candidate, str]]] = {}
        for candidate, external_userid in included:
            by_text.setdefault(candidate.text or "", []).append((candidate, external_userid))
        for text, group in by_text.items():
            try:
                answer = self._client.add_msg_template(
                    sender=advisor.wecom_userid, external_userids=[e for _, e in group], text=text)
            except WeComApiError as error:
                self._abandon(mass_id, created=bool(tasks))
                raise MassSendFailed(error.errcode, mass_id if tasks else None) from error
            refused = set(answer["fail_list"])
            # Stored per WeCom task, so tasks created before a later failure are still followed up.
            with transaction(self._factory) as session:
                for candidate, external_userid in group:
                    status, reason = ("failed", REFUSED) if external_userid in refused else ("pending", None)
                    session.add(self._row(mass_id, candidate, status, reason, now, answer["msgid"], external_userid))
            tasks.append({"msgid": answer["msgid"], "recipients": len(group) - len(refused & {e for _, e in group})})
        return self.status(advisor.id, mass_id) | {"tasks": tasks}

    def _abandon(self, mass_id: str, *, created: bool) -> None:
        """After a refused call: a request that created no WeCom task leaves nothing behind."""
        if created:
            return
        with transaction(self._factory) as session:
            session.execute(delete(WeComMassRecipient).where(WeComMassRecipient.mass_id == mass_id))
            session.execute(delete(WeComMassMessage).where(WeComMassMessage.id == mass_id))

    def _screen(self, advisor_id: str, candidates: list[Candidate], now: datetime):
        included: list[tuple[Candidate, str]] = []
        excluded: list[tuple[Candidate, str]] = []
        recent = self._recent_counts([c.customer_id for c in candidates], now - WEEK)
        for candidate in candidates:
            reason = candidate.skipped_reason
            view = None
            if reason is None:
                try:
                    view = self._customers.get(candidate.customer_id, advisor_id=advisor_id)
                except NotFound:
                    view, reason = None, NOT_OWN
            if reason is None:
                reason = self._exclusion(candidate, view, recent.get(candidate.customer_id, 0))
            if reason is None:
                assert view is not None  # no reason to exclude: the customer was found as the advisor's own
                included.append((candidate, view.external_userid))
                recent[candidate.customer_id] = recent.get(candidate.customer_id, 0) + 1
            else:
                excluded.append((candidate, reason))
        return included, excluded

    def _exclusion(self, candidate: Candidate, view: Any, sent_this_week: int) -> str | None:
        if not view.marketing_consent:
            return NO_CONSENT
        if not view.external_userid:
            return NO_CONTACT
        if sent_this_week >= self.max_per_week:
            return f"近7天已有{sent_this_week}条群发，达到每周上限{self.max_per_week}条"
        if not candidate.text or self._check(candidate.text, candidate.product_id, candidate.customer_id,
                                             view.advisor_id) != "pass":
            return NOT_PASSED
        if len(candidate.text.encode()) > MASS_TEXT_LIMIT:
            return TOO_LONG
        return None

    def _recent_counts(self, customer_ids: list[str], since: datetime) -> dict[str, int]:
        counts: Counter[str] = Counter()
        with self._factory() as session:
            for start in range(0, len(customer_ids), 500):
                chunk = customer_ids[start:start + 500]
                stmt = (select(WeComMassRecipient.customer_id, func.count())
                        .where(WeComMassRecipient.customer_id.in_(chunk), WeComMassRecipient.status.in_(COUNTED),
                               WeComMassRecipient.created_at >= since)
                        .group_by(WeComMassRecipient.customer_id))
                counts.update(dict(session.execute(stmt).all()))
        return dict(counts)

    @staticmethod
    def _row(mass_id: str, candidate: Candidate, status: str, reason: str | None, now: datetime,
             msgid: str | None = None, external_userid: str | None = None) -> WeComMassRecipient:
        return WeComMassRecipient(mass_id=mass_id, msgid=msgid, customer_id=candidate.customer_id,
                                  external_userid=external_userid, variant=candidate.variant,
                                  product_id=candidate.product_id, status=status, reason=reason, created_at=now)

    # results ----------------------------------------------------------------------------------

    def refresh(self, advisor_id: str, mass_id: str) -> dict[str, Any]:
        """Ask WeCom what each task delivered; record a `sent` outcome per newly sent recipient."""
        mass = self._mass(advisor_id, mass_id)
        with self._factory() as session:
            pending = list(session.scalars(select(WeComMassRecipient).where(
                WeComMassRecipient.mass_id == mass_id, WeComMassRecipient.status == "pending")))
        by_msgid: dict[str, dict[str, WeComMassRecipient]] = {}
        for row in pending:
            by_msgid.setdefault(row.msgid or "", {})[row.external_userid or ""] = row
        for msgid, recipients in by_msgid.items():
            for result in self._client.groupmsg_send_results(msgid, mass.sender):
                recipient = recipients.get(str(result.get("external_userid")))
                change = WECOM_STATUS.get(result.get("status"))
                if recipient is not None and change is not None and self._settle(recipient, *change):
                    if change[0] == "sent":
                        self._record_sent(mass, recipient)
        return self.status(advisor_id, mass_id)

    def _settle(self, row: WeComMassRecipient, status: str, reason: str | None) -> bool:
        """Move one recipient out of pending; False when another poll did it first."""
        with transaction(self._factory) as session:
            done = session.execute(
                update(WeComMassRecipient)
                .where(WeComMassRecipient.id == row.id, WeComMassRecipient.status == "pending")
                .values(status=status, reason=reason, sent_at=self._clock() if status == "sent" else None))
        return cast("CursorResult[Any]", done).rowcount == 1

    def _record_sent(self, mass: WeComMassMessage, row: WeComMassRecipient) -> None:
        try:
            self._marketing.record_outcome(
                mass.advisor_id, customer_id=row.customer_id, kind="sent", script_id=mass.script_id,
                campaign_id=mass.campaign_id, variant=None if mass.script_id else row.variant,
                product_id=None if mass.script_id else row.product_id, channel="wecom", source="wecom_mass")
        except (NotFound, BadInput) as error:
            log.warning("群发 outcome not recorded: %s", type(error).__name__)

    def _mass(self, advisor_id: str, mass_id: str) -> WeComMassMessage:
        with self._factory() as session:
            mass = session.get(WeComMassMessage, mass_id)
        if mass is None or mass.advisor_id != advisor_id:
            raise NotFound(f"没有找到群发任务 {mass_id[:16]}")
        return mass

    def status(self, advisor_id: str, mass_id: str) -> dict[str, Any]:
        mass = self._mass(advisor_id, mass_id)
        with self._factory() as session:
            rows = list(session.scalars(select(WeComMassRecipient).where(WeComMassRecipient.mass_id == mass_id)
                                        .order_by(WeComMassRecipient.id)))
        counts = Counter(row.status for row in rows)
        return {
            "id": mass.id, "sender": mass.sender, "campaign_id": mass.campaign_id, "script_id": mass.script_id,
            "created_at": mass.created_at.isoformat(),
            "counts": {status: counts.get(status, 0) for status in ("pending", "sent", "failed", "excluded")},
            "recipients": [{"customer_id": r.customer_id, "status": r.status, "reason": r.reason,
                            "variant": r.variant} for r in rows if r.status != "excluded"],
            "excluded": [{"customer_id": r.customer_id, "reason": r.reason} for r in rows if r.status == "excluded"],
        }
