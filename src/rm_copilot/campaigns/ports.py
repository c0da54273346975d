"""What a campaign needs from the application's object graph, as Protocols.

The composition root (`rm_copilot.services.Services`) satisfies them; campaigns never import it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class CampaignSettings(Protocol):
    """The settings a campaign reads (`rm_copilot.config.Settings`)."""

    @property
    def knowledge_base(self) -> Path: ...

    @property
    def prompts_dir(self) -> Path: ...

    @property
    def llm_backend(self) -> str: ...

    @property
    def llm_model(self) -> str: ...

    @property
    def llm_max_concurrency(self) -> int: ...

    @property
    def elderly_age(self) -> int: ...

    @property
    def resolved_home(self) -> Path: ...

    def model_dump(self, *, mode: str) -> dict[str, Any]: ...


class Services(Protocol):
    """The parts of the graph a campaign uses. A worker process rebuilds the same graph with
    `type(services)(type(services.settings)(**services.settings.model_dump(mode="json")))`."""

    @property
    def settings(self) -> CampaignSettings: ...

    @property
    def session_factory(self) -> Any: ...

    @property
    def catalog(self) -> Any: ...

    @property
    def customers(self) -> Any: ...

    @property
    def copilot(self) -> Any: ...

    @property
    def compliance(self) -> Any: ...
