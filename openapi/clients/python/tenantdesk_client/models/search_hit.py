from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SearchHit")


@_attrs_define
class SearchHit:
    """One matching chunk.

    Attributes:
        chunk_id (UUID):
        chunk_index (int): The chunk's position in its document version.
        content (str): The chunk's text.
        document_id (UUID):
        score (float): Higher is better; its meaning depends on the mode (see `min_score`).
        title (str):
        version (int): The document version the chunk belongs to (always the current one).
        source_url (str | Unset):
    """

    chunk_id: UUID
    chunk_index: int
    content: str
    document_id: UUID
    score: float
    title: str
    version: int
    source_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        chunk_id = str(self.chunk_id)

        chunk_index = self.chunk_index

        content = self.content

        document_id = str(self.document_id)

        score = self.score

        title = self.title

        version = self.version

        source_url = self.source_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "chunk_id": chunk_id,
                "chunk_index": chunk_index,
                "content": content,
                "document_id": document_id,
                "score": score,
                "title": title,
                "version": version,
            }
        )
        if source_url is not UNSET:
            field_dict["source_url"] = source_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        chunk_id = UUID(d.pop("chunk_id"))

        chunk_index = d.pop("chunk_index")

        content = d.pop("content")

        document_id = UUID(d.pop("document_id"))

        score = d.pop("score")

        title = d.pop("title")

        version = d.pop("version")

        source_url = d.pop("source_url", UNSET)

        search_hit = cls(
            chunk_id=chunk_id,
            chunk_index=chunk_index,
            content=content,
            document_id=document_id,
            score=score,
            title=title,
            version=version,
            source_url=source_url,
        )

        search_hit.additional_properties = d
        return search_hit

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
