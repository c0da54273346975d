"""The WeCom channel assembled: verify and decrypt a callback, accept it once, answer it in the background."""
from __future__ import annotations

import enum
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from rm_copilot.channels.wecom import replies
from rm_copilot.channels.wecom.bot import WeComBot
from rm_copilot.channels.wecom.client import WeComApiError, WeComClient
from rm_copilot.channels.wecom.crypto import InvalidSignature, WeComCrypto
from rm_copilot.channels.wecom.feedback import WeComFeedback
from rm_copilot.channels.wecom.inbox import WeComInbox
from rm_copilot.channels.wecom.mass import MassMessenger
from rm_copilot.channels.wecom.messages import InboundMessage, parse_envelope, parse_message
from rm_copilot.channels.wecom.pending import PendingMessages
from rm_copilot.channels.wecom.session_map import SqlSessionMap
from rm_copilot.channels.wecom.worker import BackgroundWorker
from rm_copilot.errors import NotFound

if TYPE_CHECKING:
    from rm_copilot.config import Settings
    from rm_copilot.services import Services

RECOVER_EVERY_SECONDS = 30.0
log = logging.getLogger(__name__)

MAX_CALLBACK_AGE_SECONDS = 3600
REQUIRED_SETTINGS = ("wecom_token", "wecom_aes_key", "wecom_corp_id", "wecom_agent_id", "wecom_secret")


def _fresh(timestamp: str) -> bool:
    """WeCom signs each delivery (retries too) with the current time. Older ones are replays that the
    inbox may no longer remember, so they are refused; the window stays well inside its memory."""
    return timestamp.isdigit() and abs(time.time() - int(timestamp)) <= MAX_CALLBACK_AGE_SECONDS


def is_configured(settings: "Settings") -> bool:
    return all(getattr(settings, name) for name in REQUIRED_SETTINGS)


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    BUSY = "busy"


class _ServicesCopilot:
    """Resolves the Copilot on first use, in a worker thread, so the first callback is not slowed."""

    def __init__(self, services: "Services"):
        self._services = services

    def chat(self, *args: Any, **kwargs: Any) -> Any:
        return self._services.copilot.chat(*args, **kwargs)

    def scripts(self, *args: Any, **kwargs: Any) -> Any:
        return self._services.copilot.scripts(*args, **kwargs)


class _ServicesMarketing:
    """The marketing service, the compliance gate and customer names, resolved on first use."""

    def __init__(self, services: "Services"):
        self._services = services

    def record_outcome(self, *args: Any, **kwargs: Any) -> int:
        return self._services.marketing.record_outcome(*args, **kwargs)

    def opportunities(self, *args: Any, **kwargs: Any) -> list[Any]:
        return self._services.marketing.opportunities(*args, **kwargs)

    def latest_script(self, advisor_id: str, customer_id: str) -> Any:
        return self._services.marketing.script_log.latest_for(advisor_id, customer_id, channel="wecom")

    def check(self, text: str) -> str:
        return self._services.compliance.check(text, channel="wecom").verdict

    def customer_name(self, advisor_id: str, customer_id: str) -> str:
        try:
            return self._services.customers.get(customer_id, advisor_id=advisor_id).name
        except NotFound:
            return ""


def build_feedback(services: "Services", client: WeComClient) -> WeComFeedback:
    marketing = _ServicesMarketing(services)
    return WeComFeedback(marketing, client, marketing.check, marketing.customer_name,
                         latest_script=marketing.latest_script)


def client_from_settings(settings: "Settings") -> WeComClient:
    return WeComClient(settings.wecom_api_base, settings.wecom_corp_id, settings.wecom_secret, settings.wecom_agent_id)


def mass_messenger(services: "Services", client: WeComClient) -> MassMessenger:
    def check(text: str, product_id: str | None, customer_id: str) -> str:
        product_type = services.catalog.get(product_id).type if product_id else None
        context = services.customers.compliance_context(customer_id)
        return services.compliance.check(text, product_type=product_type, channel="wecom", customer=context).verdict

    return MassMessenger(services.session_factory, services.customers, client, check, services.marketing,
                         max_per_week=services.settings.wecom_mass_max_per_week)


class WeComChannel:
    def __init__(self, crypto: WeComCrypto, inbox: WeComInbox, bot: WeComBot, worker: BackgroundWorker,
                 client: WeComClient | None = None):
        self.crypto, self.inbox, self.bot, self.worker = crypto, inbox, bot, worker
        self.client = client

    @classmethod
    def from_services(cls, services: "Services") -> "WeComChannel":
        settings = services.settings
        if not is_configured(settings):
            raise ValueError("WeCom settings are incomplete")
        client = client_from_settings(settings)
        bot = WeComBot(_ServicesCopilot(services), services.customers, client,
                       feedback=build_feedback(services, client), sessions=SqlSessionMap(services.session_factory))
        channel = cls(
            WeComCrypto(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id),
            WeComInbox(services.session_factory),
            bot,
            BackgroundWorker(max_workers=max(1, settings.llm_max_concurrency)),
            client,
        )
        channel.attach_pending(PendingMessages(services.session_factory))
        return channel

    def verify_url(self, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The decrypted echostr, after the signature over the encrypted one checks out."""
        return self.crypto.decrypt_verified(signature, timestamp, nonce, echostr)

    def receive(self, signature: str, timestamp: str, nonce: str, body: bytes) -> Outcome:
        """Check, decrypt and accept a callback; the reply is produced later by the worker.

        Raises MalformedMessage, InvalidSignature or WeComCryptoError before anything is recorded.
        """
        encrypted = parse_envelope(body)
        self.crypto.verify(signature, timestamp, nonce, encrypted)
        if not _fresh(timestamp):
            raise InvalidSignature("stale timestamp: a replayed callback")
        message = parse_message(self.crypto.decrypt(encrypted))
        return self.accept(message)

    def accept(self, message: InboundMessage) -> Outcome:
        if not self.inbox.claim(message.dedupe_key, message.msg_type):
            return Outcome.DUPLICATE
        if self.pending is not None:
            self.pending.hold(message)  # before the ack: a crash from here on is answered after restart
        if not self.worker.try_submit(lambda: self._process(message)):
            self.inbox.release(message.dedupe_key)
            if self.pending is not None:
                self.pending.done(message.dedupe_key)
            return Outcome.BUSY
        return Outcome.ACCEPTED

    pending: PendingMessages | None = None
    _recovering: threading.Event | None = None

    def attach_pending(self, pending: PendingMessages, *, every_seconds: float = RECOVER_EVERY_SECONDS) -> None:
        """Keep accepted messages in the database, and answer those a dead process left (now and periodically)."""
        self.pending = pending
        self._recovering = threading.Event()
        stop = self._recovering

        def loop() -> None:
            while True:
                self.recover_abandoned()
                if stop.wait(every_seconds):
                    return

        threading.Thread(target=loop, name="wecom-recover", daemon=True).start()

    def recover_abandoned(self) -> int:
        """Queue the acknowledged messages whose process died before answering; returns how many."""
        if self.pending is None:
            return 0
        queued = 0
        for message in self.pending.take_abandoned():
            if self.worker.try_submit(lambda message=message: self._process(message)):
                queued += 1
        if queued:
            log.warning("re-queued %d acknowledged wecom message(s) left by a stopped process", queued)
        return queued

    def _process(self, message: InboundMessage) -> None:
        try:
            status = "answered" if self.bot.handle(message) else "ignored"
        except WeComApiError as error:
            log.error("wecom reply could not be sent: %s", error)
            status = "failed"
        except Exception as error:  # noqa: BLE001 - the advisor still deserves an answer
            # The type only at ERROR: exception texts may quote customer data; the trace is for DEBUG.
            log.error("wecom message handling failed: %s", type(error).__name__)
            log.debug("wecom message handling failed", exc_info=True)
            status = "failed"
            self._apologise(message.from_user)
        self.inbox.finish(message.dedupe_key, status)
        if self.pending is not None:
            self.pending.done(message.dedupe_key)

    def _apologise(self, userid: str) -> None:
        try:
            self.bot.send_fixed(userid, replies.TEMPORARY_FAILURE)
        except Exception:  # noqa: BLE001
            log.warning("could not send the failure notice either", exc_info=True)

    def close(self) -> None:
        if self._recovering is not None:
            self._recovering.set()
        self.worker.shutdown(wait=False)

