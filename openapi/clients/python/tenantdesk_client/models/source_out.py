from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SourceOut")


@_attrs_define
class SourceOut:
    """A knowledge-base passage the answer cites.

    Attributes:
        chunk_id (UUID):
        document_id (UUID):
        ref (int): The number the answer cites it by: `[1]`, `[2]`…
        score (float): Its retrieval score: cosine similarity to the question.
        title (str): The document's title.
        version (int): The document version the passage belongs to.
        quote (str | Unset): The text an extractive answer quotes from it: the quoted sentences, in answer order,
            joined with ` … ` when the answer quotes this source more than once.
        source_url (str | Unset):
    """

    chunk_id: UUID
    document_id: UUID
    ref: int
    score: float
    title: str
    version: int
    quote: str | Unset = UNSET
    source_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        chunk_id = str(self.chunk_id)

        document_id = str(self.document_id)

        ref = self.ref

        score = self.score

        title = self.title

        version = self.version

        quote = self.quote

        source_url = self.source_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "chunk_id": chunk_id,
                "document_id": document_id,
                "ref": ref,
                "score": score,
                "title": title,
                "version": version,
            }
        )
        if quote is not UNSET:
            field_dict["quote"] = quote
        if source_url is not UNSET:
            field_dict["source_url"] = source_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        chunk_id = UUID(d.pop("chunk_id"))

        document_id = UUID(d.pop("document_id"))

        ref = d.pop("ref")

        score = d.pop("score")

        title = d.pop("title")

        version = d.pop("version")

        quote = d.pop("quote", UNSET)

        source_url = d.pop("source_url", UNSET)

        source_out = cls(
            chunk_id=chunk_id,
            document_id=document_id,
            ref=ref,
            score=score,
            title=title,
            version=version,
            quote=quote,
            source_url=source_url,
        )

        source_out.additional_properties = d
        return source_out

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
