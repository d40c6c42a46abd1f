from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.log_channel import LogChannel
from ..models.provider_kind import ProviderKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.escalation_out import EscalationOut
    from ..models.feedback_out import FeedbackOut
    from ..models.retrieved_out import RetrievedOut
    from ..models.source_out import SourceOut


T = TypeVar("T", bound="QueryLogOut")


@_attrs_define
class QueryLogOut:
    """One answer the assistant gave.

    Attributes:
        answer (str):
        channel (LogChannel): Where a question came from.
        created_at (datetime.datetime):
        dropped_citations (int):
        escalated (bool):
        generation_ms (float):
        id (UUID):
        model (str):
        provider (ProviderKind): Who writes the answers.
        question (str):
        retrieval_ms (float):
        retrieved (list[RetrievedOut]): Everything retrieval returned, with scores.
        sources (list[SourceOut]): The passages the answer cites.
        best_score (float | Unset):
        caller_api_key_id (UUID | Unset): … an API key …
        caller_superadmin_id (UUID | Unset): … or a superadmin acting in the tenant (none of them: a ticket run).
        caller_user_id (UUID | Unset): Who asked: a user …
        completion_tokens (int | Unset):
        escalation (EscalationOut | Unset): Why an answer escalated.
        feedback (FeedbackOut | Unset): The asker's rating of an answer.
        prompt_tokens (int | Unset):
        ticket_id (UUID | Unset): The ticket, for a ticket run.
    """

    answer: str
    channel: LogChannel
    created_at: datetime.datetime
    dropped_citations: int
    escalated: bool
    generation_ms: float
    id: UUID
    model: str
    provider: ProviderKind
    question: str
    retrieval_ms: float
    retrieved: list[RetrievedOut]
    sources: list[SourceOut]
    best_score: float | Unset = UNSET
    caller_api_key_id: UUID | Unset = UNSET
    caller_superadmin_id: UUID | Unset = UNSET
    caller_user_id: UUID | Unset = UNSET
    completion_tokens: int | Unset = UNSET
    escalation: EscalationOut | Unset = UNSET
    feedback: FeedbackOut | Unset = UNSET
    prompt_tokens: int | Unset = UNSET
    ticket_id: UUID | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        answer = self.answer

        channel = self.channel.value

        created_at = self.created_at.isoformat()

        dropped_citations = self.dropped_citations

        escalated = self.escalated

        generation_ms = self.generation_ms

        id = str(self.id)

        model = self.model

        provider = self.provider.value

        question = self.question

        retrieval_ms = self.retrieval_ms

        retrieved = []
        for retrieved_item_data in self.retrieved:
            retrieved_item = retrieved_item_data.to_dict()
            retrieved.append(retrieved_item)

        sources = []
        for sources_item_data in self.sources:
            sources_item = sources_item_data.to_dict()
            sources.append(sources_item)

        best_score = self.best_score

        caller_api_key_id: str | Unset = UNSET
        if not isinstance(self.caller_api_key_id, Unset):
            caller_api_key_id = str(self.caller_api_key_id)

        caller_superadmin_id: str | Unset = UNSET
        if not isinstance(self.caller_superadmin_id, Unset):
            caller_superadmin_id = str(self.caller_superadmin_id)

        caller_user_id: str | Unset = UNSET
        if not isinstance(self.caller_user_id, Unset):
            caller_user_id = str(self.caller_user_id)

        completion_tokens = self.completion_tokens

        escalation: dict[str, Any] | Unset = UNSET
        if not isinstance(self.escalation, Unset):
            escalation = self.escalation.to_dict()

        feedback: dict[str, Any] | Unset = UNSET
        if not isinstance(self.feedback, Unset):
            feedback = self.feedback.to_dict()

        prompt_tokens = self.prompt_tokens

        ticket_id: str | Unset = UNSET
        if not isinstance(self.ticket_id, Unset):
            ticket_id = str(self.ticket_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "answer": answer,
                "channel": channel,
                "created_at": created_at,
                "dropped_citations": dropped_citations,
                "escalated": escalated,
                "generation_ms": generation_ms,
                "id": id,
                "model": model,
                "provider": provider,
                "question": question,
                "retrieval_ms": retrieval_ms,
                "retrieved": retrieved,
                "sources": sources,
            }
        )
        if best_score is not UNSET:
            field_dict["best_score"] = best_score
        if caller_api_key_id is not UNSET:
            field_dict["caller_api_key_id"] = caller_api_key_id
        if caller_superadmin_id is not UNSET:
            field_dict["caller_superadmin_id"] = caller_superadmin_id
        if caller_user_id is not UNSET:
            field_dict["caller_user_id"] = caller_user_id
        if completion_tokens is not UNSET:
            field_dict["completion_tokens"] = completion_tokens
        if escalation is not UNSET:
            field_dict["escalation"] = escalation
        if feedback is not UNSET:
            field_dict["feedback"] = feedback
        if prompt_tokens is not UNSET:
            field_dict["prompt_tokens"] = prompt_tokens
        if ticket_id is not UNSET:
            field_dict["ticket_id"] = ticket_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.escalation_out import EscalationOut
        from ..models.feedback_out import FeedbackOut
        from ..models.retrieved_out import RetrievedOut
        from ..models.source_out import SourceOut

        d = dict(src_dict)
        answer = d.pop("answer")

        channel = LogChannel(d.pop("channel"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        dropped_citations = d.pop("dropped_citations")

        escalated = d.pop("escalated")

        generation_ms = d.pop("generation_ms")

        id = UUID(d.pop("id"))

        model = d.pop("model")

        provider = ProviderKind(d.pop("provider"))

        question = d.pop("question")

        retrieval_ms = d.pop("retrieval_ms")

        retrieved = []
        _retrieved = d.pop("retrieved")
        for retrieved_item_data in _retrieved:
            retrieved_item = RetrievedOut.from_dict(retrieved_item_data)

            retrieved.append(retrieved_item)

        sources = []
        _sources = d.pop("sources")
        for sources_item_data in _sources:
            sources_item = SourceOut.from_dict(sources_item_data)

            sources.append(sources_item)

        best_score = d.pop("best_score", UNSET)

        _caller_api_key_id = d.pop("caller_api_key_id", UNSET)
        caller_api_key_id: UUID | Unset
        if isinstance(_caller_api_key_id, Unset):
            caller_api_key_id = UNSET
        else:
            caller_api_key_id = UUID(_caller_api_key_id)

        _caller_superadmin_id = d.pop("caller_superadmin_id", UNSET)
        caller_superadmin_id: UUID | Unset
        if isinstance(_caller_superadmin_id, Unset):
            caller_superadmin_id = UNSET
        else:
            caller_superadmin_id = UUID(_caller_superadmin_id)

        _caller_user_id = d.pop("caller_user_id", UNSET)
        caller_user_id: UUID | Unset
        if isinstance(_caller_user_id, Unset):
            caller_user_id = UNSET
        else:
            caller_user_id = UUID(_caller_user_id)

        completion_tokens = d.pop("completion_tokens", UNSET)

        _escalation = d.pop("escalation", UNSET)
        escalation: EscalationOut | Unset
        if isinstance(_escalation, Unset):
            escalation = UNSET
        else:
            escalation = EscalationOut.from_dict(_escalation)

        _feedback = d.pop("feedback", UNSET)
        feedback: FeedbackOut | Unset
        if isinstance(_feedback, Unset):
            feedback = UNSET
        else:
            feedback = FeedbackOut.from_dict(_feedback)

        prompt_tokens = d.pop("prompt_tokens", UNSET)

        _ticket_id = d.pop("ticket_id", UNSET)
        ticket_id: UUID | Unset
        if isinstance(_ticket_id, Unset):
            ticket_id = UNSET
        else:
            ticket_id = UUID(_ticket_id)

        query_log_out = cls(
            answer=answer,
            channel=channel,
            created_at=created_at,
            dropped_citations=dropped_citations,
            escalated=escalated,
            generation_ms=generation_ms,
            id=id,
            model=model,
            provider=provider,
            question=question,
            retrieval_ms=retrieval_ms,
            retrieved=retrieved,
            sources=sources,
            best_score=best_score,
            caller_api_key_id=caller_api_key_id,
            caller_superadmin_id=caller_superadmin_id,
            caller_user_id=caller_user_id,
            completion_tokens=completion_tokens,
            escalation=escalation,
            feedback=feedback,
            prompt_tokens=prompt_tokens,
            ticket_id=ticket_id,
        )

        query_log_out.additional_properties = d
        return query_log_out

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
