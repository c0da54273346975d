"""`BuiltinComposerChatModel`: the offline backend, a LangChain chat model like any other.

It reads the ComposeRequest attached to the last message (`additional_kwargs["rm_request"]`, which
OpenAI-compatible backends ignore) and answers with the composer's text; streaming yields sentences.
The guarded generator composes through `BuiltinComposer` (`builtin_composer.py`), the same composer
without LangChain.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from rm_copilot.generation.builtin_composer import compose_offline
from rm_copilot.generation.request import REQUEST_KEY, ComposeRequest
from rm_copilot.generation.sentences import split_sentences


class BuiltinComposerChatModel(BaseChatModel):
    prompts_dir: str
    lexicon_dir: str | None = None

    @property
    def _llm_type(self) -> str:
        return "rm-copilot-builtin"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"prompts_dir": self.prompts_dir}

    def compose(self, request: ComposeRequest) -> str:
        return compose_offline(request, self.prompts_dir, self.lexicon_dir)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = self.compose(_request_from(messages))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for sentence in split_sentences(self.compose(_request_from(messages))):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=sentence))
            if run_manager:
                run_manager.on_llm_new_token(sentence, chunk=chunk)
            yield chunk


def _request_from(messages: list[BaseMessage]) -> ComposeRequest:
    for message in reversed(messages):
        payload = message.additional_kwargs.get(REQUEST_KEY)
        if payload is not None:
            return ComposeRequest.model_validate(payload)
    raise ValueError("builtin composer needs a structured request on the last message")
