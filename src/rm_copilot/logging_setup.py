"""Logging that never writes an ID, phone or card number: every record passes the PII redactor."""
from __future__ import annotations

import logging


class PiiRedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from rm_copilot.compliance.pii import redact_pii

        message = record.getMessage()
        redacted = redact_pii(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info or record.exc_text:
            # Exception texts may quote input (a row, a SQL parameter); formatters reuse exc_text, and
            # another handler may have cached the raw one already.
            trace = record.exc_text or (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
            record.exc_text = redact_pii(trace)
        if record.stack_info:
            record.stack_info = redact_pii(record.stack_info)
        return True


class _LibrariesAtRootLevel(logging.Filter):
    """Some libraries (bm25s) set their own logger to DEBUG when imported; only ours may go below the root level."""

    def __init__(self, level: int):
        super().__init__()
        self._level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self._level or record.name.startswith("rm_copilot")


def configure_logging(level: str | None = None) -> None:
    """`level` comes from the caller (the CLI reads RM_COPILOT_LOG_LEVEL); WARNING when not given."""
    root = logging.getLogger()
    if getattr(root, "_rm_copilot_configured", False):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(PiiRedactingFilter())
    root.addHandler(handler)
    root.setLevel((level or "WARNING").upper())
    handler.addFilter(_LibrariesAtRootLevel(root.level))
    for noisy in ("jieba", "chromadb", "httpx", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    root._rm_copilot_configured = True  # type: ignore[attr-defined]
