from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.assistant_mode import AssistantMode
from ..models.provider_kind import ProviderKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="SettingsPatch")


@_attrs_define
class SettingsPatch:
    """Changes to the settings: an absent field stays as it is, `null` removes this level's value
    (the platform default, or the built-in one, applies again), a value sets it.

        Attributes:
            api_key (None | str | Unset): The provider's API key, write-only: stored sealed (XChaCha20-Poly1305), never
                returned.
            assistant_mode (AssistantMode | None | Unset): `off`, `draft` or `reply`.
            base_url (None | str | Unset): An `http` or `https` URL without credentials, query or fragment; loopback,
                private and
                link-local addresses are refused unless the service allows them
                (`ASSISTANT_ALLOW_PRIVATE_URLS`).
            escalation_keywords (list[str] | None | Unset): Up to 100 phrases of 1–100 characters; they replace the current
                list (`[]`: no keyword
                escalates).
            escalation_threshold (float | None | Unset): 0–1.
            model (None | str | Unset): 1–200 characters.
            provider (None | ProviderKind | Unset): `builtin` or `openai`.
            retrieval_min_score (float | None | Unset): 0–1.
            retrieval_top_k (int | None | Unset): 1–20.
            system_prompt (None | str | Unset): 1–8,000 characters.
    """

    api_key: None | str | Unset = UNSET
    assistant_mode: AssistantMode | None | Unset = UNSET
    base_url: None | str | Unset = UNSET
    escalation_keywords: list[str] | None | Unset = UNSET
    escalation_threshold: float | None | Unset = UNSET
    model: None | str | Unset = UNSET
    provider: None | ProviderKind | Unset = UNSET
    retrieval_min_score: float | None | Unset = UNSET
    retrieval_top_k: int | None | Unset = UNSET
    system_prompt: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        api_key: None | str | Unset
        if isinstance(self.api_key, Unset):
            api_key = UNSET
        else:
            api_key = self.api_key

        assistant_mode: None | str | Unset
        if isinstance(self.assistant_mode, Unset):
            assistant_mode = UNSET
        elif isinstance(self.assistant_mode, AssistantMode):
            assistant_mode = self.assistant_mode.value
        else:
            assistant_mode = self.assistant_mode

        base_url: None | str | Unset
        if isinstance(self.base_url, Unset):
            base_url = UNSET
        else:
            base_url = self.base_url

        escalation_keywords: list[str] | None | Unset
        if isinstance(self.escalation_keywords, Unset):
            escalation_keywords = UNSET
        elif isinstance(self.escalation_keywords, list):
            escalation_keywords = self.escalation_keywords

        else:
            escalation_keywords = self.escalation_keywords

        escalation_threshold: float | None | Unset
        if isinstance(self.escalation_threshold, Unset):
            escalation_threshold = UNSET
        else:
            escalation_threshold = self.escalation_threshold

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        provider: None | str | Unset
        if isinstance(self.provider, Unset):
            provider = UNSET
        elif isinstance(self.provider, ProviderKind):
            provider = self.provider.value
        else:
            provider = self.provider

        retrieval_min_score: float | None | Unset
        if isinstance(self.retrieval_min_score, Unset):
            retrieval_min_score = UNSET
        else:
            retrieval_min_score = self.retrieval_min_score

        retrieval_top_k: int | None | Unset
        if isinstance(self.retrieval_top_k, Unset):
            retrieval_top_k = UNSET
        else:
            retrieval_top_k = self.retrieval_top_k

        system_prompt: None | str | Unset
        if isinstance(self.system_prompt, Unset):
            system_prompt = UNSET
        else:
            system_prompt = self.system_prompt

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if api_key is not UNSET:
            field_dict["api_key"] = api_key
        if assistant_mode is not UNSET:
            field_dict["assistant_mode"] = assistant_mode
        if base_url is not UNSET:
            field_dict["base_url"] = base_url
        if escalation_keywords is not UNSET:
            field_dict["escalation_keywords"] = escalation_keywords
        if escalation_threshold is not UNSET:
            field_dict["escalation_threshold"] = escalation_threshold
        if model is not UNSET:
            field_dict["model"] = model
        if provider is not UNSET:
            field_dict["provider"] = provider
        if retrieval_min_score is not UNSET:
            field_dict["retrieval_min_score"] = retrieval_min_score
        if retrieval_top_k is not UNSET:
            field_dict["retrieval_top_k"] = retrieval_top_k
        if system_prompt is not UNSET:
            field_dict["system_prompt"] = system_prompt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_api_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        api_key = _parse_api_key(d.pop("api_key", UNSET))

        def _parse_assistant_mode(data: object) -> AssistantMode | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                assistant_mode_type_1 = AssistantMode(data)

                return assistant_mode_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AssistantMode | None | Unset, data)

        assistant_mode = _parse_assistant_mode(d.pop("assistant_mode", UNSET))

        def _parse_base_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        base_url = _parse_base_url(d.pop("base_url", UNSET))

        def _parse_escalation_keywords(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                escalation_keywords_type_0 = cast(list[str], data)

                return escalation_keywords_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        escalation_keywords = _parse_escalation_keywords(
            d.pop("escalation_keywords", UNSET)
        )

        def _parse_escalation_threshold(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        escalation_threshold = _parse_escalation_threshold(
            d.pop("escalation_threshold", UNSET)
        )

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_provider(data: object) -> None | ProviderKind | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                provider_type_1 = ProviderKind(data)

                return provider_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProviderKind | Unset, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        def _parse_retrieval_min_score(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        retrieval_min_score = _parse_retrieval_min_score(
            d.pop("retrieval_min_score", UNSET)
        )

        def _parse_retrieval_top_k(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        retrieval_top_k = _parse_retrieval_top_k(d.pop("retrieval_top_k", UNSET))

        def _parse_system_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        system_prompt = _parse_system_prompt(d.pop("system_prompt", UNSET))

        settings_patch = cls(
            api_key=api_key,
            assistant_mode=assistant_mode,
            base_url=base_url,
            escalation_keywords=escalation_keywords,
            escalation_threshold=escalation_threshold,
            model=model,
            provider=provider,
            retrieval_min_score=retrieval_min_score,
            retrieval_top_k=retrieval_top_k,
            system_prompt=system_prompt,
        )

        return settings_patch
