from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.assistant_mode import AssistantMode
from ..models.provider_kind import ProviderKind

T = TypeVar("T", bound="SettingsOut")


@_attrs_define
class SettingsOut:
    """The assistant's settings in force: each value is the tenant's own where it set one (see
    `overridden`), else the platform default.

        Attributes:
            api_key_set (bool): Whether an API key for the provider is in force; the key itself is never returned. A
                platform default key is used only while the tenant sets neither its own key nor its own
                `base_url`.
            assistant_mode (AssistantMode): What the assistant does with tickets.
            base_url (str): Base URL of the OpenAI-compatible service (`…/v1/chat/completions` is appended).
            escalation_keywords (list[str]): Phrases that escalate a question, matched on word forms (English and Russian
                stemming:
                "refunds" matches "refund", "возврата" matches "возврат"), several words as a phrase.
            escalation_threshold (float): A question escalates when the best knowledge-base match scores below this (cosine
                similarity, 0–1; calibrated on the evaluation set, see bench/README.md). The built-in
                default depends on the service's embedding model: 0.3 with all-MiniLM-L6-v2, 0.8 with
                multilingual-e5-small.
            model (str): The model the `openai` provider asks for.
            overridden (list[str]): The fields set at this level; the others are inherited.
            provider (ProviderKind): Who writes the answers.
            retrieval_min_score (float): Chunks scoring below this (cosine similarity) are not given to the provider.
            retrieval_top_k (int): How many knowledge-base chunks retrieval returns per question (1–20).
            system_prompt (str): The system prompt of the `openai` provider.
    """

    api_key_set: bool
    assistant_mode: AssistantMode
    base_url: str
    escalation_keywords: list[str]
    escalation_threshold: float
    model: str
    overridden: list[str]
    provider: ProviderKind
    retrieval_min_score: float
    retrieval_top_k: int
    system_prompt: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        api_key_set = self.api_key_set

        assistant_mode = self.assistant_mode.value

        base_url = self.base_url

        escalation_keywords = self.escalation_keywords

        escalation_threshold = self.escalation_threshold

        model = self.model

        overridden = self.overridden

        provider = self.provider.value

        retrieval_min_score = self.retrieval_min_score

        retrieval_top_k = self.retrieval_top_k

        system_prompt = self.system_prompt

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "api_key_set": api_key_set,
                "assistant_mode": assistant_mode,
                "base_url": base_url,
                "escalation_keywords": escalation_keywords,
                "escalation_threshold": escalation_threshold,
                "model": model,
                "overridden": overridden,
                "provider": provider,
                "retrieval_min_score": retrieval_min_score,
                "retrieval_top_k": retrieval_top_k,
                "system_prompt": system_prompt,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        api_key_set = d.pop("api_key_set")

        assistant_mode = AssistantMode(d.pop("assistant_mode"))

        base_url = d.pop("base_url")

        escalation_keywords = cast(list[str], d.pop("escalation_keywords"))

        escalation_threshold = d.pop("escalation_threshold")

        model = d.pop("model")

        overridden = cast(list[str], d.pop("overridden"))

        provider = ProviderKind(d.pop("provider"))

        retrieval_min_score = d.pop("retrieval_min_score")

        retrieval_top_k = d.pop("retrieval_top_k")

        system_prompt = d.pop("system_prompt")

        settings_out = cls(
            api_key_set=api_key_set,
            assistant_mode=assistant_mode,
            base_url=base_url,
            escalation_keywords=escalation_keywords,
            escalation_threshold=escalation_threshold,
            model=model,
            overridden=overridden,
            provider=provider,
            retrieval_min_score=retrieval_min_score,
            retrieval_top_k=retrieval_top_k,
            system_prompt=system_prompt,
        )

        settings_out.additional_properties = d
        return settings_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
