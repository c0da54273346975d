"""The WeCom channel assembled: verify and decrypt a callback, accept it once, answer it in the background."""
from __future__ import annotations

import enum
import logging
import time
from typing import TYPE_CHECKING, Any

from rm_copilot.channels.wecom import replies
from rm_copilot.channels.wecom.bot import WeComBot
from rm_copilot.channels.wecom.client import WeComApiError, WeComClient
from rm_copilot.channels.wecom.crypto import InvalidSignature, WeComCrypto
from rm_copilot.channels.wecom.feedback import WeComFeedback
from rm_copilot.channels.wecom.inbox import WeComInbox
from rm_copilot.channels.wecom.messages import InboundMessage, parse_envelope, parse_message
from rm_copilot.channels.wecom.worker import BackgroundWorker
from rm_copilot.errors import NotFound

if TYPE_CHECKING:
    from rm_copilot.config import Settings
    from rm_copilot.services import Services

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


class WeComChannel:
    def __init__(self, crypto: WeComCrypto, inbox: WeComInbox, bot: WeComBot, worker: BackgroundWorker):
        self.crypto, self.inbox, self.bot, self.worker = crypto, inbox, bot, worker

    @classmethod
    def from_services(cls, services: "Services") -> "WeComChannel":
        settings = services.settings
        if not is_configured(settings):
            raise ValueError("WeCom settings are incomplete")
        client = WeComClient(
            settings.wecom_api_base, settings.wecom_corp_id, settings.wecom_secret, settings.wecom_agent_id
        )
        bot = WeComBot(_ServicesCopilot(services), services.customers, client,
                       feedback=build_feedback(services, client))
        return cls(
            WeComCrypto(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id),
            WeComInbox(services.session_factory),
            bot,
            BackgroundWorker(max_workers=max(1, settings.llm_max_concurrency)),
        )

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
        if not self.worker.try_submit(lambda: self._process(message)):
            self.inbox.release(message.dedupe_key)
            return Outcome.BUSY
        return Outcome.ACCEPTED

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

    def _apologise(self, userid: str) -> None:
        try:
            self.bot.send_fixed(userid, replies.TEMPORARY_FAILURE)
        except Exception:  # noqa: BLE001
            log.warning("could not send the failure notice either", exc_info=True)

    def close(self) -> None:
        self.worker.shutdown(wait=False)

