"""Domain errors. Messages are shown to advisors, so they are in Chinese.

They are translated to HTTP statuses and CLI exit codes only at the edges (channels/, cli.py).
"""


class RmCopilotError(Exception):
    """Base class; `str(error)` is the advisor-facing message."""


class BadInput(RmCopilotError):
    """The caller sent something unusable (CLI exit 2, HTTP 400/422)."""


class NotFound(RmCopilotError):
    """No such object, or not visible to this advisor (HTTP 404)."""


class Unauthorized(RmCopilotError):
    """Missing or unknown credentials (HTTP 401)."""


class RulebookError(RmCopilotError):
    """The compliance rulebook is malformed; names file, rule and field."""


class ImportRejected(BadInput):
    """A customer file had bad rows; nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("导入失败，未写入任何数据：\n" + "\n".join(errors))


class CampaignError(BadInput):
    """A campaign request cannot be run as asked."""


class CampaignConflict(CampaignError):
    """A campaign cannot run now: its output is being written, or a resume would mix rulebooks or
    models (HTTP 409, CLI exit 2)."""
