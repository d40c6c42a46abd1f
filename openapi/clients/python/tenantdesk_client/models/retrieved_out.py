from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RetrievedOut")


@_attrs_define
class RetrievedOut:
    """Something retrieval found for the question.

    Attributes:
        chunk_id (UUID):
        document_id (UUID):
        in_context (bool): Whether it was given to the provider.
        score (float | Unset): Cosine similarity to the question (absent for a keyword-only match).
    """

    chunk_id: UUID
    document_id: UUID
    in_context: bool
    score: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        chunk_id = str(self.chunk_id)

        document_id = str(self.document_id)

        in_context = self.in_context

        score = self.score

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "chunk_id": chunk_id,
                "document_id": document_id,
                "in_context": in_context,
            }
        )
        if score is not UNSET:
            field_dict["score"] = score

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        chunk_id = UUID(d.pop("chunk_id"))

        document_id = UUID(d.pop("document_id"))

        in_context = d.pop("in_context")

        score = d.pop("score", UNSET)

        retrieved_out = cls(
            chunk_id=chunk_id,
            document_id=document_id,
            in_context=in_context,
            score=score,
        )

        retrieved_out.additional_properties = d
        return retrieved_out

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
