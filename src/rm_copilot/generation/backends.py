"""Chat-model backends behind one interface (LangChain `BaseChatModel`), chosen by settings."""
from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_core.language_models import BaseChatModel

from rm_copilot.generation.builtin import BuiltinComposerChatModel

if TYPE_CHECKING:
    from rm_copilot.config import Settings


def make_builtin_model(settings: "Settings") -> BuiltinComposerChatModel:
    lexicon = settings.knowledge_base / "lexicon"
    return BuiltinComposerChatModel(
        prompts_dir=str(settings.prompts_dir), lexicon_dir=str(lexicon) if lexicon.is_dir() else None
    )


def make_chat_model(settings: "Settings") -> BaseChatModel:
    if settings.llm_backend == "openai":
        import httpx
        from langchain_openai import ChatOpenAI

        from rm_copilot.generation.deadline import DeadlineChatModel, DeadlineTransport

        client = ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
            max_retries=0,  # retried by DeadlineChatModel, within the one deadline
            temperature=0.3,
            streaming=True,
            http_client=httpx.Client(transport=DeadlineTransport()),
        )
        return DeadlineChatModel(inner=client, seconds=settings.llm_timeout, retries=settings.llm_max_retries)
    return make_builtin_model(settings)
