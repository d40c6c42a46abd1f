from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.answer_mode import AnswerMode
from ..models.provider_kind import ProviderKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.escalation_out import EscalationOut
    from ..models.source_out import SourceOut


T = TypeVar("T", bound="AnswerOut")


@_attrs_define
class AnswerOut:
    """An answer with its sources.

    Attributes:
        answer (str): The answer; it cites its sources as `[1]`, `[2]`. Citations of passages that were not
            retrieved are removed (counted in `dropped_citations`).
        dropped_citations (int): Citations removed because they named no retrieved passage.
        escalated (bool): Whether an escalation rule fired: a ticket would go to a person instead of getting this
            answer. Here the answer is still returned; the client decides.
        generation_ms (float): Time the provider took, in milliseconds.
        log_id (UUID): The query log entry (`POST /v1/query-logs/{id}/feedback` rates it).
        mode (AnswerMode): How an answer was written.
        model (str):
        provider (ProviderKind): Who writes the answers.
        retrieval_ms (float): Time to embed the question and search, in milliseconds.
        sources (list[SourceOut]): The passages the answer cites, by `ref`.
        best_score (float | Unset): The best retrieval score (cosine similarity); absent when nothing matched.
        completion_tokens (int | Unset): Tokens of the answer.
        escalation (EscalationOut | Unset): Why an answer escalated.
        prompt_tokens (int | Unset): Tokens of the prompt (as the provider reports them; the built-in provider counts
            the
            question and the sentences it compared).
    """

    answer: str
    dropped_citations: int
    escalated: bool
    generation_ms: float
    log_id: UUID
    mode: AnswerMode
    model: str
    provider: ProviderKind
    retrieval_ms: float
    sources: list[SourceOut]
    best_score: float | Unset = UNSET
    completion_tokens: int | Unset = UNSET
    escalation: EscalationOut | Unset = UNSET
    prompt_tokens: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        answer = self.answer

        dropped_citations = self.dropped_citations

        escalated = self.escalated

        generation_ms = self.generation_ms

        log_id = str(self.log_id)

        mode = self.mode.value

        model = self.model

        provider = self.provider.value

        retrieval_ms = self.retrieval_ms

        sources = []
        for sources_item_data in self.sources:
            sources_item = sources_item_data.to_dict()
            sources.append(sources_item)

        best_score = self.best_score

        completion_tokens = self.completion_tokens

        escalation: dict[str, Any] | Unset = UNSET
        if not isinstance(self.escalation, Unset):
            escalation = self.escalation.to_dict()

        prompt_tokens = self.prompt_tokens

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "answer": answer,
                "dropped_citations": dropped_citations,
                "escalated": escalated,
                "generation_ms": generation_ms,
                "log_id": log_id,
                "mode": mode,
                "model": model,
                "provider": provider,
                "retrieval_ms": retrieval_ms,
                "sources": sources,
            }
        )
        if best_score is not UNSET:
            field_dict["best_score"] = best_score
        if completion_tokens is not UNSET:
            field_dict["completion_tokens"] = completion_tokens
        if escalation is not UNSET:
            field_dict["escalation"] = escalation
        if prompt_tokens is not UNSET:
            field_dict["prompt_tokens"] = prompt_tokens

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.escalation_out import EscalationOut
        from ..models.source_out import SourceOut

        d = dict(src_dict)
        answer = d.pop("answer")

        dropped_citations = d.pop("dropped_citations")

        escalated = d.pop("escalated")

        generation_ms = d.pop("generation_ms")

        log_id = UUID(d.pop("log_id"))

        mode = AnswerMode(d.pop("mode"))

        model = d.pop("model")

        provider = ProviderKind(d.pop("provider"))

        retrieval_ms = d.pop("retrieval_ms")

        sources = []
        _sources = d.pop("sources")
        for sources_item_data in _sources:
            sources_item = SourceOut.from_dict(sources_item_data)

            sources.append(sources_item)

        best_score = d.pop("best_score", UNSET)

        completion_tokens = d.pop("completion_tokens", UNSET)

        _escalation = d.pop("escalation", UNSET)
        escalation: EscalationOut | Unset
        if isinstance(_escalation, Unset):
            escalation = UNSET
        else:
            escalation = EscalationOut.from_dict(_escalation)

        prompt_tokens = d.pop("prompt_tokens", UNSET)

        answer_out = cls(
            answer=answer,
            dropped_citations=dropped_citations,
            escalated=escalated,
            generation_ms=generation_ms,
            log_id=log_id,
            mode=mode,
            model=model,
            provider=provider,
            retrieval_ms=retrieval_ms,
            sources=sources,
            best_score=best_score,
            completion_tokens=completion_tokens,
            escalation=escalation,
            prompt_tokens=prompt_tokens,
        )

        answer_out.additional_properties = d
        return answer_out

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
