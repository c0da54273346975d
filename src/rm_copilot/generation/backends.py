"""Chat-model backends behind one interface (LangChain `BaseChatModel`); the composition root picks one."""
from __future__ import annotations

from pathlib import Path

from langchain_core.language_models import BaseChatModel

from rm_copilot.generation.builtin import BuiltinComposerChatModel


def make_builtin_model(prompts_dir: Path, lexicon_dir: Path | None = None) -> BuiltinComposerChatModel:
    """The builtin composer; `lexicon_dir` is used only when it exists (else the packaged lexicon)."""
    lexicon = str(lexicon_dir) if lexicon_dir is not None and lexicon_dir.is_dir() else None
    return BuiltinComposerChatModel(prompts_dir=str(prompts_dir), lexicon_dir=lexicon)


def make_openai_model(*, base_url: str | None, model: str, api_key: str, timeout: float,
                      retries: int) -> BaseChatModel:
    """An OpenAI-compatible server; `timeout` is one deadline across the retries and the stream."""
    import httpx
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    from rm_copilot.generation.deadline import DeadlineChatModel, DeadlineTransport

    client = ChatOpenAI(
        base_url=base_url,
        model=model,
        api_key=SecretStr(api_key),
        timeout=timeout,
        max_retries=0,  # retried by DeadlineChatModel, within the one deadline
        temperature=0.3,
        streaming=True,
        http_client=httpx.Client(transport=DeadlineTransport()),
    )
    return DeadlineChatModel(inner=client, seconds=timeout, retries=retries)
