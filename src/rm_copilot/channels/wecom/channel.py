"""The WeCom channel assembled: verify and decrypt a callback, accept it once, answer it in the background."""
from __future__ import annotations

import enum
import functools
import logging
import threading
import time

from rm_copilot.channels.wecom import replies
from rm_copilot.channels.wecom.bot import WeComBot
from rm_copilot.channels.wecom.client import WeComApiError, WeComClient
from rm_copilot.channels.wecom.crypto import InvalidSignature, WeComCrypto
from rm_copilot.channels.wecom.inbox import WeComInbox
from rm_copilot.channels.wecom.messages import InboundMessage, parse_envelope, parse_message
from rm_copilot.channels.wecom.pending import PendingMessages
from rm_copilot.channels.wecom.worker import BackgroundWorker

RECOVER_EVERY_SECONDS = 30.0
log = logging.getLogger(__name__)

MAX_CALLBACK_AGE_SECONDS = 3600


def _fresh(timestamp: str) -> bool:
    """WeCom signs each delivery (retries too) with the current time. Older ones are replays that the
    inbox may no longer remember, so they are refused; the window stays well inside its memory."""
    return timestamp.isdigit() and abs(time.time() - int(timestamp)) <= MAX_CALLBACK_AGE_SECONDS


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    BUSY = "busy"


class WeComChannel:
    def __init__(self, crypto: WeComCrypto, inbox: WeComInbox, bot: WeComBot, worker: BackgroundWorker,
                 client: WeComClient | None = None):
        self.crypto, self.inbox, self.bot, self.worker = crypto, inbox, bot, worker
        self.client = client

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
            if self.worker.try_submit(functools.partial(self._process, message)):
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

